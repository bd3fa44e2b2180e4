"""The planning views: a counsellor's week, and a service's day for a team lead."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import Appointment, AvailabilityException, Service, StaffMember, Topic
from balie.services.booking import manage_token_for, new_reference, token_hash
from balie.services.demo_data import demo_email
from tests.e2e.staff_helpers import COUNSELLOR, MANAGER_ADMIN, sign_in_as
from tests.e2e.test_booking import assert_accessible

TZ = ZoneInfo("Europe/Brussels")
EARLY = time(7, 5)  # before opening hours, so no booked time can clash with these


def local_today() -> date:
    """Today in Ghent."""
    return utcnow().astimezone(TZ).date()


def appointment_for(name: str, service_slug: str, day: date, at: time, citizen: str) -> str:
    """An appointment of the demo staff member ``name`` on ``day`` at ``at``; its reference."""
    with session_scope() as session:
        member = session.exec(
            select(StaffMember).where(StaffMember.email == demo_email(name))
        ).one()
        service = session.exec(select(Service).where(Service.slug == service_slug)).one()
        topic_id = session.exec(select(Topic.id).where(Topic.service_id == service.id)).first()
        start = datetime.combine(day, at, TZ)
        reference = new_reference()
        session.add(
            Appointment(
                reference=reference,
                organisation_id=service.organisation_id,
                service_id=service.id,
                topic_id=topic_id,
                staff_id=member.id,
                start_at=start,
                end_at=start + timedelta(minutes=20),
                busy_until=start + timedelta(minutes=25),
                citizen_name=citizen,
                citizen_email="burger@example.be",
                question="Een vraag die de week niet toont",
                consent_at=utcnow(),
                manage_token_hash=token_hash(manage_token_for(reference, secrets.token_hex())),
            )
        )
        session.commit()
    return reference


def test_week_shows_my_appointments_and_the_next_week(page: Page, base_url: str) -> None:
    today = local_today()
    monday = today - timedelta(days=today.weekday())
    later_this_week = min(today + timedelta(days=1), monday + timedelta(days=6))
    this_week = appointment_for(
        COUNSELLOR, "verhuurderspunt", later_this_week, EARLY, "Sofie Wauters"
    )
    next_monday = monday + timedelta(days=7)
    next_week = appointment_for(COUNSELLOR, "verhuurderspunt", next_monday, EARLY, "Brecht Claes")
    sign_in_as(page, base_url, COUNSELLOR)
    expect(page).to_have_url(re.compile(r"/medewerkers/?$"))
    page.goto(base_url + "/medewerkers/week")
    row = page.locator(f"[data-reference='{this_week}']")
    expect(row).to_contain_text("Sofie Wauters")
    expect(row).to_contain_text("07:05")
    expect(row).to_contain_text("Gepland")
    expect(row).not_to_contain_text("Een vraag die de week niet toont")
    day = page.locator(f"[data-day='{later_this_week.isoformat()}']")
    expect(day.get_by_role("heading")).to_contain_text(re.compile(r"\d+ afspra(ak|ken)"))
    expect(page.locator(f"[data-reference='{next_week}']")).to_have_count(0)
    assert_accessible(page)

    page.locator("#next-week").click()
    expect(page.locator(f"[data-reference='{next_week}']")).to_contain_text("Brecht Claes")
    expect(page.locator(f"[data-reference='{this_week}']")).to_have_count(0)
    expect(page.locator("#week-label")).to_contain_text(f"maandag {next_monday.day}")
    assert_accessible(page)
    page.locator("#previous-week").click()
    expect(page.locator(f"[data-reference='{this_week}']")).to_be_visible()


def test_a_team_lead_sees_a_services_day_with_both_counsellors(page: Page, base_url: str) -> None:
    today = local_today()
    # 07:05 is outside opening hours: no booking test can have taken that time.
    first = appointment_for("Jonas Maes", "mobiliteitsbedrijf", today, EARLY, "Ilse Peeters")
    second = appointment_for("Elif Yilmaz", "mobiliteitsbedrijf", today, EARLY, "Youssef Amrani")
    sign_in_as(page, base_url, MANAGER_ADMIN)
    expect(page).not_to_have_url(re.compile(r"/aanmelden"))
    page.goto(base_url + "/medewerkers/team")
    expect(page.locator("#team-service")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Dienst").select_option(label="Mobiliteitsbedrijf")
    page.get_by_label("Datum").fill(today.isoformat())
    page.locator("#team-show").click()
    table = page.locator("#team-day-table")
    expect(table.locator("caption")).to_contain_text("Mobiliteitsbedrijf")
    first_row = table.locator(f"[data-reference='{first}']")
    second_row = table.locator(f"[data-reference='{second}']")
    expect(first_row).to_contain_text("Jonas Maes")
    expect(first_row).to_contain_text("Ilse Peeters")
    expect(second_row).to_contain_text("Elif Yilmaz")
    expect(second_row).to_contain_text("Youssef Amrani")
    expect(second_row).to_contain_text("Bezig: de link wordt gemaakt")
    assert_accessible(page)

    page.get_by_label("Datum").fill("1999-01-01")
    page.locator("#team-show").click()
    expect(page.locator("#team-problem")).to_contain_text("geldige datum")
    expect(page.get_by_label("Datum")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Datum")).to_have_value("1999-01-01")
    assert_accessible(page)


def test_the_team_grid_shades_hours_and_leave_and_moves_by_keyboard(
    page: Page, base_url: str
) -> None:
    # A day far ahead, beyond what the booking tests book: two calls, and leave for one of them.
    day = local_today() + timedelta(days=300)
    day += timedelta(days=(7 - day.weekday()) % 7)  # a Monday: both counsellors are open
    first = appointment_for("Jonas Maes", "mobiliteitsbedrijf", day, time(10, 0), "Ilse Grid")
    second = appointment_for("Elif Yilmaz", "mobiliteitsbedrijf", day, time(10, 0), "Omar Grid")
    with session_scope() as session:
        elif_id = session.exec(
            select(StaffMember.id).where(StaffMember.email == demo_email("Elif Yilmaz"))
        ).one()
        leave = AvailabilityException(
            organisation_id=session.exec(select(Service.organisation_id)).first(),
            staff_id=elif_id,
            start_at=datetime.combine(day, time(14, 0), TZ),
            end_at=datetime.combine(day, time(16, 0), TZ),
        )
        session.add(leave)
        session.commit()
        leave_id = leave.id
    try:
        sign_in_as(page, base_url, MANAGER_ADMIN)
        expect(page).not_to_have_url(re.compile(r"/aanmelden"))
        page.goto(base_url + "/medewerkers/team")
        expect(page.locator("#team-service")).to_be_visible()
        page.get_by_label("Dienst").select_option(label="Mobiliteitsbedrijf")
        page.get_by_label("Datum").fill(day.isoformat())
        page.locator("#team-show").click()
        grid = page.locator("#team-grid")
        expect(grid.locator(f"a.cal-block[data-block='{first}']")).to_contain_text("Ilse Grid")
        # A column per counsellor of the service, each shaded with their Monday hours.
        elif_column, jonas_column = (
            grid.locator(".cal-col", has=page.locator(".cal-col-head", has_text=name))
            for name in ("Elif Yilmaz", "Jonas Maes")
        )
        for column in (elif_column, jonas_column):
            expect(column.locator(".cal-open")).to_have_count(2)  # morning and afternoon
        expect(elif_column.locator(".cal-away")).to_have_count(1)
        expect(jonas_column.locator(".cal-away")).to_have_count(0)
        expect(page.locator("#team-grid-hint")).to_contain_text("volgende medewerker")
        assert_accessible(page)

        # From Elif's call to Jonas's with the arrow key, then to its row in the table.
        page.locator(f"a.cal-block[data-block='{second}']").focus()
        page.keyboard.press("ArrowRight")
        block = page.locator(f"a.cal-block[data-block='{first}']")
        expect(block).to_be_focused()
        page.keyboard.press("ArrowLeft")
        expect(page.locator(f"a.cal-block[data-block='{second}']")).to_be_focused()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        row = page.locator(f"#row-{first}")
        expect(row).to_be_focused()
        expect(row).to_contain_text("Jonas Maes")
    finally:
        with session_scope() as session:
            session.delete(session.get(AvailabilityException, leave_id))
            session.commit()
