"""The citizen wizard with the keyboard only: Enter, focus, errors, review and confirmation.

Every step is checked by axe and by HTML_CodeSniffer (WCAG2AA, the checker pa11y runs), in
Dutch and in English.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import tab_to
from tests.e2e.test_booking import assert_accessible, heading_has_focus

HEADINGS = {
    "nl": {
        "topic": "Waarover wil je praten?",
        "time": "Kies een dag en een uur",
        "details": "Jouw gegevens",
        "review": "Kijk alles na",
        "done": "Je afspraak is gemaakt",
    },
    "en": {
        "topic": "What do you want to talk about?",
        "time": "Choose a day and a time",
        "details": "Your details",
        "review": "Check your appointment",
        "done": "Your appointment is booked",
    },
}

# In the page: the focused element's outline and the colour behind it (≥ 3:1 is WCAG 2.2's
# focus-indicator contrast). With a positive offset the outline lies on the ancestors' background.
FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rgba = text => {
    const parts = text.match(/[\\d.]+/g).map(Number);
    return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
  };
  const luminance = c => {
    const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  };
  let node = parseFloat(style.outlineOffset) > 0 ? el.parentElement : el;
  let behind = {r: 255, g: 255, b: 255, a: 1};
  for (; node; node = node.parentElement) {
    const colour = rgba(getComputedStyle(node).backgroundColor);
    if (colour.a > 0) { behind = colour; break; }
  }
  const ring = rgba(style.outlineColor);
  const [light, dark] = [luminance(ring), luminance(behind)].sort((x, y) => y - x);
  const label = el.id ? '#' + el.id : el.tagName.toLowerCase() + ':' +
    (el.textContent || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 30);
  return {
    element: label,
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    offset: parseFloat(style.outlineOffset),
    contrast: (light + 0.05) / (dark + 0.05),
  };
}"""


def checked(page: Page) -> None:
    """axe and HTML_CodeSniffer find nothing on the page as it is now."""
    assert_accessible(page)


def to_details(page: Page, base_url: str, lang: str = "nl") -> str:
    """Keyboard only: a service, a topic and a time; returns the chosen time's label."""
    page.goto(base_url + "/boeken?dienst=woonwijzer")
    heading_has_focus(page, HEADINGS["nl"]["topic"])
    if lang == "en":
        tab_to(page, "#language-switch")
        page.keyboard.press("Enter")
        expect(page.locator("#step-heading")).to_have_text(HEADINGS["en"]["topic"])
    tab_to(page, "[data-topic=huurvragen]")
    page.keyboard.press("Enter")
    heading_has_focus(page, HEADINGS[lang]["time"])
    tab_to(page, ".time")
    chosen = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    heading_has_focus(page, HEADINGS[lang]["details"])
    return chosen


def type_into(page: Page, selector: str, text: str) -> None:
    """Tab to a field, empty it and type ``text`` (keyboard only)."""
    tab_to(page, selector)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def test_enter_in_a_field_goes_forward_and_keeps_the_time(page: Page, base_url: str) -> None:
    chosen = to_details(page, base_url)
    main = page.locator("main")
    expect(main).to_contain_text(f"om {chosen}")

    # Enter with only a name: the form is checked (errors), it never goes back to the times.
    type_into(page, "#name", "Ines Claeys")
    page.keyboard.press("Enter")
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.locator("#step-heading")).to_have_text("Jouw gegevens")
    expect(main).to_contain_text(f"om {chosen}")

    type_into(page, "#email", "ines@voorbeeld.be")
    type_into(page, "#phone", "0470 12 34 56")
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    for field in ("#name", "#email", "#phone"):
        tab_to(page, field)
        page.keyboard.press("Enter")
        heading_has_focus(page, "Kijk alles na")
        expect(page.locator(".summary")).to_contain_text(chosen)
        tab_to(page, "#change-details")
        page.keyboard.press("Enter")
        heading_has_focus(page, "Jouw gegevens")
        expect(main).to_contain_text(f"om {chosen}")

    # In the question (several lines) Enter starts a new line and stays.
    tab_to(page, "#question")
    page.keyboard.type("Eerste regel")
    page.keyboard.press("Enter")
    page.keyboard.type("tweede regel")
    expect(page.locator("#step-heading")).to_have_text("Jouw gegevens")
    expect(page.locator("#question")).to_have_value("Eerste regel\ntweede regel")
    expect(main).to_contain_text(f"om {chosen}")


def test_errors_clear_on_leaving_the_field_and_the_summary_links_to_it(
    page: Page, base_url: str
) -> None:
    to_details(page, base_url)
    tab_to(page, "#to-review")
    page.keyboard.press("Enter")
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    # The router turns "#email" into "/boeken/#email"; the link still goes to the field.
    for field in ("name", "email", "consent"):
        expect(summary.locator(f"a[href$='#{field}']")).to_be_visible()

    # The summary's link moves focus to the field itself.
    tab_to(page, "#form-errors a[href$='#email']")
    page.keyboard.press("Enter")
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type("ines@voorbeeld")
    page.keyboard.press("Tab")  # still wrong: the error stays
    expect(page.locator("#email-error")).to_contain_text("Dit e-mailadres klopt niet")
    tab_to(page, "#email")
    page.keyboard.press("End")
    page.keyboard.type(".be")
    page.keyboard.press("Tab")  # right now: its error goes at once, the others stay
    expect(page.locator("#email-error")).to_have_count(0)
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "false")
    expect(summary.locator("a[href$='#email']")).to_have_count(0)
    expect(page.locator("#name-error")).to_be_visible()

    tab_to(page, "#form-errors a[href$='#consent']")
    page.keyboard.press("Enter")
    expect(page.locator("#consent")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#consent-error")).to_have_count(0)
    tab_to(page, "#form-errors a[href$='#name']")
    page.keyboard.press("Enter")
    expect(page.locator("#name")).to_be_focused()
    page.keyboard.type("Ines Claeys")
    page.keyboard.press("Tab")
    expect(summary).to_have_count(0)
    checked(page)


def focus_rings(page: Page, limit: int = 60) -> list[dict]:
    """Tab through the whole page once; the focus ring of every element that gets focus."""
    rings, seen = [], set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring is None:
            continue
        key = ring["element"]
        if key in seen:
            break
        seen.add(key)
        rings.append(ring)
    return rings


def assert_visible_rings(rings: list[dict]) -> None:
    """Every ring is a solid 3 px line with ≥ 3:1 contrast against what lies behind it."""
    weak = [r for r in rings if r["style"] == "none" or r["width"] < 3 or r["contrast"] < 3 - 1e-9]
    assert rings and weak == [], weak


def test_every_focus_indicator_has_enough_contrast(page: Page, base_url: str) -> None:
    page.goto(base_url + "/boeken")
    expect(page.locator("[data-service]").first).to_be_visible()
    walked = focus_rings(page)
    assert {"#language-switch", "#footer-privacy"} <= {r["element"] for r in walked}

    to_details(page, base_url)
    heading = page.evaluate(FOCUS_RING)  # the step heading, focused when the step opened
    assert heading["element"] == "#step-heading" and heading["offset"] >= 2, heading
    walked += [heading]
    tab_to(page, "#to-review")
    page.keyboard.press("Enter")  # errors: the summary's links join the walk
    expect(page.locator("#form-errors")).to_be_focused()
    details = focus_rings(page)
    assert {"#name", "#consent", "#to-review", "#back"} <= {r["element"] for r in details}
    walked += details

    type_into(page, "#name", "Ines Claeys")
    type_into(page, "#email", "ines@voorbeeld.be")
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    tab_to(page, "#to-review")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Kijk alles na")
    review = focus_rings(page)
    assert {"#change-service", "#confirm"} <= {r["element"] for r in review}
    walked += review
    assert_visible_rings(walked)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_step_passes_axe_and_html_codesniffer(page: Page, base_url: str, lang: str) -> None:
    page.goto(base_url + "/boeken")
    expect(page.locator("[data-service]").first).to_be_visible()
    if lang == "en":
        page.get_by_role("button", name="Switch to English").click()
        expect(page.locator("#step-heading")).to_have_text("Choose a service")
    # Reflex's hidden connection banner (HTML_CodeSniffer warns about it on every page) is gone.
    expect(page.locator("[title^='Connection Error']")).to_have_count(0)
    checked(page)
    tab_to(page, "[data-service=woonwijzer]")
    page.keyboard.press("Enter")
    heading_has_focus(page, HEADINGS[lang]["topic"])
    checked(page)
    tab_to(page, "[data-topic=huurvragen]")
    page.keyboard.press("Enter")
    heading_has_focus(page, HEADINGS[lang]["time"])
    checked(page)
    tab_to(page, ".time")
    page.keyboard.press("Enter")
    heading_has_focus(page, HEADINGS[lang]["details"])
    checked(page)
    tab_to(page, "#to-review")
    page.keyboard.press("Enter")
    expect(page.locator("#form-errors")).to_be_focused()
    checked(page)

    type_into(page, "#name", "Ines Claeys")
    type_into(page, "#email", "ines@voorbeeld.be")
    type_into(page, "#phone", "+32 470 12 34 56")
    # A radio group is one Tab stop (the checked radio: the page's language); arrows choose.
    tab_to(page, "input[name=language]:checked")
    if lang == "nl":
        page.keyboard.press("ArrowDown")
    expect(page.locator("#language-en")).to_be_checked()
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    tab_to(page, "#to-review")
    page.keyboard.press("Enter")
    heading_has_focus(page, HEADINGS[lang]["review"])
    review = page.locator(".summary")
    expect(review).to_contain_text("+32 470 12 34 56")
    expect(review).to_contain_text({"nl": "Engels", "en": "English"}[lang])
    expect(page.locator("[id^=change-]")).to_have_count(4)
    checked(page)

    tab_to(page, "#confirm")
    page.keyboard.press("Enter")
    heading_has_focus(page, HEADINGS[lang]["done"])
    reference = page.locator("#reference").inner_text()
    expect(page).to_have_url(re.compile(rf"/boeken/bevestigd\?ref={reference}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[lang]["done"])
    opens = {"nl": "Het gesprek opent op ", "en": "The call opens on "}[lang]
    expect(page.locator("#join-later")).to_contain_text(opens)
    checked(page)
