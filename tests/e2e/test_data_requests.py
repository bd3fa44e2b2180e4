"""An administrator finds, exports and erases one citizen's data; a counsellor may not."""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import Appointment, AuditEntry, Service, StaffService, Topic
from balie.services.booking import manage_token_for, new_reference, token_hash
from tests.e2e.staff_helpers import COUNSELLOR, MANAGER_ADMIN, sign_in_as
from tests.e2e.test_booking import assert_accessible

PAGE = "/beheer/gegevens"
TZ = ZoneInfo("Europe/Brussels")


def appointment_for(email: str, day_offset: int) -> str:
    """An OOG appointment of ``email`` at 03:00 local, ``day_offset`` days from today.

    03:00 lies outside every opening hour, so it never meets a booking of another test.
    """
    start_day = utcnow().astimezone(TZ).date() + timedelta(days=day_offset)
    start = datetime.combine(start_day, time(3, 0), TZ).astimezone(UTC)
    with session_scope() as session:
        service = session.exec(select(Service).where(Service.slug == "oog")).one()
        staff_id = session.exec(
            select(StaffService.staff_id).where(StaffService.service_id == service.id)
        ).first()
        reference = new_reference()
        session.add(
            Appointment(
                reference=reference,
                organisation_id=service.organisation_id,
                service_id=service.id,
                topic_id=session.exec(
                    select(Topic.id).where(Topic.service_id == service.id)
                ).first(),
                staff_id=staff_id,
                start_at=start,
                end_at=start + timedelta(minutes=45),
                busy_until=start + timedelta(minutes=55),
                status="completed" if day_offset < 0 else "booked",
                citizen_name="Burger Gegevensvraag",
                citizen_email=email,
                question="Welke gegevens hebben jullie over mij?",
                consent_at=utcnow(),
                join_url="https://meet.jit.si/DigitaleBalie-test",
                meeting_state="ready",
                manage_token_hash=token_hash(manage_token_for(reference, secrets.token_hex())),
            )
        )
        session.commit()
    return reference


def signed_in_on_the_page(page: Page, base_url: str, name: str) -> None:
    """Sign in as ``name`` and open the data requests page."""
    sign_in_as(page, base_url, name)
    expect(page).not_to_have_url(re.compile(r"/aanmelden/?$"))
    page.goto(base_url + PAGE)


def test_an_administrator_exports_and_erases_a_citizens_data(page: Page, base_url: str) -> None:
    email = f"gegevens.{secrets.token_hex(4)}@example.be"
    past = appointment_for(email, -400)
    upcoming = appointment_for(email, 60)
    signed_in_on_the_page(page, base_url, MANAGER_ADMIN)
    expect(page.get_by_role("heading", level=1)).to_have_text("Vragen over gegevens")
    assert_accessible(page)

    page.locator("#dr-search").click()
    expect(page.locator("#dr-email-error")).to_have_text("Vul een e-mailadres in.")
    expect(page.locator("#dr-email")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.get_by_label("E-mailadres van de burger").fill(email.upper())
    page.locator("#dr-search").click()
    expect(page.locator("#dr-past")).to_have_text("1")
    expect(page.locator("#dr-upcoming-count")).to_have_text("1")
    expect(page.locator(f'#dr-upcoming tr[data-reference="{upcoming}"]')).to_contain_text("OOG")
    expect(page.locator("#dr-email-error")).to_have_count(0)
    assert_accessible(page)

    with page.expect_download() as info:
        page.locator("#dr-export").click()
    download = info.value
    assert download.suggested_filename.endswith(".json")
    assert "example" not in download.suggested_filename
    export = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert export["email"] == email
    assert {item["reference"] for item in export["appointments"]} == {past, upcoming}
    expect(page.locator("#dr-message")).to_be_visible()

    page.locator("#dr-erase").click()
    expect(page.locator("#dr-problem")).to_contain_text("Vink eerst aan")
    page.get_by_label("Ik heb de export bewaard en wil de gegevens wissen").check()
    page.locator("#dr-erase").click()
    expect(page.locator("#dr-done")).to_contain_text("De gegevens zijn gewist.")
    expect(page.locator("#dr-erased-count")).to_have_text("2")
    expect(page.locator("#dr-cancelled-count")).to_have_text("1")
    assert_accessible(page)

    with session_scope() as session:
        rows = {
            row.reference: row
            for row in session.exec(
                select(Appointment).where(Appointment.reference.in_([past, upcoming]))
            ).all()
        }
        assert all(row.citizen_email is None and row.citizen_name is None for row in rows.values())
        assert rows[upcoming].status == "cancelled"
        details = [
            json.dumps(entry.detail)
            for entry in session.exec(
                select(AuditEntry).where(AuditEntry.action.like("data_request%"))
            ).all()
        ]
        assert details and all(email not in detail for detail in details)


def test_a_counsellor_gets_the_no_access_notice(page: Page, base_url: str) -> None:
    signed_in_on_the_page(page, base_url, COUNSELLOR)
    expect(page.locator("#no-access")).to_be_visible()
    expect(page.locator("#dr-email")).to_have_count(0)
    assert_accessible(page)
