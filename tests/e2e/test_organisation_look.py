"""The citizen pages wear the organisation's look (colours, logo, name, favicon) and pass
axe-core and HTML_CodeSniffer in two themes; its administrator changes the look on the
organisation page, where a colour pair below AA is refused with its ratio."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.models import Organisation
from balie.services import org_settings
from balie.services.demo_look import GHENT_PRIMARY, GHENT_SECONDARY
from tests.e2e.test_admin import signed_in_admin
from tests.e2e.test_booking import assert_accessible

SECOND_PRIMARY, SECOND_SECONDARY = "#7a1f2b", "#fdf1e6"  # 10.6:1, 15.5:1 and 9.6:1


def brand(page: Page) -> tuple[str, str]:
    """The accent and header colours the citizen frame sets."""
    accent, header = page.evaluate(
        """() => {
            const frame = getComputedStyle(document.querySelector('.site-frame'));
            const header = getComputedStyle(document.querySelector('.site-header'));
            return [frame.getPropertyValue('--accent-9').trim(), header.backgroundColor];
        }"""
    )
    return accent, header


@pytest.fixture
def demo_look_back() -> Iterator[None]:
    """Put Ghent's demo colours back after the test (other browser tests share the database)."""
    yield
    with session_scope() as session:
        gent = session.exec(select(Organisation).where(Organisation.slug == "gent")).one()
        row = org_settings.settings_row(session, gent)
        row.brand_primary, row.brand_secondary = GHENT_PRIMARY, GHENT_SECONDARY
        session.add(row)
        session.commit()


def test_the_citizen_pages_show_the_organisations_look(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page.locator("#site-name")).to_have_text("Stad Gent · Digitale Balie")
    expect(page.locator("#site-logo")).to_have_attribute(
        "src", re.compile(r"^data:image/png;base64,.+")
    )
    expect(page.locator("#site-logo")).to_have_attribute("alt", "")
    icon = page.locator('head link[rel="icon"][href^="data:image/png"]')
    expect(icon).to_have_count(1)
    assert brand(page) == (GHENT_PRIMARY, "rgb(255, 246, 213)")
    assert_accessible(page)
    page.goto(base_url + "/boeken")
    expect(page.locator("#site-logo")).to_be_visible()
    assert_accessible(page)


def test_the_administrator_changes_the_look_and_a_weak_pair_is_refused(
    page: Page, base_url: str, demo_look_back: None
) -> None:
    signed_in_admin(page, base_url)
    page.goto(base_url + "/beheer/organisatie")
    primary = page.locator("#organisation-brand-primary")
    expect(primary).to_have_value(GHENT_PRIMARY)
    expect(page.locator("#current-logo")).to_be_visible()
    assert_accessible(page)

    primary.fill("#ffd700")
    page.locator("#save-organisation").click()
    error = page.locator("#organisation-brand-primary-error")
    expect(error).to_contain_text("Contrast 1,4:1 van witte tekst op de hoofdkleur is te laag")
    expect(error).to_contain_text("minstens 4,5:1")
    expect(page.locator("#organisation-brand-primary")).to_be_focused()
    expect(page.locator("#organisation-brand-primary")).to_have_value("#ffd700")
    assert_accessible(page)

    page.locator("#organisation-brand-primary").fill(SECOND_PRIMARY)
    page.locator("#organisation-brand-secondary").fill(SECOND_SECONDARY)
    page.locator("#save-organisation").click()
    expect(page.locator("#org-message")).to_be_visible()
    expect(page.locator("#organisation-brand-primary")).to_have_value(SECOND_PRIMARY)

    page.goto(base_url + "/")
    # The name and the colours arrive together, with the page's load event.
    expect(page.locator("#site-name")).to_have_text("Stad Gent · Digitale Balie")
    assert brand(page) == (SECOND_PRIMARY, "rgb(253, 241, 230)")
    assert_accessible(page)
