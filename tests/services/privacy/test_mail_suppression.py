"""'Not requested by you?': the link cancels and suppresses; no mail goes to that address after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from balie.models import Appointment, AppointmentStatus, MailSuppression, Organisation, StaffMember
from balie.services import booking, jobs
from balie.services.catalogue import get_organisation
from balie.services.demo_data import DEMO_AGENT, demo_email, load_demo_data
from balie.services.meetings.jitsi import JitsiProvider
from balie.services.privacy import mail_suppression
from balie.services.staff import contact_centre
from balie.settings import Settings
from tests.conftest import RecordingMailer
from tests.services.test_booking import MONDAY_NINE, NOW, details, request

SETTINGS = Settings(_env_file=None, secret_key="suppression-test-secret")
SECRET = SETTINGS.secret_key.get_secret_value()
EMAIL = "jan@example.be"


@pytest.fixture
def gent(session: Session) -> Organisation:
    """Demo data loaded; the organisation Stad Gent."""
    load_demo_data(session)
    return get_organisation(session, "gent")


def book(session: Session, gent: Organisation, minutes: int = 0, **kw) -> Appointment:
    """A web booking by (or in the name of) jan@example.be, with the suite's secret."""
    return booking.book(
        session,
        gent,
        request(MONDAY_NINE + timedelta(minutes=minutes), **kw),
        meeting_provider="jitsi",
        secret_key=SECRET,
        now=NOW,
    ).appointment


def run_jobs(session: Session) -> RecordingMailer:
    """Run every due job; the e-mails sent."""
    mailer = RecordingMailer()
    context = jobs.JobContext(
        provider=JitsiProvider("https://meet.jit.si"),
        mailer=mailer,
        settings=SETTINGS,
        now=lambda: NOW,
    )
    engine = session.get_bind()
    while jobs.run_due_jobs(lambda: Session(engine, expire_on_commit=False), context, limit=50):
        pass
    return mailer


def test_the_link_needs_its_own_token(session: Session, gent: Organisation) -> None:
    appointment = book(session, gent)
    token = mail_suppression.not_requested_token(appointment.reference, SECRET)
    found = mail_suppression.find(session, appointment.reference.lower(), token, SECRET)
    assert found is not None and found.id == appointment.id
    manage_token = booking.manage_token_for(appointment.reference, SECRET)
    for wrong in (manage_token, "0" * 64, "", None, token + "x"):
        assert mail_suppression.find(session, appointment.reference, wrong, SECRET) is None
    assert mail_suppression.find(session, "AAAA-AAAA", token, SECRET) is None


def test_reporting_cancels_suppresses_and_no_mail_follows(
    session: Session, gent: Organisation
) -> None:
    appointment = book(session, gent)
    assert len(run_jobs(session).sent) == 1  # the confirmation
    assert mail_suppression.report_not_requested(session, appointment, SECRET, NOW)
    assert appointment.status == AppointmentStatus.CANCELLED
    assert run_jobs(session).sent == []  # not even the cancellation
    [row] = session.exec(select(MailSuppression)).all()
    assert EMAIL not in row.address_hash
    assert row.address_hash == mail_suppression.address_hash(" JAN@Example.be ", SECRET)
    # Clicking again only suppresses (harmless).
    assert not mail_suppression.report_not_requested(session, appointment, SECRET, NOW)
    assert len(session.exec(select(MailSuppression)).all()) == 1


def test_a_new_web_booking_of_a_suppressed_address_is_made_but_not_mailed(
    session: Session, gent: Organisation
) -> None:
    first = book(session, gent)
    mail_suppression.report_not_requested(session, first, SECRET, NOW)
    run_jobs(session)
    again = book(session, gent, minutes=50, citizen=details(email="Jan@Example.be"))
    assert again.status == AppointmentStatus.BOOKED
    assert run_jobs(session).sent == []


def test_a_booking_through_the_contact_centre_lifts_the_suppression(
    session: Session, gent: Organisation
) -> None:
    first = book(session, gent)
    mail_suppression.report_not_requested(session, first, SECRET, NOW)
    run_jobs(session)
    agent = session.exec(
        select(StaffMember).where(StaffMember.email == demo_email(DEMO_AGENT[0]))
    ).one()
    contact_centre.book_for_caller(
        session,
        agent,
        request(MONDAY_NINE + timedelta(minutes=50)),
        meeting_provider="jitsi",
        secret_key=SECRET,
        now=NOW,
    )
    assert not mail_suppression.is_suppressed(session, EMAIL, SECRET)
    assert len(run_jobs(session).sent) == 1


def test_every_appointment_mail_offers_the_link_and_one_click_headers(
    session: Session, gent: Organisation
) -> None:
    appointment = book(session, gent)
    [mail] = run_jobs(session).sent
    page = mail_suppression.page_url(SETTINGS.public_base_url, appointment.reference, SECRET)
    one_click = mail_suppression.one_click_url(
        SETTINGS.public_base_url, appointment.reference, SECRET
    )
    text = mail.get_body(("plain",)).get_content()
    assert "Niet door jou aangevraagd?" in text and f"\n{page}\n" in text
    assert mail["List-Unsubscribe"] == f"<{one_click}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert booking.manage_token_for(appointment.reference, SECRET) not in one_click
