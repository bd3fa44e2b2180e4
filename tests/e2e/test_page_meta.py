"""What every citizen page says about itself: favicon, meta description, no redirect first.

Lighthouse is not available here; these are its checks (document has a meta description,
the icon loads, no redirects) done in the browser, plus the sign-in field's autocomplete.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations
from tests.e2e.htmlcs import htmlcs_errors

CITIZEN_PAGES = [
    "/",
    "/boeken",
    "/boeken?dienst=oog",
    "/boeken/bevestigd",
    "/afspraak",
    "/tevredenheid",
    "/niet-aangevraagd",
    "/privacy",
]
GHENT_DESCRIPTION = re.compile(
    r"^Maak online een afspraak voor een videogesprek met Stad Gent\. "
    r"Diensten: Energiecentrale, Woonwijzer, .+\.$"
)


@pytest.mark.parametrize("path", CITIZEN_PAGES)
def test_a_citizen_page_comes_at_once_with_its_description_and_icon(
    page: Page, base_url: str, path: str
) -> None:
    answer = page.goto(base_url + path)

    assert answer is not None and answer.status == 200
    assert answer.request.redirected_from is None, f"{path} was redirected"
    assert answer.url == base_url + path
    description = page.locator('meta[name="description"]')
    expect(description).to_have_count(1)
    expect(description).to_have_attribute("content", GHENT_DESCRIPTION)
    icons = page.locator('link[rel="icon"]')
    # The platform's two, then the organisation's logo (Ghent's demo look has one).
    expect(icons).to_have_count(3)
    expect(icons.first).to_have_attribute("href", "/favicon.svg")
    expect(icons.last).to_have_attribute("href", re.compile(r"^data:image/png;base64,"))


def test_the_icons_are_served(page: Page, base_url: str) -> None:
    svg = page.request.get(base_url + "/favicon.svg")
    assert svg.ok and svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text()
    ico = page.request.get(base_url + "/favicon.ico")
    assert ico.ok and ico.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert "frame-ancestors 'none'" in ico.headers["content-security-policy"]


def test_the_sign_in_fields_help_password_managers_and_pass_both_checkers(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + "/medewerkers/aanmelden")
    email = page.locator("#staff-email")
    expect(email).to_have_attribute("autocomplete", "username")
    expect(email).to_have_attribute("inputmode", "email")
    expect(email).to_have_attribute("type", "text")
    expect(page.locator("#staff-password")).to_have_attribute("autocomplete", "current-password")
    assert htmlcs_errors(page) == []
    assert axe_violations(page) == []
