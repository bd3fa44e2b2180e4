"""A counsellor's day by keyboard alone in the app shell: today, join, outcome, the week
calendar, next week, and an appointment's details."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from balie.db_types import utcnow
from tests.e2e.conftest import tab_to
from tests.e2e.staff_helpers import PASSWORD, sign_in, with_password
from tests.e2e.test_booking import assert_accessible
from tests.e2e.test_staff import COLLEAGUE, appointment_at, two_starts_today

TZ = ZoneInfo("Europe/Brussels")


def shift_tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Shift+Tab until the element matching ``selector`` has focus (backwards)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Shift+Tab")
    raise AssertionError(f"{selector} cannot be reached with Shift+Tab")


def next_week_at(weekday: int, at: time) -> datetime:
    """A local time on ``weekday`` (0: Monday) of next week, in UTC."""
    today = utcnow().astimezone(TZ).date()
    day = today - timedelta(days=today.weekday()) + timedelta(days=7 + weekday)
    return datetime.combine(day, at, TZ).astimezone(ZoneInfo("UTC"))


def test_a_counsellors_day_by_keyboard(page: Page, base_url: str) -> None:
    page.context.route(
        re.compile(r"^https://meet\.jit\.si/.*"), lambda route: route.fulfill(body="call")
    )
    email = with_password(COLLEAGUE)
    now_start, later_start = two_starts_today()
    now = appointment_at("Nora Keyboard", now_start, counsellor=COLLEAGUE)
    appointment_at("Pieter Later", later_start, counsellor=COLLEAGUE)
    monday = appointment_at("Mona Maandag", next_week_at(0, time(7, 5)), counsellor=COLLEAGUE)
    tuesday = appointment_at("Dirk Dinsdag", next_week_at(1, time(7, 5)), counsellor=COLLEAGUE)
    sign_in(page, base_url, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/medewerkers/?$"))
    card = page.locator(f"#card-{now}")
    expect(card).to_contain_text("Nora Keyboard")
    expect(page.locator("#next-call")).to_contain_text(re.compile(r"over \d+ (u \d+ )?min"))
    assert_accessible(page)

    # Today: the Join button is the first control of the card.
    page.locator("body").focus()
    tab_to(page, f"#card-{now} a.join")
    with page.context.expect_page() as call:
        page.keyboard.press("Enter")
    call.value.close()

    # The outcome: the first choice (resolved) with Space, then save with Enter.
    tab_to(page, f"#card-{now} input[type=radio]")
    page.keyboard.press("Space")
    tab_to(page, f"#card-{now} .save-outcome")
    page.keyboard.press("Enter")
    expect(card.locator(".status")).to_have_text("Afgelopen – Opgelost")

    # To the week calendar through the side navigation (before the content: backwards).
    shift_tab_to(page, "a.staff-nav-link[href='/medewerkers/week']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/medewerkers/week/?$"))
    current = page.locator("a.staff-nav-link[aria-current='page']")
    expect(current).to_have_text("Mijn week")
    expect(page.locator("#week-grid")).to_be_visible()

    # Next week, then between its days with the arrow keys, then one appointment's details.
    tab_to(page, "#next-week")
    page.keyboard.press("Enter")
    first = page.locator(f"a.cal-block[data-block='{monday}']")
    expect(first).to_contain_text("Mona Maandag")
    tab_to(page, f"a.cal-block[data-block='{monday}']")
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"a.cal-block[data-block='{tuesday}']")).to_be_focused()
    page.keyboard.press("Enter")
    details = page.locator(f"#row-{tuesday}")
    expect(details).to_be_focused()
    expect(details).to_contain_text("Dirk Dinsdag")
    expect(details).to_contain_text("07:05")
    expect(details).to_contain_text("Gepland")
    assert_accessible(page)


def test_on_a_narrow_screen_the_menu_button_opens_the_navigation(page: Page, base_url: str) -> None:
    page.set_viewport_size({"width": 320, "height": 700})
    sign_in(page, base_url, with_password(COLLEAGUE), PASSWORD)
    expect(page).to_have_url(re.compile(r"/medewerkers/?$"))
    button = page.locator("#staff-menu-button")
    week = page.get_by_role("navigation", name="Menu voor medewerkers").get_by_role(
        "link", name="Mijn week"
    )
    expect(page.locator("#staff-sign-out")).to_be_visible()  # the navigation is there
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(week).to_be_hidden()
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(week).to_be_visible()
    expect(page.locator("a.staff-nav-link[aria-current='page']")).to_have_text("Vandaag")
    assert_accessible(page)
    page.keyboard.press("Enter")
    expect(week).to_be_hidden()
