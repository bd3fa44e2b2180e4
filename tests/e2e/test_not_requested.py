"""'Not requested by you?': the page asks first (opening it changes nothing), then cancels."""

from __future__ import annotations

import secrets
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import Appointment
from balie.services import booking
from balie.services.privacy import mail_suppression
from balie.settings import get_settings
from tests.e2e.conftest import tab_to
from tests.e2e.test_booking import assert_accessible, heading_has_focus
from tests.e2e.test_feedback import counsellors_call, local

EMAIL = "nooit-gevraagd@example.be"


def booked_in_someone_elses_name(hour: int) -> str:
    """A booking at ``hour`` (UTC, at night) three days ahead (no overlap with the demo data)."""
    start = (utcnow() + timedelta(days=3)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return counsellors_call(
        start,
        citizen_name="Klik op http://evil.example",
        citizen_email=EMAIL,
        consent_at=utcnow(),
        manage_token_hash=booking.token_hash(secrets.token_hex()),
    )


def status_of(reference: str) -> str:
    """The appointment's status in the database."""
    with session_scope() as session:
        row = session.exec(select(Appointment).where(Appointment.reference == reference)).one()
        return str(row.status)


def suppressed() -> bool:
    """Whether the address gets no more mail."""
    with session_scope() as session:
        secret = get_settings().secret_key.get_secret_value()
        return mail_suppression.is_suppressed(session, EMAIL, secret)


def test_the_page_asks_then_cancels_and_stops_the_mail_with_the_keyboard(
    page: Page, base_url: str
) -> None:
    reference = booked_in_someone_elses_name(hour=1)
    settings = get_settings()
    link = mail_suppression.page_url(
        settings.public_base_url, reference, settings.secret_key.get_secret_value()
    )
    page.goto(base_url + local(link))
    expect(page.locator("h1")).to_have_text("Niet door jou aangevraagd?")
    expect(page.locator("#reference")).to_have_text(reference)
    assert status_of(reference) == "booked" and not suppressed()  # opening changed nothing
    assert_accessible(page)

    tab_to(page, "#not-requested-confirm")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Gedaan")
    expect(page.locator("#not-requested-done")).to_contain_text("De afspraak is geannuleerd.")
    assert status_of(reference) == "cancelled" and suppressed()
    assert_accessible(page)


def test_a_wrong_link_opens_nothing(page: Page, base_url: str) -> None:
    reference = booked_in_someone_elses_name(hour=2)
    page.goto(f"{base_url}{mail_suppression.PAGE_PATH}?ref={reference}&token={'0' * 64}")
    expect(page.locator("#not-requested-invalid")).to_be_visible()
    expect(page.locator("#not-requested-confirm")).to_have_count(0)
    assert status_of(reference) == "booked"
    assert_accessible(page)
