"""The contact centre: book for a caller, find by reference and e-mail, move and cancel; audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from balie.models import (
    Appointment,
    AppointmentStatus,
    AuditEntry,
    BookingChannel,
    Organisation,
    StaffMember,
)
from balie.services import booking
from balie.services.booking import BookingRequest, NotChangeable, SlotTaken
from balie.services.catalogue import get_organisation
from balie.services.demo_data import DEMO_AGENT, DEMO_MANAGER, demo_email, load_demo_data
from balie.services.staff import contact_centre
from balie.services.validation import CitizenDetails

NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
# Monday 30 March 2026, 09:00 in Ghent (summer time): a free GAS-boetes time in the demo data.
MONDAY_NINE = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
EMAIL = "Jan.Peeters@Example.be"


@pytest.fixture
def gent(session: Session) -> Organisation:
    """Demo data loaded; the organisation Stad Gent."""
    load_demo_data(session)
    return get_organisation(session, "gent")


def staff_named(session: Session, name: str) -> StaffMember:
    """A demo staff member by display name."""
    email = demo_email(name)
    return session.exec(select(StaffMember).where(StaffMember.email == email)).one()


@pytest.fixture
def agent(session: Session, gent: Organisation) -> StaffMember:
    """The demo Gentinfo agent."""
    return staff_named(session, DEMO_AGENT[0])


def request_at(start: datetime, key: str | None = None, name: str = "Jan Peeters") -> Any:
    """A booking request for a GAS-boetes question (the channel is left at web on purpose)."""
    details = CitizenDetails(name, EMAIL, "+32470123456", "nl", "Over mijn boete", True)
    return BookingRequest("gas-boetes", "vraag-boete", start, details, idempotency_key=key)


@pytest.fixture
def booked(session: Session, agent: StaffMember) -> Appointment:
    """An appointment the agent booked for a caller."""
    return contact_centre.book_for_caller(
        session, agent, request_at(MONDAY_NINE), meeting_provider="jitsi", secret_key="s", now=NOW
    ).appointment


def entries(session: Session, action: str) -> list[AuditEntry]:
    """Audit entries with ``action``, oldest first."""
    return list(
        session.exec(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()
    )


def test_booking_for_a_caller_uses_the_contact_centre_channel_and_is_audited(
    session: Session, agent: StaffMember, booked: Appointment
) -> None:
    session.expire_all()
    stored = session.get(Appointment, booked.id)
    assert stored.channel == BookingChannel.CONTACT_CENTRE
    assert stored.consent_at == NOW and stored.citizen_email == EMAIL
    [entry] = entries(session, "appointment.book_for_citizen")
    assert (entry.staff_id, entry.target_id, entry.at) == (agent.id, booked.id, NOW)
    assert entry.detail == {"reference": booked.reference, "service": "gas-boetes"}


def test_the_same_confirmation_twice_books_once_and_audits_once(
    session: Session, agent: StaffMember
) -> None:
    first, second = (
        contact_centre.book_for_caller(
            session,
            agent,
            request_at(MONDAY_NINE, key="one-click"),
            meeting_provider="jitsi",
            secret_key="s",
            now=NOW,
        )
        for _ in range(2)
    )
    assert first.appointment.id == second.appointment.id and second.replayed
    assert len(session.exec(select(Appointment)).all()) == 1
    assert len(entries(session, "appointment.book_for_citizen")) == 1


def test_only_agents_and_admins_may_act(
    session: Session, gent: Organisation, booked: Appointment
) -> None:
    counsellor = staff_named(session, "Marie Dubois")
    admin = staff_named(session, DEMO_MANAGER[0])
    for outsider in (counsellor, None):
        with pytest.raises(PermissionError):
            contact_centre.lookup(session, outsider, booked.reference, EMAIL, NOW)
        with pytest.raises(PermissionError):
            contact_centre.book_for_caller(
                session,
                outsider,
                request_at(MONDAY_NINE + timedelta(days=1)),
                meeting_provider="jitsi",
                secret_key="s",
                now=NOW,
            )
        with pytest.raises(PermissionError):
            contact_centre.cancel_for_caller(session, outsider, booked.id, "", NOW)
        with pytest.raises(PermissionError):
            contact_centre.reschedule_for_caller(
                session, outsider, booked.id, MONDAY_NINE + timedelta(minutes=25), NOW
            )
        with pytest.raises(PermissionError):
            contact_centre.offered_services(session, outsider, NOW)
    assert session.exec(select(Appointment)).all() == [booked]
    assert session.get(Appointment, booked.id).status == AppointmentStatus.BOOKED
    assert contact_centre.lookup(session, admin, booked.reference, EMAIL, NOW).id == booked.id


def test_find_needs_both_reference_and_email(
    session: Session, gent: Organisation, booked: Appointment
) -> None:
    find = contact_centre.find_for_caller
    assert find(session, gent, booked.reference, EMAIL).id == booked.id
    assert find(session, gent, booked.reference, "") is None
    assert find(session, gent, "", EMAIL) is None
    assert find(session, gent, booked.reference, None) is None
    assert find(session, gent, None, EMAIL) is None


def test_email_case_and_a_spoken_reference_do_not_matter(
    session: Session, gent: Organisation, booked: Appointment
) -> None:
    spoken = " " + booked.reference.replace("-", " ").lower() + " "
    found = contact_centre.find_for_caller(session, gent, spoken, "  JAN.PEETERS@EXAMPLE.BE ")
    assert found is not None and found.id == booked.id
    compact = booked.reference.replace("-", "")
    assert contact_centre.find_for_caller(session, gent, compact, "jan.peeters@example.be")


@pytest.mark.parametrize(
    "hostile", [{}, [], 1, True, "x" * 10_000, "A\x00B", "%", "' OR 1=1 --", "*"]
)
def test_hostile_input_finds_nothing(
    session: Session, gent: Organisation, booked: Appointment, hostile: Any
) -> None:
    assert contact_centre.find_for_caller(session, gent, hostile, EMAIL) is None
    assert contact_centre.find_for_caller(session, gent, booked.reference, hostile) is None


def test_a_wrong_reference_and_a_wrong_email_look_the_same(
    session: Session, agent: StaffMember, booked: Appointment
) -> None:
    other = contact_centre.book_for_caller(
        session,
        agent,
        request_at(MONDAY_NINE + timedelta(minutes=25), name="Els Maes"),
        meeting_provider="jitsi",
        secret_key="s",
        now=NOW,
    ).appointment
    wrong_reference = contact_centre.lookup(session, agent, "ZZZZ-ZZZZ", EMAIL, NOW)
    wrong_email = contact_centre.lookup(session, agent, booked.reference, "els@example.be", NOW)
    # Someone else's reference with this caller's e-mail address is no match either.
    other.citizen_email = "els@example.be"
    session.add(other)
    session.commit()
    crossed = contact_centre.lookup(session, agent, other.reference, EMAIL, NOW)
    assert wrong_reference is None and wrong_email is None and crossed is None
    misses = entries(session, contact_centre.LOOKUP_ACTION)
    assert [(e.target_id, e.detail["found"]) for e in misses] == [(None, False)] * 3
    assert all("email" not in str(e.detail).lower() for e in misses)
    assert all("example" not in str(e.detail) for e in misses)


def test_every_lookup_is_audited_without_the_email(
    session: Session, agent: StaffMember, booked: Appointment
) -> None:
    found = contact_centre.lookup(session, agent, booked.reference.lower(), EMAIL.upper(), NOW)
    contact_centre.lookup(session, agent, "not a reference", EMAIL, NOW)
    assert found is not None and found.id == booked.id
    hit, miss = entries(session, contact_centre.LOOKUP_ACTION)
    assert (hit.staff_id, hit.target_id, hit.at) == (agent.id, booked.id, NOW)
    assert hit.detail == {"found": True, "reference": booked.reference}
    assert (miss.target_id, miss.detail) == (None, {"found": False, "reference": ""})


def test_repeated_misses_are_rate_limited_per_staff_member(
    session: Session, gent: Organisation, agent: StaffMember, booked: Appointment
) -> None:
    admin = staff_named(session, DEMO_MANAGER[0])
    for index in range(contact_centre.MISS_LIMIT):
        moment = NOW + timedelta(seconds=index)
        # Hits do not count as misses.
        assert contact_centre.lookup(session, agent, booked.reference, EMAIL, moment)
        assert contact_centre.lookup(session, agent, "ZZZZ-ZZZZ", EMAIL, moment) is None
    later = NOW + timedelta(minutes=1)
    for _ in range(3):
        with pytest.raises(contact_centre.LookupRateLimited):
            contact_centre.lookup(session, agent, booked.reference, EMAIL, later)
    assert len(entries(session, contact_centre.LOOKUP_REFUSED_ACTION)) == 3
    # Another agent is not held up; the refused attempts do not prolong the wait.
    assert contact_centre.lookup(session, admin, booked.reference, EMAIL, later)
    after_window = NOW + contact_centre.MISS_WINDOW + timedelta(minutes=1)
    assert contact_centre.lookup(session, agent, booked.reference, EMAIL, after_window)


def test_cancel_for_a_caller_is_audited_and_only_once(
    session: Session, agent: StaffMember, booked: Appointment
) -> None:
    contact_centre.cancel_for_caller(session, agent, booked.id, "  Ziek \x00 ", NOW)
    session.expire_all()
    stored = session.get(Appointment, booked.id)
    assert stored.status == AppointmentStatus.CANCELLED and stored.cancel_reason == "Ziek"
    with pytest.raises(NotChangeable):
        contact_centre.cancel_for_caller(session, agent, booked.id, "", NOW)
    [entry] = entries(session, "appointment.cancel")
    assert (entry.staff_id, entry.target_id) == (agent.id, booked.id)
    assert entry.detail == {"reference": booked.reference, "channel": "contact_centre"}


def test_past_appointments_cannot_be_changed(
    session: Session, agent: StaffMember, booked: Appointment
) -> None:
    after_start = MONDAY_NINE + timedelta(minutes=1)
    with pytest.raises(NotChangeable):
        contact_centre.cancel_for_caller(session, agent, booked.id, "", after_start)
    with pytest.raises(NotChangeable):
        contact_centre.reschedule_for_caller(
            session, agent, booked.id, MONDAY_NINE + timedelta(days=1), after_start
        )
    session.expire_all()
    assert session.get(Appointment, booked.id).status == AppointmentStatus.BOOKED
    assert entries(session, "appointment.cancel") == []
    assert entries(session, "appointment.reschedule") == []
    view = contact_centre.caller_view(session, session.get(Appointment, booked.id), after_start)
    assert view.can_change is False


def test_move_for_a_caller_is_audited(
    session: Session, agent: StaffMember, booked: Appointment
) -> None:
    days = contact_centre.free_days_for_move(session, agent, booked.id, NOW)
    new_start = datetime.fromisoformat(days[1].times[0].start)
    contact_centre.reschedule_for_caller(session, agent, booked.id, new_start, NOW)
    session.expire_all()
    assert session.get(Appointment, booked.id).start_at == new_start
    [entry] = entries(session, "appointment.reschedule")
    assert entry.target_id == booked.id and entry.staff_id == agent.id
    assert entry.detail["previous_start"] == MONDAY_NINE.isoformat()
    assert entry.detail["new_start"] == new_start.isoformat()
    with pytest.raises(SlotTaken):  # 09:07 is not on the grid
        contact_centre.reschedule_for_caller(
            session, agent, booked.id, MONDAY_NINE + timedelta(minutes=7), NOW
        )
    assert len(entries(session, "appointment.reschedule")) == 1


@pytest.mark.parametrize("hostile", [None, "1", 1.5, True, -1, 10**12, [], {}])
def test_an_unknown_appointment_id_is_refused(
    session: Session, agent: StaffMember, booked: Appointment, hostile: Any
) -> None:
    with pytest.raises(LookupError):
        contact_centre.cancel_for_caller(session, agent, hostile, "", NOW)
    with pytest.raises(LookupError):
        contact_centre.free_days_for_move(session, agent, hostile, NOW)


def test_erased_personal_data_can_no_longer_be_found(
    session: Session, gent: Organisation, booked: Appointment
) -> None:
    booked.citizen_email = None
    session.add(booked)
    session.commit()
    assert contact_centre.find_for_caller(session, gent, booked.reference, "") is None
    assert contact_centre.find_for_caller(session, gent, booked.reference, EMAIL) is None


def test_offered_services_and_free_days_come_from_the_slot_engine(
    session: Session, agent: StaffMember
) -> None:
    services = contact_centre.offered_services(session, agent, NOW)
    gas = next(s for s in services if s.slug == "gas-boetes")
    assert [t.slug for t in gas.topics] == ["vraag-boete", "niet-akkoord"]
    days = contact_centre.free_days(session, agent, "gas-boetes", NOW)
    assert days and days[0].times
    with pytest.raises(booking.UnknownService):
        contact_centre.free_days(session, agent, "bestaat-niet", NOW)
