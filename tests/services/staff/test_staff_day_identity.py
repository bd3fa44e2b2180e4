"""The counsellor and an identified call: the verified identity on the card, the one-click
confirmation (audited), and no outcome before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from balie.models import Appointment, AuditEntry, Organisation
from balie.services import booking
from balie.services.booking import BookingRequest
from balie.services.identity.signin import VerifiedPerson
from balie.services.staff import staff_day
from balie.services.validation import CitizenDetails
from balie.settings import get_settings
from tests.services.staff.test_staff_day import MONDAY, MONDAY_NINE, NOW, gent, owner  # noqa: F401
from tests.states.test_booking_identity_state import PROVIDER_ENV

PERSON = VerifiedPerson(
    level="high",
    method="itsme",
    verified_at=NOW,
    name="Jan Peeters",
    birth_date="1985-07-30",
    number_hash="ab" * 32,
    number="85073003328",
    email=None,
)


@pytest.fixture(autouse=True)
def with_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    """Identification configured."""
    for name, value in PROVIDER_ENV.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def book_identified(session: Session, gent: Organisation, person=PERSON):  # noqa: F811
    """A Burgerzaken extract (needs level high) on Monday, with the verified person."""
    details = CitizenDetails("Jan Peeters", "jan@example.be", None, "nl", None, True)
    request = BookingRequest(
        "burgerzaken", "uittreksel-attest", MONDAY_NINE, details, identity=person
    )
    return booking.book(
        session, gent, request, meeting_provider="jitsi", secret_key="s", now=NOW
    ).appointment


def test_without_identity_the_topic_cannot_be_booked(
    session: Session,
    gent: Organisation,  # noqa: F811
) -> None:
    with pytest.raises(booking.IdentificationRequired):
        book_identified(session, gent, person=None)
    low = VerifiedPerson(**{**PERSON.__dict__, "level": "substantial"})
    with pytest.raises(booking.IdentificationRequired):
        book_identified(session, gent, person=low)


def test_the_card_shows_the_verified_identity_and_masks_the_number(
    session: Session,
    gent: Organisation,  # noqa: F811
) -> None:
    appointment = book_identified(session, gent)
    staff = owner(session, appointment)
    (row,) = staff_day.day_rows(session, staff, MONDAY, audited=False)
    assert row.identity_needed and not row.identity_confirmed
    assert row.identity_line["nl"] == (
        "identiteit geverifieerd (itsme, niveau hoog) op woensdag 25 maart 2026 om 11:00"
    )
    assert row.identity_name == "Jan Peeters" and row.identity_birth_date == "1985-07-30"
    assert row.identity_number == "•••••••••28"
    (shown,) = staff_day.day_rows(session, staff, MONDAY, audited=False, number_roles=("staff",))
    assert shown.identity_number == "85073003328"


def test_no_outcome_before_the_person_is_confirmed_then_confirmed_and_audited(
    session: Session,
    gent: Organisation,  # noqa: F811
) -> None:
    appointment = book_identified(session, gent)
    staff = owner(session, appointment)
    after = MONDAY_NINE + timedelta(minutes=20)
    with pytest.raises(staff_day.IdentityNotConfirmed):
        staff_day.record_outcome(session, staff, appointment.id, "resolved", "", after)
    assert session.get(staff_day.Appointment, appointment.id).status == "booked"
    staff_day.confirm_identity(session, staff, appointment.id, MONDAY_NINE)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "confirm_identity")).one()
    assert (entry.staff_id, entry.target_id) == (staff.id, appointment.id)
    assert entry.detail == {"level": "high", "method": "itsme"}  # never who the person is
    done = staff_day.record_outcome(session, staff, appointment.id, "resolved", "", after)
    assert done.status == "completed" and done.identity_confirmed_by == staff.id


def test_a_call_without_verified_identity_cannot_be_confirmed(
    session: Session,
    gent: Organisation,  # noqa: F811
) -> None:
    details = CitizenDetails("Ann", "ann@example.be", None, "nl", None, True)
    request = BookingRequest("gas-boetes", "vraag-boete", MONDAY_NINE, details)
    plain = booking.book(
        session, gent, request, meeting_provider="jitsi", secret_key="s", now=NOW
    ).appointment
    with pytest.raises(booking.NotChangeable):
        staff_day.confirm_identity(session, owner(session, plain), plain.id, MONDAY_NINE)


@pytest.mark.parametrize(
    ("verified_at", "shown"),
    [
        (datetime(2026, 3, 28, 8, 0, tzinfo=UTC), "zaterdag 28 maart 2026 om 09:00"),  # winter
        (datetime(2026, 3, 30, 8, 0, tzinfo=UTC), "maandag 30 maart 2026 om 10:00"),  # summer
    ],
)
def test_the_identity_line_shows_brussels_time_on_both_sides_of_the_clock_change(
    verified_at: datetime, shown: str
) -> None:
    appointment = Appointment(
        identity_verified_at=verified_at, identity_level="high", identity_method="itsme"
    )
    line = staff_day.identity_line(appointment, ZoneInfo("Europe/Brussels"))
    assert line["nl"] == f"identiteit geverifieerd (itsme, niveau hoog) op {shown}"
