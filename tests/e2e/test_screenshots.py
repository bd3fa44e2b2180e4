"""Every main page fits at 1,280 and 320 px, passes HTML_CodeSniffer, and is photographed.

`make screenshots` runs this file with BALIE_SCREENSHOTS_DIR=docs/screenshots, so the README's
pictures are regenerated, never made by hand. Elsewhere the pictures go to data/ (ignored).
The measured sizes are written next to them (sizes.json) before anything is asserted.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import (
    Appointment,
    AppointmentStatus,
    AvailabilityException,
    ChannelRule,
    IdentificationLevel,
    Outcome,
    Service,
    StaffMember,
    Topic,
)
from balie.services import booking, slots
from balie.services.booking import Booked, BookingRequest
from balie.services.catalogue import get_organisation
from balie.services.demo_data import QUESTIONS, demo_email
from balie.services.validation import CitizenDetails
from balie.settings import get_settings
from balie.states.staff_session import STAFF_PAGES
from tests.e2e.conftest import PROJECT_ROOT, axe_violations
from tests.e2e.htmlcs import htmlcs_errors
from tests.e2e.staff_helpers import AGENT, COUNSELLOR, MANAGER_ADMIN, sign_in_as
from tests.e2e.test_staff import COLLEAGUE, appointment_at

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
TZ = ZoneInfo("Europe/Brussels")


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
        if route == "/statistieken":  # a close-up: go-live labels next to the axis labels
            page.locator("#chart-weeks").screenshot(path=str(OUT / f"{name}-weeks-chart.png"))
    result = {
        "route": route if not route.startswith("/afspraak") else "/afspraak",
        "wide": wide,
        "calendar_blocks": page.locator("a.cal-block").count(),
        "axe": [v["id"] for v in axe_violations(page)],
        "htmlcs": [(e["code"], e["element"]) for e in htmlcs_errors(page)],
    }
    page.set_viewport_size({"width": NARROW, "height": 800})
    page.wait_for_timeout(200)
    result["narrow"] = measure(page)
    if name is not None:
        page.screenshot(path=str(OUT / f"{name}-320.png"), full_page=True)
    return result


CITIZENS = (
    "Sofie Wauters",
    "Brecht Claes",
    "Amina Benali",
    "Pieter Janssens",
    "Lien De Backer",
    "Yusuf Demir",
    "Hilde Vermeulen",
    "Kobe Maes",
)
# Services with calls this week next to the counsellor's own (Verhuurderspunt): several colours.
OTHER_SERVICES = ("woonwijzer", "energiecentrale", "mobiliteitsbedrijf", "burgerzaken")
LATE = (time(15, 0), time(16, 30))  # the stretch of leave in the pictures


def _staff_id(session: Session, name: str) -> int:
    """A demo staff member's id."""
    email = demo_email(name)
    return session.exec(select(StaffMember.id).where(StaffMember.email == email)).one()


def _leave(session: Session, name: str, day: date, start: time, end: time) -> None:
    """Leave for the demo staff member ``name`` on ``day`` from ``start`` to ``end`` (local)."""
    session.add(
        AvailabilityException(
            organisation_id=get_organisation(session, "gent").id,
            staff_id=_staff_id(session, name),
            start_at=datetime.combine(day, start, TZ),
            end_at=datetime.combine(day, end, TZ),
            reason="Verlof",
        )
    )
    session.commit()


def _book_free(
    session: Session, slug: str, every: int, staff_id: int | None, weeks: int = 0
) -> list[Booked]:
    """Book every ``every``-th free time of the rest of this week (or all of the week ``weeks``
    later) through the service."""
    now = utcnow()
    today = now.astimezone(TZ).date()
    service = session.exec(select(Service).where(Service.slug == slug)).one()
    topic = session.exec(  # a topic anyone can book by video (no sign-in with itsme/eID)
        select(Topic.slug)
        .where(
            Topic.service_id == service.id,
            Topic.active,
            Topic.channel_rule == ChannelRule.VIDEO,
            Topic.identification_level == IdentificationLevel.NONE,
        )
        .order_by(Topic.sort_order, Topic.id)
    ).first()
    monday = today - timedelta(days=today.weekday())
    first = today if weeks == 0 else monday + timedelta(weeks=weeks)
    sunday = first + timedelta(days=6 - first.weekday())
    free = slots.free_slots(session, service, first, sunday, now)
    if staff_id is not None:
        free = [slot for slot in free if staff_id in slot.staff_ids]
    booked = []
    for index, slot in enumerate(free[::every]):
        name = CITIZENS[(index + len(slug) + (staff_id or 0)) % len(CITIZENS)]
        question = QUESTIONS[slug][index % len(QUESTIONS[slug])][0]
        details = CitizenDetails(name, "burger@example.be", None, "nl", question, True)
        request = BookingRequest(slug, topic, slot.start, details)
        booked.append(
            booking.book(
                session,
                get_organisation(session, "gent"),
                request,
                meeting_provider="jitsi",
                secret_key=get_settings().secret_key.get_secret_value(),
                now=now,
                preferred_staff_id=staff_id,
            )
        )
    return booked


def book_a_busy_week() -> str:
    """Calls for the pictures: the counsellor's past calls of this week (with results), one in
    progress now, free times booked for the rest of the week, and other services' calls.

    Returns the personal link (path) of a citizen's booking, for the manage page."""
    now = utcnow().replace(second=0, microsecond=0)
    today = now.astimezone(TZ).date()
    monday = today - timedelta(days=today.weekday())
    outcomes = (Outcome.RESOLVED, Outcome.FOLLOW_UP, Outcome.REFERRED)
    past = [
        datetime.combine(day, at, TZ)
        for day in (monday + timedelta(days=n) for n in range(today.weekday()))
        for at in (time(9, 0), time(10, 30), time(14, 0))
    ]
    for index, start in enumerate(past):
        reference = appointment_at(CITIZENS[index % len(CITIZENS)], start)
        with session_scope() as session:
            call = session.exec(select(Appointment).where(Appointment.reference == reference)).one()
            call.status, call.outcome = AppointmentStatus.COMPLETED, outcomes[index % 3]
            call.completed_at = start + timedelta(minutes=30)
            session.add(call)
            session.commit()
    appointment_at("Nadia El Idrissi", now - timedelta(minutes=10))  # in progress now
    with session_scope() as session:
        # Leave, shaded in the week (past: nothing to move) and in the team's day (late today).
        if today.weekday() > 0:
            _leave(session, COUNSELLOR, monday + timedelta(days=today.weekday() - 1), *LATE)
        _leave(session, COLLEAGUE, today, *LATE)
        _book_free(session, "verhuurderspunt", 3, _staff_id(session, COUNSELLOR))
        _book_free(session, "verhuurderspunt", 4, _staff_id(session, COLLEAGUE))
        booked = [call for slug in OTHER_SERVICES for call in _book_free(session, slug, 4, None)]
        if not booked:  # the weekend, or late on Friday: next week's first free time
            booked = _book_free(session, "woonwijzer", 1, None, weeks=1)[:1]
        first = booked[0]
        return f"/afspraak?ref={first.appointment.reference}&token={first.manage_token}"


def test_pages_fit_pass_htmlcs_and_are_photographed(browser: Browser, base_url: str) -> None:
    manage = book_a_busy_week()
    results: list[dict] = []
    context = browser.new_context(viewport={"width": WIDE, "height": 800})
    page = context.new_page()
    for route, name in {**CITIZEN_PAGES, manage: "citizen-manage"}.items():
        results.append(record(page, base_url, route, name))
    results.append(record(page, base_url, "/medewerkers/aanmelden", None))
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

    # The pictures show a week with calls in it, not an empty one.
    week = next(result for result in results if result["route"] == "/medewerkers/week")
    assert week["calendar_blocks"] > 0, week
    for result in results:
        for width in ("wide", "narrow"):
            sizes = result[width]
            assert sizes["scrollWidth"] <= sizes["clientWidth"], (result["route"], width, sizes)
        assert result["axe"] == [], result
        assert result["htmlcs"] == [], result
