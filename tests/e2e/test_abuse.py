"""Abuse protection in the browser: the proof-of-work stays invisible and keyboard-friendly; a
flood from one address is refused with the translated message while another address books.

Two addresses on one machine: the e2e app trusts 127.0.0.1 as a proxy during these tests, and
each browser context sends its own X-Forwarded-For (it reaches the websocket handshake).
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from balie.services.abuse import public as abuse
from balie.services.abuse.gate import Requester
from balie.settings import get_settings
from tests.e2e.conftest import tab_to
from tests.e2e.test_booking import assert_accessible, heading_has_focus

# New documentation addresses (2001:db8::/32) on every run: with state in Redis the limit counters
# outlive the app, and a run within the hour of the last one must not find its own bookings.
# Written as the app writes them (no leading zeros: "0d8e" would be "d8e" there, another key).
FLOODER, NEIGHBOUR = (
    str(ipaddress.ip_address(f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::{n}"))
    for n in (66, 23)
)


@pytest.fixture
def proxied(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app (same process) believes X-Forwarded-For from 127.0.0.1; 3 bookings per address."""
    monkeypatch.setenv("BALIE_TRUSTED_PROXIES", '["127.0.0.1"]')
    monkeypatch.setenv("BALIE_BOOKINGS_PER_ADDRESS_PER_HOUR", "3")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def to_review(page: Page, base_url: str, email: str) -> None:
    """Walk the wizard for Stedenbouw with the keyboard up to the review step.

    Each step waits until its heading has focus: the focus moves there just after the heading
    changes, and a Tab pressed in between would be lost with it (seen on CI's busy machine).
    """
    page.goto(base_url + "/boeken?dienst=stedenbouw")
    heading_has_focus(page, "Waarover wil je praten?")
    tab_to(page, "[data-topic]")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Kies een dag en een uur")
    tab_to(page, ".time")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Jouw gegevens")
    tab_to(page, "#name")
    page.keyboard.type("Noor Vermeulen")
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    tab_to(page, "#to-review")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Kijk alles na")


def test_a_citizen_books_with_the_proof_of_work_and_the_keyboard_alone(
    page: Page, base_url: str
) -> None:
    assert get_settings().proof_of_work
    to_review(page, base_url, "noor@voorbeeld.be")
    expect(page.locator("#pow-status")).to_have_attribute("aria-live", "polite")
    assert_accessible(page)
    tab_to(page, "#confirm")
    page.keyboard.press("Enter")  # at once: the button waits for the puzzle if it must
    expect(page.locator("#step-heading")).to_have_text("Je afspraak is gemaakt")
    expect(page.locator("#reference")).not_to_be_empty()
    assert_accessible(page)


def test_a_flood_from_one_address_is_refused_while_another_books(
    browser: Browser, base_url: str, proxied: None
) -> None:
    gate = abuse.gate_for(get_settings())
    for _ in range(3):  # the flooder's earlier bookings this hour
        gate.check_rates(Requester(FLOODER), None)

    flooder = browser.new_context(extra_http_headers={"X-Forwarded-For": FLOODER})
    page = flooder.new_page()
    to_review(page, base_url, "flood@voorbeeld.be")
    tab_to(page, "#confirm")
    page.keyboard.press("Enter")
    notice = page.locator("#notice")
    expect(notice).to_contain_text("Er zijn het voorbije uur al veel afspraken gemaakt")
    expect(page.locator("#step-heading")).to_have_text("Kijk alles na")
    expect(page.locator(".summary")).to_contain_text("flood@voorbeeld.be")
    assert_accessible(page)
    flooder.close()

    neighbour = browser.new_context(extra_http_headers={"X-Forwarded-For": NEIGHBOUR})
    page = neighbour.new_page()
    to_review(page, base_url, "buur@voorbeeld.be")
    tab_to(page, "#confirm")
    page.keyboard.press("Enter")
    expect(page.locator("#step-heading")).to_have_text("Je afspraak is gemaakt")
    neighbour.close()
