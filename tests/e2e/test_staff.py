"""A counsellor signs in, sees today's list update live, records outcomes, books a follow-up
in one step and has a failed meeting link made again."""

from __future__ import annotations

import re
import secrets
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import Appointment, AppointmentStatus, Service, StaffMember
from balie.services.booking import manage_token_for, new_reference, token_hash
from balie.services.demo_data import demo_email
from tests.e2e.conftest import FAKES, JOIN_URL
from tests.e2e.staff_helpers import COUNSELLOR, PASSWORD, sign_in, with_password
from tests.e2e.test_booking import assert_accessible, outbox_messages
from tests.fakes.microsoft import unavailable

COLLEAGUE = "Karim Bouzid"  # Verhuurderspunt too: his list does not clash with Lotte's times


def counsellor_with_password() -> str:
    """Give the demo counsellor a local password; returns the e-mail address."""
    return with_password(COUNSELLOR)


def two_starts_today() -> tuple[datetime, datetime]:
    """Two starts on today's local date: the first joinable now, the second still to come.

    They are at least 41 minutes apart, so the second does not overlap the first (a call is
    busy for 40 minutes; ``appointment_at`` cancels what overlaps). Late in the evening the
    first lies further back; in the last minutes before midnight, where no call fits, this
    waits for the new day (at most four minutes).
    """
    now = utcnow().replace(second=0, microsecond=0)
    local = now.astimezone(ZoneInfo("Europe/Brussels"))
    if local.hour == 23 and local.minute >= 57:
        time.sleep((60 - local.minute) * 60 + 5)
        return two_starts_today()
    if local.hour == 0 and local.minute < 25:
        return now + timedelta(minutes=1), now + timedelta(minutes=51)
    if local.hour == 23 and local.minute >= 25:
        return now - timedelta(minutes=38), now + timedelta(minutes=3)
    return now - timedelta(minutes=20), now + timedelta(minutes=30)


def appointment_at(
    citizen: str, start: datetime, *, failed: bool = False, counsellor: str = COUNSELLOR
) -> str:
    """An appointment for the counsellor today (as if booked earlier); its reference.

    With ``failed``, making its meeting link failed for good.
    """
    email = demo_email(counsellor)
    with session_scope() as session:
        staff = session.exec(select(StaffMember).where(StaffMember.email == email)).one()
        service = session.exec(select(Service).where(Service.slug == "verhuurderspunt")).one()
        # Tests share one database: an earlier test's call at nearly the same time is cancelled,
        # so this one fits (the database refuses overlapping calls of one counsellor).
        for earlier in session.exec(
            select(Appointment).where(
                Appointment.staff_id == staff.id,
                Appointment.status != AppointmentStatus.CANCELLED,
                Appointment.start_at < start + timedelta(minutes=40),
                Appointment.busy_until > start,
            )
        ).all():
            earlier.status = AppointmentStatus.CANCELLED
            session.add(earlier)
        session.flush()
        reference = new_reference()
        session.add(
            Appointment(
                reference=reference,
                organisation_id=service.organisation_id,
                service_id=service.id,
                topic_id=_topic_id(session, service.id),
                staff_id=staff.id,
                start_at=start,
                end_at=start + timedelta(minutes=30),
                busy_until=start + timedelta(minutes=40),
                citizen_name=citizen,
                citizen_email="burger@example.be",
                language="nl",
                question="Wanneer heb ik een conformiteitsattest nodig?",
                consent_at=utcnow(),
                join_url=None if failed else "https://meet.jit.si/DigitaleBalie-test",
                meeting_state="failed" if failed else "ready",
                manage_token_hash=token_hash(manage_token_for(reference, secrets.token_hex())),
            )
        )
        session.commit()
    return reference


def book_follow_up(page: Page, card: Locator, first: str) -> None:
    """From the completed card: choose the first free time, confirm, and check the booking."""
    card.get_by_role("button", name="Vervolgafspraak boeken").click()
    expect(page.locator("#follow-up-heading")).to_be_focused()
    expect(card.locator(".time").first).to_be_visible()
    assert_accessible(page)
    card.locator(".time").first.click()
    expect(page.locator("#follow-up-confirm-heading")).to_be_focused()
    when = page.locator("#follow-up-when").inner_text()
    page.locator("#follow-up-confirm").click()
    expect(page.locator("#follow-up-booked")).to_contain_text("Vervolgafspraak geboekt")
    expect(page.locator("#follow-up-booked")).to_contain_text(when)
    assert_accessible(page)
    reference = page.locator("#follow-up-reference").inner_text()
    with session_scope() as session:
        new = session.exec(select(Appointment).where(Appointment.reference == reference)).one()
        assert new.citizen_email == "burger@example.be" and new.citizen_name == "Kaat Verbeke"
        assert new.question.startswith(f"Vervolg op {first}")
        assert (new.status, new.channel) == ("booked", "web")
    for _second in range(60):
        if outbox_messages(reference):
            break
        page.wait_for_timeout(1000)
    messages = outbox_messages(reference)
    assert messages and messages[0]["To"] == "burger@example.be"  # the address only
    assert "Bevestiging" in messages[0]["Subject"]


def test_a_failed_link_is_made_again(page: Page, base_url: str) -> None:
    email = with_password(COLLEAGUE)
    start, _later = two_starts_today()
    reference = appointment_at("Lies Martens", start, failed=True, counsellor=COLLEAGUE)
    if FAKES is not None:
        # Graph is down once more: the worker tries again after a few seconds, so the row is
        # seen while the link is being made.
        FAKES.fail("create_event", unavailable())
    sign_in(page, base_url, email, PASSWORD)
    card = page.locator(f"[data-reference='{reference}']")
    expect(card.locator(".meeting-state")).to_have_text("Mislukt")
    expect(card.get_by_role("alert")).to_contain_text("kon niet gemaakt worden")
    assert_accessible(page)
    card.get_by_role("button", name="Link opnieuw maken").click()
    expect(page.locator("#staff-message")).to_contain_text("We maken de link opnieuw")
    if FAKES is not None:
        expect(card.locator(".meeting-state")).to_have_text("Bezig: de link wordt gemaakt")
        expect(card.get_by_role("button", name="Link opnieuw maken")).to_have_count(0)
    join = card.get_by_role("link", name="Deelnemen aan het gesprek")
    expect(join).to_have_attribute("href", JOIN_URL, timeout=60_000)
    expect(card.locator(".meeting-state")).to_have_text("Klaar")
    assert_accessible(page)
    with session_scope() as session:
        stored = session.exec(select(Appointment).where(Appointment.reference == reference)).one()
        assert stored.meeting_state == "ready"


def _topic_id(session, service_id: int) -> int:
    """The first topic of the service."""
    from balie.models import Topic

    return session.exec(select(Topic.id).where(Topic.service_id == service_id)).first()


def test_without_a_session_the_staff_page_sends_you_to_sign_in(page: Page, base_url: str) -> None:
    page.goto(base_url + "/medewerkers")
    expect(page).to_have_url(re.compile(r"/medewerkers/aanmelden/?$"))
    assert_accessible(page)


def test_wrong_password_is_refused_without_saying_why(page: Page, base_url: str) -> None:
    email = counsellor_with_password()
    sign_in(page, base_url, email, "fout-wachtwoord-123")
    expect(page.locator("#sign-in-problem")).to_contain_text("klopt niet")
    assert_accessible(page)


def test_counsellor_sees_today_live_and_records_an_outcome(page: Page, base_url: str) -> None:
    email = counsellor_with_password()
    first_start, second_start = two_starts_today()
    first = appointment_at("Kaat Verbeke", first_start)
    sign_in(page, base_url, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/medewerkers/?$"))
    card = page.locator(f"[data-reference='{first}']")
    expect(card).to_contain_text("Kaat Verbeke")
    expect(card).to_contain_text("Wanneer heb ik een conformiteitsattest nodig?")
    expect(card.get_by_role("link", name="Deelnemen aan het gesprek")).to_be_visible()
    assert_accessible(page)

    second = appointment_at("Ahmed Benali", second_start)  # booked while the page is open
    expect(page.locator(f"[data-reference='{second}']")).to_contain_text(
        "Ahmed Benali", timeout=15_000
    )

    card.get_by_label("Opvolging nodig").check()
    card.locator("textarea").fill("Stuurt nog een foto van de meter.")
    card.get_by_role("button", name="Afronden").click()
    expect(card.locator(".status")).to_have_text("Afgelopen – Opvolging nodig")
    expect(card.locator(".meeting-state")).to_have_text("Klaar")
    expect(card).to_contain_text("Nederlands")
    with session_scope() as session:
        stored = session.exec(select(Appointment).where(Appointment.reference == first)).one()
        assert (stored.status, stored.outcome) == ("completed", "follow_up")
        assert stored.staff_note == "Stuurt nog een foto van de meter."

    book_follow_up(page, card, first)

    no_show = page.locator(f"[data-reference='{second}']").get_by_role("button")
    expect(no_show.filter(has_text="Niet komen opdagen")).to_be_visible()

    page.locator("#staff-sign-out").click()
    expect(page).to_have_url(re.compile(r"/medewerkers/aanmelden/?\?afgemeld=1$"))
    page.goto(base_url + "/medewerkers")
    expect(page).to_have_url(re.compile(r"/medewerkers/aanmelden/?$"))
