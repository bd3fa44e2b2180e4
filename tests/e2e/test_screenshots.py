"""Every main page fits at 1,280 and 320 px, passes HTML_CodeSniffer, and is photographed.

`make screenshots` runs this file with BALIE_SCREENSHOTS_DIR=docs/screenshots, so the README's
pictures are regenerated, never made by hand. Elsewhere the pictures go to data/ (ignored).
The measured sizes are written next to them (sizes.json) before anything is asserted.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from balie.states.staff_session import STAFF_PAGES
from tests.e2e.conftest import PROJECT_ROOT, axe_violations
from tests.e2e.htmlcs import htmlcs_errors
from tests.e2e.staff_helpers import AGENT, COUNSELLOR, MANAGER_ADMIN, sign_in_as

OUT = Path(os.environ.get("BALIE_SCREENSHOTS_DIR", PROJECT_ROOT / "data" / "test-screenshots"))
CITIZEN_PAGES = {"/": "citizen-home", "/boeken": "citizen-book", "/privacy": "citizen-privacy"}
# The staff pages in the README, by their file name; every other staff page is measured only.
PICTURED = {
    "/medewerkers": "staff-today",
    "/medewerkers/week": "staff-week",
    "/medewerkers/team": "staff-team",
    "/statistieken": "staff-dashboard",
}
WIDE, NARROW = 1280, 320


def who_opens(roles: tuple[str, ...]) -> str:
    """A demo person who may open a page for ``roles`` (a counsellor where one may)."""
    if "staff" in roles:
        return COUNSELLOR
    if "agent" in roles and "admin" not in roles:
        return AGENT
    return MANAGER_ADMIN


def measure(page: Page) -> dict:
    """The page's document sizes, the viewport's width, and what sticks out on the right."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const out = (e) => e.getBoundingClientRect().right > width + 1;
          // The outermost elements that stick out on the right: where to look for the cause.
          const wide = [...document.querySelectorAll('body *')]
            .filter((e) => out(e) && !(e.parentElement && out(e.parentElement)))
            .slice(0, 5)
            .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`.slice(0, 120));
          return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width,
                  scrollHeight: document.documentElement.scrollHeight, sticksOut: wide};
        }"""
    )


def settle(page: Page) -> None:
    """Wait until the page's content (not the loading notice) is shown."""
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    expect(page.locator("#staff-loading")).to_have_count(0, timeout=15_000)
    page.wait_for_timeout(300)  # charts draw after the data arrives (a picture, not an assertion)


def record(page: Page, url: str, route: str, name: str | None) -> dict:
    """Open ``route`` at both widths: sizes, engines' findings, and a picture at 1,280 px."""
    page.set_viewport_size({"width": WIDE, "height": 800})
    page.goto(url + route)
    settle(page)
    wide = measure(page)
    if name is not None:
        OUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    result = {
        "route": route,
        "wide": wide,
        "axe": [v["id"] for v in axe_violations(page)],
        "htmlcs": [(e["code"], e["element"]) for e in htmlcs_errors(page)],
    }
    page.set_viewport_size({"width": NARROW, "height": 800})
    page.wait_for_timeout(200)
    result["narrow"] = measure(page)
    if name is not None:
        page.screenshot(path=str(OUT / f"{name}-320.png"), full_page=True)
    return result


def test_pages_fit_pass_htmlcs_and_are_photographed(browser: Browser, base_url: str) -> None:
    results: list[dict] = []
    context = browser.new_context(viewport={"width": WIDE, "height": 800})
    page = context.new_page()
    for route, name in CITIZEN_PAGES.items():
        results.append(record(page, base_url, route, name))
    context.close()
    for person in (COUNSELLOR, AGENT, MANAGER_ADMIN):
        context = browser.new_context(viewport={"width": WIDE, "height": 800})
        page = context.new_page()
        sign_in_as(page, base_url, person)
        for route, _key, roles in STAFF_PAGES:
            if who_opens(roles) == person:
                results.append(record(page, base_url, route, PICTURED.get(route)))
        context.close()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "sizes.json").write_text(json.dumps(results, indent=1), encoding="utf-8")

    for result in results:
        for width in ("wide", "narrow"):
            sizes = result[width]
            assert sizes["scrollWidth"] <= sizes["clientWidth"], (result["route"], width, sizes)
        assert result["axe"] == [], result
        assert result["htmlcs"] == [], result
