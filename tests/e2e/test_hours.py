"""Opening hours in the browser: a counsellor's new evening hours reach the citizen's wizard,
leave over a booked call is refused with that call listed, and an administrator cancels it."""

from __future__ import annotations

import re
import time as clock
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from playwright.sync_api import Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import Appointment, AvailabilityException, StaffMember
from balie.services.demo_data import demo_email
from tests.e2e.staff_helpers import COUNSELLOR, MANAGER_ADMIN, sign_in_as
from tests.e2e.test_booking import assert_accessible, outbox_messages
from tests.e2e.test_staff import appointment_at

TZ = ZoneInfo("Europe/Brussels")
HOURS = "/medewerkers/uren"


def working_days(count: int) -> list[date]:
    """The next ``count`` weekdays from tomorrow on that are no Belgian public holiday."""
    day, found = utcnow().astimezone(TZ).date(), []
    while len(found) < count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays.country_holidays("BE", years=day.year):
            found.append(day)
    return found


def local(day: date, hour: int) -> datetime:
    """``hour`` o'clock on ``day`` in Brussels, as an aware datetime."""
    return datetime.combine(day, time(hour), TZ)


def counsellor_leave() -> list[AvailabilityException]:
    """The counsellor's leave rows."""
    with session_scope() as session:
        me = session.exec(
            select(StaffMember).where(StaffMember.email == demo_email(COUNSELLOR))
        ).one()
        return list(
            session.exec(
                select(AvailabilityException).where(AvailabilityException.staff_id == me.id)
            ).all()
        )


def open_day_in_wizard(page: Page, day: date) -> None:
    """Press the button of ``day`` in the wizard's time step, paging on when needed."""
    button = page.locator(f".day[data-day='{day.isoformat()}']")
    expect(page.locator(".day").first).to_be_visible()
    for _ in range(10):
        if button.count():
            break
        page.locator("#later-days").click()
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")


def add_leave(page: Page, day: date, reason: str) -> None:
    """Fill in and send the leave form for the whole of ``day``."""
    page.locator("#leave-date_from").fill(day.isoformat())
    page.locator("#leave-date_until").fill(day.isoformat())
    page.locator("#leave-reason").fill(reason)
    page.locator("#leave-add").click()


def test_evening_hours_reach_the_wizard_and_leave_over_a_call_is_refused(
    page: Page, base_url: str
) -> None:
    evening_day, leave_day = working_days(2)
    sign_in_as(page, base_url, COUNSELLOR)
    expect(page).to_have_url(re.compile(r"/medewerkers/?$"))
    page.goto(base_url + HOURS)
    section = page.locator(".hours-service").first
    expect(section.get_by_role("heading")).to_contain_text("Verhuurderspunt")
    assert_accessible(page)

    weekday = section.locator(f".hours-day[data-day='{evening_day.weekday()}']")
    ranges = weekday.locator(".hours-range")
    before = ranges.count()
    weekday.locator(".add-range").click()
    expect(ranges).to_have_count(before + 1)
    added = ranges.last
    # First the wrong way round: refused, the error sits on the row, nothing typed is lost.
    added.locator("input[data-field=start]").fill("19:00")
    added.locator("input[data-field=end]").fill("18:00")
    section.locator(".save-hours").click()
    expect(page.locator("#hours-problem")).to_have_attribute("role", "alert")
    expect(added.locator(".field-error")).to_contain_text("Het einduur moet na het beginuur")
    expect(added.locator("input[data-field=start]")).to_have_attribute("aria-invalid", "true")
    expect(added.locator("input[data-field=start]")).to_have_value("19:00")
    assert_accessible(page)

    added.locator("input[data-field=start]").fill("18:00")
    added.locator("input[data-field=end]").fill("19:00")
    section.locator(".save-hours").click()
    expect(page.locator("#hours-message")).to_contain_text("De uren zijn bewaard")
    expect(ranges).to_have_count(before + 1)
    expect(page.locator(".hours-range .field-error")).to_have_count(0)
    assert_accessible(page)

    page.goto(base_url + "/boeken?dienst=verhuurderspunt")
    page.locator("[data-topic=conformiteit]").click()
    open_day_in_wizard(page, evening_day)
    expect(page.locator(".time", has_text=re.compile(r"^18:\d\d$"))).to_have_count(1)

    reference = appointment_at("Kaat Verbeke", local(leave_day, 10))
    page.goto(base_url + HOURS)
    add_leave(page, leave_day, "Opleiding")
    stranded = page.locator("#hours-stranded")
    expect(stranded).to_have_attribute("role", "alert")
    expect(stranded.locator(f"[data-reference='{reference}']")).to_contain_text("Kaat Verbeke")
    expect(stranded).to_contain_text("om 10:00")
    expect(page.locator("#confirm-cancel")).to_have_count(0)  # counsellors cannot cancel
    expect(page.locator("#leave-date_from")).to_have_value(leave_day.isoformat())
    expect(page.locator("#leave-reason")).to_have_value("Opleiding")
    assert_accessible(page)
    assert counsellor_leave() == []


def test_an_administrator_cancels_the_call_and_the_citizen_is_told(
    page: Page, base_url: str
) -> None:
    leave_day = working_days(3)[2]
    reference = appointment_at("Ahmed Benali", local(leave_day, 11))
    sign_in_as(page, base_url, MANAGER_ADMIN)
    page.goto(base_url + HOURS)
    page.locator("#hours-staff").select_option(label=COUNSELLOR)
    expect(page.get_by_role("heading", level=2, name=f"Verlof – {COUNSELLOR}")).to_be_visible()
    assert_accessible(page)

    add_leave(page, leave_day, "Ziek")
    expect(page.locator(f"#hours-stranded [data-reference='{reference}']")).to_be_visible()
    expect(page.locator("#stranded-move")).to_have_attribute("href", "/medewerkers/zoeken")
    assert_accessible(page)
    page.locator("#cancel-reason").fill("Je adviseur is ziek. Maak gerust een nieuwe afspraak.")
    page.locator("#confirm-cancel").click()
    expect(page.locator("#hours-message")).to_contain_text("De afspraken zijn geannuleerd")
    expect(page.locator("#leave-list")).to_contain_text("Ziek")
    assert_accessible(page)

    with session_scope() as session:
        stored = session.exec(select(Appointment).where(Appointment.reference == reference)).one()
        assert stored.status == "cancelled"
    deadline = clock.monotonic() + 30
    while clock.monotonic() < deadline and not outbox_messages(reference):
        clock.sleep(0.5)  # the app's worker sends the e-mail from its job
    subjects = [m["Subject"] for m in outbox_messages(reference)]
    assert any("Geannuleerd" in subject for subject in subjects), subjects
