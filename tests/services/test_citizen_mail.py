"""The personal link in e-mails survives a rotation of BALIE_SECRET_KEY."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event
from sqlmodel import Session

from balie.models import Appointment
from balie.services import booking, catalogue_cache
from balie.services.booking import manage_token_for, token_hash
from balie.services.catalogue import get_organisation
from balie.services.citizen_mail import appointment_message, manage_url
from balie.services.demo_data import load_demo_data
from balie.services.slots import free_slots
from balie.services.validation import CitizenDetails
from balie.settings import Settings

OLD, NEW = "o" * 32, "n" * 32
NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)


def test_a_booking_made_before_a_rotation_keeps_its_link() -> None:
    stored = token_hash(manage_token_for("ABC123", OLD))
    rotated = Settings(_env_file=None, secret_key=NEW, previous_secret_keys=[OLD])
    assert manage_url(rotated, "ABC123", stored).endswith(
        f"token={manage_token_for('ABC123', OLD)}"
    )


def test_new_bookings_use_the_current_secret() -> None:
    rotated = Settings(_env_file=None, secret_key=NEW, previous_secret_keys=[OLD])
    stored = token_hash(manage_token_for("XYZ789", NEW))
    expected = f"token={manage_token_for('XYZ789', NEW)}"
    assert manage_url(rotated, "XYZ789", stored).endswith(expected)
    assert manage_url(rotated, "XYZ789").endswith(expected)  # before it is stored


def test_without_the_old_secret_the_link_cannot_be_rebuilt() -> None:
    stored = token_hash(manage_token_for("ABC123", OLD))
    forgotten = Settings(_env_file=None, secret_key=NEW)
    assert manage_url(forgotten, "ABC123", stored).endswith(
        f"token={manage_token_for('ABC123', NEW)}"
    )


def pick_nl(names: dict[str, str]) -> str:
    """The Dutch name."""
    return names["nl"]


def test_an_e_mail_takes_the_names_from_the_catalogue_and_follows_a_change(
    session: Session,
) -> None:
    """No Organisation/Service/Topic queries per e-mail once the catalogue is cached."""
    load_demo_data(session)
    gent = get_organisation(session, "gent")
    service = booking.find_live_service(session, gent, "oog")
    first = free_slots(session, service, NOW.date(), (NOW + timedelta(days=14)).date(), NOW)[0]
    details = CitizenDetails("Nora", "nora@example.be", None, "nl", None, True)
    request = booking.BookingRequest("oog", "zaak-starten", first.start, details)
    appointment = booking.book(
        session, gent, request, meeting_provider="jitsi", secret_key=NEW, now=NOW
    ).appointment
    settings = Settings(_env_file=None, secret_key=NEW, organisation="gent")
    appointment_message(session, appointment, settings)  # the catalogue is read once
    session.commit()
    session.expunge_all()  # nothing left in the session that could hide a query
    appointment = session.get(Appointment, appointment.id)
    statements: list[str] = []
    bind = session.connection()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(bind, "before_cursor_execute", listener)
    try:
        message = appointment_message(session, appointment, settings)
    finally:
        event.remove(bind, "before_cursor_execute", listener)
    assert not [s for s in statements if "FROM service" in s or "FROM topic" in s]
    assert message.service_name == pick_nl(service.name)
    service.name = {**service.name, "nl": "Ons Oog"}
    session.add(service)
    catalogue_cache.changed(session)  # what every change by an administrator does
    session.commit()
    assert appointment_message(session, appointment, settings).service_name == "Ons Oog"
