"""The counsellor's day: own list, team list, week, outcomes and no-shows, all audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from balie.models import (
    Appointment,
    AppointmentStatus,
    AuditEntry,
    Organisation,
    Outcome,
    Service,
    StaffMember,
)
from balie.services import booking, staff_day
from balie.services.booking import BookingRequest, NotChangeable
from balie.services.catalogue import get_organisation
from balie.services.demo_data import demo_email, load_demo_data
from balie.services.validation import CitizenDetails

NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
# Monday 30 March 2026, the day after the switch to summer time: 09:00 in Ghent is 07:00 UTC.
MONDAY_NINE = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
MONDAY = date(2026, 3, 30)
AFTER_CALL = MONDAY_NINE + timedelta(minutes=30)


@pytest.fixture
def gent(session: Session) -> Organisation:
    """Demo data loaded; the organisation Stad Gent."""
    load_demo_data(session)
    return get_organisation(session, "gent")


def book(
    session: Session, gent: Organisation, start: datetime, name: str = "Jan Peeters"
) -> Appointment:
    """A GAS-boetes appointment (20 minutes; Marie Dubois or Stijn Willems)."""
    details = CitizenDetails(name, "jan@example.be", None, "nl", "Over mijn boete", True)
    request = BookingRequest("gas-boetes", "vraag-boete", start, details)
    return booking.book(
        session, gent, request, meeting_provider="jitsi", secret_key="s", now=NOW
    ).appointment


def staff_named(session: Session, name: str) -> StaffMember:
    """A demo staff member by display name."""
    email = demo_email(name)
    return session.exec(select(StaffMember).where(StaffMember.email == email)).one()


@pytest.fixture
def monday(session: Session, gent: Organisation) -> dict[str, Appointment]:
    """Four GAS-boetes appointments on Monday (two per counsellor) and one on Tuesday."""
    booked = {
        "nine_a": book(session, gent, MONDAY_NINE, "Ann"),
        "nine_b": book(session, gent, MONDAY_NINE, "Bert"),
        "half_a": book(session, gent, MONDAY_NINE + timedelta(minutes=25), "Carla"),
        "half_b": book(session, gent, MONDAY_NINE + timedelta(minutes=25), "Dirk"),
        "tuesday": book(session, gent, MONDAY_NINE + timedelta(days=1), "Eva"),
    }
    return booked


def owner(session: Session, appointment: Appointment) -> StaffMember:
    """The staff member assigned to the appointment."""
    return session.get(StaffMember, appointment.staff_id)


def audit_actions(session: Session) -> list[tuple[str, int | None, int | None]]:
    """(action, staff id, target id) of every audit entry, oldest first."""
    entries = session.exec(select(AuditEntry).order_by(AuditEntry.id))
    return [(entry.action, entry.staff_id, entry.target_id) for entry in entries]


def test_day_rows_are_own_appointments_without_cancelled(
    session: Session, monday: dict[str, Appointment]
) -> None:
    counsellor = owner(session, monday["nine_a"])
    own = [a for a in monday.values() if a.staff_id == counsellor.id and a.start_at.day == 30]
    booking.cancel(session, own[-1], now=NOW)
    rows = staff_day.day_rows(session, counsellor, MONDAY)
    assert [row.appointment_id for row in rows] == [own[0].id]
    assert all(row.status == "booked" for row in rows)


def test_day_rows_show_local_time_across_the_dst_switch(
    session: Session, monday: dict[str, Appointment]
) -> None:
    counsellor = owner(session, monday["nine_a"])
    rows = staff_day.day_rows(session, counsellor, MONDAY)
    first = rows[0]
    assert first.time_label == "09:00–09:20"
    assert rows[1].time_label == "09:25–09:45"
    assert first.start == MONDAY_NINE and first.start.utcoffset() == timedelta(hours=2)
    assert first.service_name == "GAS-boetes"
    assert first.topic_name == "Een vraag over je boete"
    assert first.preparation.startswith("Houd de brief")
    assert (first.language, first.question, first.meeting_state) == (
        "nl",
        "Over mijn boete",
        "pending",
    )
    assert (first.outcome, first.staff_note, first.join_url) == ("", "", "")
    assert staff_day.day_rows(session, counsellor, MONDAY - timedelta(days=1)) == []


def test_day_rows_in_english(session: Session, monday: dict[str, Appointment]) -> None:
    rows = staff_day.day_rows(session, owner(session, monday["nine_a"]), MONDAY, "en")
    assert rows[0].service_name == "Administrative fines (GAS)"
    assert rows[0].topic_name == "A question about your fine"
    assert rows[0].preparation.startswith("Have the letter")


def test_reading_lists_is_audited(session: Session, monday: dict[str, Appointment]) -> None:
    counsellor = owner(session, monday["nine_a"])
    staff_day.day_rows(session, counsellor, MONDAY)
    staff_day.week_rows(session, counsellor, MONDAY)
    entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.staff_id) for e in entries] == [
        ("read_day_list", counsellor.id),
        ("read_week_list", counsellor.id),
    ]
    assert entries[0].detail == {"day": "2026-03-30", "count": 2}
    assert entries[0].organisation_id == counsellor.organisation_id


def test_week_rows_group_own_appointments_per_day(
    session: Session, monday: dict[str, Appointment]
) -> None:
    counsellor = owner(session, monday["tuesday"])
    week = staff_day.week_rows(session, counsellor, MONDAY + timedelta(days=2))  # a Wednesday
    assert list(week) == [MONDAY + timedelta(days=n) for n in range(7)]
    assert len(week[MONDAY]) == 2
    assert [row.appointment_id for row in week[MONDAY + timedelta(days=1)]] == [
        monday["tuesday"].id
    ]
    assert all(not rows for day, rows in week.items() if day.weekday() > 1)


def test_team_rows_for_members_and_managers(
    session: Session, gent: Organisation, monday: dict[str, Appointment]
) -> None:
    service = session.get(Service, monday["nine_a"].service_id)
    for name in ("Marie Dubois", "Stijn Willems", "Els Van Acker"):
        rows = staff_day.team_rows(session, staff_named(session, name), service.id, MONDAY)
        assert len(rows) == 4
        assert [row.start for row in rows] == sorted(row.start for row in rows)
    assert [action for action, *_ in audit_actions(session)] == ["read_team_list"] * 3


def test_team_rows_refuse_other_services_and_agents(
    session: Session, gent: Organisation, monday: dict[str, Appointment]
) -> None:
    service_id = monday["nine_a"].service_id
    for name in ("Sara De Smet", "Gentinfo Medewerker"):
        with pytest.raises(PermissionError):
            staff_day.team_rows(session, staff_named(session, name), service_id, MONDAY)
    with pytest.raises(LookupError):
        staff_day.team_rows(session, staff_named(session, "Els Van Acker"), 999_999, MONDAY)
    assert audit_actions(session) == []


def test_service_ids_of(session: Session, gent: Organisation) -> None:
    sara = staff_named(session, "Sara De Smet")
    energie = session.exec(select(Service).where(Service.slug == "energiecentrale")).one()
    assert staff_day.service_ids_of(session, sara) == {energie.id}
    assert staff_day.service_ids_of(session, staff_named(session, "Els Van Acker")) == set()


def test_record_outcome_by_the_assigned_counsellor(
    session: Session, monday: dict[str, Appointment]
) -> None:
    appointment = monday["nine_a"]
    counsellor = owner(session, appointment)
    done = staff_day.record_outcome(
        session,
        counsellor,
        appointment.id,
        "follow_up",
        " Belt\x00 terug\r\nvolgende week \x1b",
        AFTER_CALL,
    )
    assert done.status == AppointmentStatus.COMPLETED
    assert done.outcome == Outcome.FOLLOW_UP
    assert done.staff_note == "Belt terug\nvolgende week"
    assert done.completed_at == AFTER_CALL
    assert audit_actions(session) == [("record_outcome", counsellor.id, appointment.id)]
    rows = staff_day.day_rows(session, counsellor, MONDAY)
    assert (rows[0].status, rows[0].outcome) == ("completed", "follow_up")


def test_correcting_an_outcome_keeps_the_completion_time(
    session: Session, monday: dict[str, Appointment]
) -> None:
    appointment = monday["nine_a"]
    colleague = next(
        staff_named(session, name)
        for name in ("Marie Dubois", "Stijn Willems")
        if staff_named(session, name).id != appointment.staff_id
    )
    staff_day.record_outcome(
        session, owner(session, appointment), appointment.id, "resolved", "", AFTER_CALL
    )
    fixed = staff_day.record_outcome(
        session, colleague, appointment.id, "referred", "Naar OOG", AFTER_CALL + timedelta(hours=1)
    )
    assert (fixed.outcome, fixed.staff_note, fixed.completed_at) == (
        "referred",
        "Naar OOG",
        AFTER_CALL,
    )
    manager = staff_named(session, "Els Van Acker")
    staff_day.record_outcome(session, manager, appointment.id, "in_person", "", AFTER_CALL)
    assert [action for action, *_ in audit_actions(session)] == ["record_outcome"] * 3


def test_counsellor_of_another_service_may_not_record(
    session: Session, monday: dict[str, Appointment]
) -> None:
    appointment = monday["nine_a"]
    for name in ("Sara De Smet", "Gentinfo Medewerker"):
        with pytest.raises(PermissionError):
            staff_day.record_outcome(
                session, staff_named(session, name), appointment.id, "resolved", "x", AFTER_CALL
            )
        with pytest.raises(PermissionError):
            staff_day.mark_no_show(session, staff_named(session, name), appointment.id, AFTER_CALL)
    session.expire_all()
    unchanged = session.get(Appointment, appointment.id)
    assert (unchanged.status, unchanged.outcome, unchanged.staff_note) == ("booked", None, None)
    assert unchanged.completed_at is None
    assert audit_actions(session) == []


def test_invalid_input_is_refused(session: Session, monday: dict[str, Appointment]) -> None:
    appointment = monday["nine_a"]
    counsellor = owner(session, appointment)
    for outcome in ("geweldig", "", None, 3):
        with pytest.raises(ValueError, match="outcome"):
            staff_day.record_outcome(session, counsellor, appointment.id, outcome, "", AFTER_CALL)
    with pytest.raises(ValueError, match="2000"):
        staff_day.record_outcome(
            session, counsellor, appointment.id, "resolved", "x" * 2001, AFTER_CALL
        )
    for missing in (999_999, "1", None, True):
        with pytest.raises(LookupError):
            staff_day.record_outcome(session, counsellor, missing, "resolved", "", AFTER_CALL)
        with pytest.raises(LookupError):
            staff_day.mark_no_show(session, counsellor, missing, AFTER_CALL)
    assert session.get(Appointment, appointment.id).status == AppointmentStatus.BOOKED


def test_cancelled_appointments_get_no_outcome(
    session: Session, monday: dict[str, Appointment]
) -> None:
    appointment = monday["nine_a"]
    counsellor = owner(session, appointment)
    booking.cancel(session, appointment, now=NOW)
    with pytest.raises(NotChangeable):
        staff_day.record_outcome(session, counsellor, appointment.id, "resolved", "", AFTER_CALL)
    with pytest.raises(NotChangeable):
        staff_day.mark_no_show(session, counsellor, appointment.id, AFTER_CALL)
    assert session.get(Appointment, appointment.id).status == AppointmentStatus.CANCELLED
    assert audit_actions(session) == []


def test_mark_no_show(session: Session, monday: dict[str, Appointment]) -> None:
    appointment = monday["nine_a"]
    counsellor = owner(session, appointment)
    with pytest.raises(NotChangeable):
        staff_day.mark_no_show(
            session, counsellor, appointment.id, MONDAY_NINE - timedelta(minutes=1)
        )
    gone = staff_day.mark_no_show(
        session, counsellor, appointment.id, MONDAY_NINE + timedelta(minutes=10)
    )
    assert gone.status == AppointmentStatus.NO_SHOW
    assert (gone.outcome, gone.completed_at) == (None, None)
    assert audit_actions(session) == [("mark_no_show", counsellor.id, appointment.id)]
    assert staff_day.day_rows(session, counsellor, MONDAY)[0].status == "no_show"
    # the citizen turned up late after all: the counsellor corrects it
    late = staff_day.record_outcome(session, counsellor, appointment.id, "resolved", "", AFTER_CALL)
    assert (late.status, late.completed_at) == (AppointmentStatus.COMPLETED, AFTER_CALL)
