"""A new visitor opens the home page, sees Ghent's services and switches to English."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.test_booking import assert_accessible


def test_home_lists_the_services_of_ghent(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Praat met de stad via video")
    services = page.locator("#services li")
    expect(services).to_have_count(9)
    expect(services.first).to_contain_text("Energiecentrale")
    expect(page.locator("#services")).to_contain_text("GAS-boetes")
    assert_accessible(page)


def test_switch_to_english_and_back(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page.locator("#services li")).to_have_count(9)
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Talk to the city by video call")
    expect(page.locator("#services")).to_contain_text("Energy Centre")
    expect(page.locator("main").locator("xpath=..")).to_have_attribute("lang", "en")
    assert_accessible(page)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Talk to the city by video call")
    page.get_by_role("button", name="Schakel naar Nederlands").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Praat met de stad via video")


def test_skip_link_reaches_the_content_by_keyboard(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page.locator("#services li")).to_have_count(9)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Ga naar de inhoud")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_session_state_lives_where_the_settings_say(app_harness) -> None:
    """In memory, capped, by default; Redis with leases when BALIE_REDIS_URL is set (CI)."""
    import os

    manager = app_harness.app_instance.state_manager
    expected = (
        "LeasingStateManagerRedis"
        if os.environ.get("BALIE_REDIS_URL")
        else "BoundedStateManagerMemory"
    )
    assert type(manager).__name__ == expected
    assert getattr(manager, "_oplock_enabled", False) == bool(os.environ.get("BALIE_REDIS_URL"))
