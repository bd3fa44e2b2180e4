"""The counsellor's day: own list, team list, week, outcomes and no-shows, all audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from balie.models import (
    Appointment,
    AppointmentStatus,
    AuditEntry,
    Job,
    JobState,
    MeetingState,
    Organisation,
    Outcome,
    Service,
    StaffMember,
)
from balie.services import booking, jobs
from balie.services.booking import BookingRequest, NotChangeable
from balie.services.catalogue import get_organisation
from balie.services.demo_data import demo_email, load_demo_data
from balie.services.meetings.jitsi import JitsiProvider
from balie.services.staff import staff_day
from balie.services.validation import CitizenDetails
from balie.settings import Settings
from tests.conftest import RecordingMailer

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
        ("week.view", counsellor.id),
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
    assert [action for action, *_ in audit_actions(session)] == ["team_day.view"] * 3


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


# --- words for the page, team services -------------------------------------------------------


def test_rows_carry_the_counsellors_name(session: Session, monday: dict[str, Appointment]) -> None:
    service_id = monday["nine_a"].service_id
    manager = staff_named(session, "Els Van Acker")
    rows = staff_day.team_rows(session, manager, service_id, MONDAY)
    assert {row.staff_name for row in rows} == {"Marie Dubois", "Stijn Willems"}
    own = staff_day.day_rows(session, owner(session, monday["nine_a"]), MONDAY)
    assert {row.staff_name for row in own} == {owner(session, monday["nine_a"]).display_name}


def test_the_today_refresh_is_not_audited_again(
    session: Session, monday: dict[str, Appointment]
) -> None:
    counsellor = owner(session, monday["nine_a"])
    first = staff_day.day_rows(session, counsellor, MONDAY)
    again = staff_day.day_rows(session, counsellor, MONDAY, audited=False)
    assert first == again
    assert [action for action, *_ in audit_actions(session)] == ["read_day_list"]


def test_team_services_per_role(session: Session, gent: Organisation) -> None:
    all_services = session.exec(select(Service).where(Service.organisation_id == gent.id)).all()
    for name in ("Els Van Acker",):
        shown = staff_day.team_services(session, staff_named(session, name))
        assert {service.id for service in shown} == {service.id for service in all_services}
    sara = staff_day.team_services(session, staff_named(session, "Sara De Smet"))
    assert [service.slug for service in sara] == ["energiecentrale"]
    assert staff_day.team_services(session, staff_named(session, "Gentinfo Medewerker")) == []
    inactive = staff_named(session, "Sara De Smet")
    inactive.active = False
    assert staff_day.team_services(session, inactive) == []


# --- retrying a failed meeting link ----------------------------------------------------------


def run_jobs(session: Session, now: datetime) -> RecordingMailer:
    """Run every job due at ``now`` on Jitsi, like the background worker."""
    mailer = RecordingMailer()
    context = jobs.JobContext(
        provider=JitsiProvider("https://meet.jit.si"),
        mailer=mailer,
        settings=Settings(_env_file=None),
        now=lambda: now,
    )
    engine = session.get_bind()
    while jobs.run_due_jobs(lambda: Session(engine, expire_on_commit=False), context, limit=50):
        pass
    return mailer


def failed_link(session: Session, appointment: Appointment) -> Appointment:
    """The appointment as if making its meeting had failed for good (confirmation sent)."""
    for found in session.exec(select(Job).where(Job.appointment_id == appointment.id)):
        if found.kind in ("meeting.create", "mail.confirmation"):
            found.state = JobState.FAILED if found.kind == "meeting.create" else JobState.DONE
            session.add(found)
    appointment.meeting_state = MeetingState.FAILED
    session.add(appointment)
    session.commit()
    return appointment


def test_retry_makes_the_link_and_mails_it(
    session: Session, monday: dict[str, Appointment]
) -> None:
    appointment = failed_link(session, monday["nine_a"])
    counsellor = owner(session, appointment)
    retried = staff_day.retry_meeting(session, counsellor, appointment.id, NOW)
    assert retried.meeting_state == MeetingState.PENDING
    keys = set(session.exec(select(Job.dedupe_key).where(Job.appointment_id == appointment.id)))
    assert f"meeting.create:{appointment.id}:retry:2" in keys
    assert f"mail.confirmation:{appointment.id}:retry:2:link" in keys
    assert audit_actions(session) == [("retry_meeting", counsellor.id, appointment.id)]
    mailer = run_jobs(session, NOW)
    stored = session.get(Appointment, appointment.id, populate_existing=True)
    assert stored.meeting_state == MeetingState.READY
    assert stored.join_url.startswith("https://meet.jit.si/DigitaleBalie-")
    bodies = [message.get_body(("plain",)).get_content() for message in mailer.sent]
    about = [body for body in bodies if appointment.reference in body]
    assert len(about) == 1 and stored.join_url in about[0]
    # It failed again later: a second retry gets its own jobs.
    failed_link(session, stored)
    stored.join_url = None
    session.add(stored)
    session.commit()
    staff_day.retry_meeting(session, counsellor, appointment.id, NOW)
    keys = set(session.exec(select(Job.dedupe_key).where(Job.appointment_id == appointment.id)))
    assert f"meeting.create:{appointment.id}:retry:3" in keys


def test_retry_only_for_failed_booked_links_from_today_on(
    session: Session, monday: dict[str, Appointment]
) -> None:
    appointment = monday["nine_a"]
    counsellor = owner(session, appointment)
    with pytest.raises(NotChangeable):  # still pending: nothing to retry
        staff_day.retry_meeting(session, counsellor, appointment.id, NOW)
    failed_link(session, appointment)
    # later that same day (after the call's time) is still allowed; the next day is not
    with pytest.raises(NotChangeable):
        staff_day.retry_meeting(
            session, counsellor, appointment.id, MONDAY_NINE + timedelta(days=1)
        )
    for name in ("Sara De Smet", "Gentinfo Medewerker"):
        with pytest.raises(PermissionError):
            staff_day.retry_meeting(session, staff_named(session, name), appointment.id, NOW)
    for missing in (999_999, "1", None, True):
        with pytest.raises(LookupError):
            staff_day.retry_meeting(session, counsellor, missing, NOW)
    staff_day.mark_no_show(session, counsellor, appointment.id, AFTER_CALL)
    audit_before = audit_actions(session)
    with pytest.raises(NotChangeable):
        staff_day.retry_meeting(session, counsellor, appointment.id, MONDAY_NINE)
    session.expire_all()
    assert session.get(Appointment, appointment.id).meeting_state == MeetingState.FAILED
    assert audit_actions(session) == audit_before
    other = failed_link(session, monday["half_a"])
    late = staff_day.retry_meeting(
        session, owner(session, other), other.id, MONDAY_NINE + timedelta(hours=8)
    )
    assert late.meeting_state == MeetingState.PENDING


# --- follow-up in one step -------------------------------------------------------------------


def completed_follow_up(session: Session, appointment: Appointment) -> Appointment:
    """The call took place and needs a follow-up."""
    return staff_day.record_outcome(
        session, owner(session, appointment), appointment.id, "follow_up", "", AFTER_CALL
    )


def follow_up(
    session: Session, staff: StaffMember, appointment: Appointment, start: datetime, key: str = "k"
) -> booking.Booked:
    """Book a follow-up of ``appointment`` at ``start``."""
    return staff_day.book_follow_up(
        session,
        staff,
        appointment.id,
        start,
        meeting_provider="jitsi",
        secret_key="s",
        idempotency_key=key,
        now=AFTER_CALL,
    )


def test_follow_up_days_are_the_first_days_with_free_times(
    session: Session, monday: dict[str, Appointment]
) -> None:
    appointment = completed_follow_up(session, monday["nine_a"])
    days = staff_day.follow_up_days(
        session, owner(session, appointment), appointment.id, AFTER_CALL
    )
    assert len(days) == staff_day.FOLLOW_UP_DAYS
    assert days[0].key >= MONDAY.isoformat()
    assert [day.key for day in days] == sorted(day.key for day in days)
    assert all(day.times for day in days)
    short = staff_day.follow_up_days(
        session, owner(session, appointment), appointment.id, AFTER_CALL, max_days=2
    )
    assert short == days[:2]


def test_follow_up_is_booked_for_the_same_citizen_with_the_same_counsellor(
    session: Session, monday: dict[str, Appointment]
) -> None:
    appointment = completed_follow_up(session, monday["nine_a"])
    appointment.citizen_phone = "+32470123456"
    appointment.language = "en"
    session.add(appointment)
    session.commit()
    counsellor = owner(session, appointment)
    # Wednesday 1 April, 09:00 in Ghent; both counsellors are free, the same one is preferred.
    start = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
    booked = follow_up(session, counsellor, appointment, start)
    new = booked.appointment
    assert not booked.replayed and new.id != appointment.id
    assert new.staff_id == appointment.staff_id
    assert (new.service_id, new.topic_id, new.start_at) == (
        appointment.service_id,
        appointment.topic_id,
        start,
    )
    assert (new.citizen_name, new.citizen_email, new.citizen_phone, new.language) == (
        "Ann",
        "jan@example.be",
        "+32470123456",
        "en",
    )
    assert new.question == f"Vervolg op {appointment.reference}: Over mijn boete"
    assert new.channel == "web" and new.status == AppointmentStatus.BOOKED
    kinds = set(session.exec(select(Job.kind).where(Job.appointment_id == new.id)))
    assert {"meeting.create", "mail.confirmation"} <= kinds
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "book_follow_up")).all()
    assert [(e.staff_id, e.target_id, e.detail) for e in entries] == [
        (counsellor.id, new.id, {"follow_up_of": appointment.id})
    ]
    again = follow_up(session, counsellor, appointment, start)  # a double click
    assert again.replayed and again.appointment.id == new.id
    assert (
        len(session.exec(select(AuditEntry).where(AuditEntry.action == "book_follow_up")).all())
        == 1
    )


def test_follow_up_goes_to_a_colleague_when_the_counsellor_is_busy(
    session: Session, gent: Organisation, monday: dict[str, Appointment]
) -> None:
    appointment = completed_follow_up(session, monday["nine_a"])
    start = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
    details = CitizenDetails("Fien", "fien@example.be", None, "nl", None, True)
    taken = booking.book(
        session,
        gent,
        BookingRequest("gas-boetes", "vraag-boete", start, details),
        meeting_provider="jitsi",
        secret_key="s",
        now=NOW,
        preferred_staff_id=appointment.staff_id,
    ).appointment
    assert taken.staff_id == appointment.staff_id
    booked = follow_up(session, owner(session, appointment), appointment, start)
    assert booked.appointment.staff_id not in (None, appointment.staff_id)


def test_follow_up_only_after_a_follow_up_outcome_and_for_the_service(
    session: Session, monday: dict[str, Appointment]
) -> None:
    appointment = monday["nine_a"]
    counsellor = owner(session, appointment)
    start = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
    with pytest.raises(NotChangeable):  # not completed yet
        follow_up(session, counsellor, appointment, start)
    staff_day.record_outcome(session, counsellor, appointment.id, "resolved", "", AFTER_CALL)
    with pytest.raises(NotChangeable):
        staff_day.follow_up_days(session, counsellor, appointment.id, AFTER_CALL)
    completed_follow_up(session, appointment)
    for name in ("Sara De Smet", "Gentinfo Medewerker"):
        with pytest.raises(PermissionError):
            follow_up(session, staff_named(session, name), appointment, start)
        with pytest.raises(PermissionError):
            staff_day.follow_up_days(session, staff_named(session, name), appointment.id, NOW)
    for missing in (999_999, "1", None, True):
        with pytest.raises(LookupError):
            staff_day.follow_up_days(session, counsellor, missing, AFTER_CALL)
    with pytest.raises(booking.SlotTaken):  # not one of the service's times
        follow_up(session, counsellor, appointment, start + timedelta(minutes=7))
    appointment.citizen_email = None  # erased after the retention period
    session.add(appointment)
    session.commit()
    with pytest.raises(NotChangeable):
        follow_up(session, counsellor, appointment, start)
    assert [a for a, *_ in audit_actions(session) if a == "book_follow_up"] == []


def test_a_long_first_question_is_cut_to_the_limit(
    session: Session, monday: dict[str, Appointment]
) -> None:
    appointment = completed_follow_up(session, monday["nine_a"])
    appointment.question = "x" * 1000
    session.add(appointment)
    session.commit()
    start = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
    new = follow_up(session, owner(session, appointment), appointment, start).appointment
    assert len(new.question) == 1000 and new.question.startswith("Vervolg op ")


def test_week_availability_shows_opening_hours_and_leave_per_day(
    session: Session, gent: Organisation
) -> None:
    from balie.models import AvailabilityException, OpeningHours

    marie = staff_named(session, "Marie Dubois")
    hours = session.exec(
        select(OpeningHours).where(OpeningHours.staff_id == marie.id, OpeningHours.weekday == 0)
    ).all()
    # Leave from Tuesday 14:00 to Wednesday 10:00 (summer time: UTC + 2); another's is not hers.
    session.add(
        AvailabilityException(
            organisation_id=gent.id,
            staff_id=marie.id,
            start_at=datetime(2026, 3, 31, 12, 0, tzinfo=UTC),
            end_at=datetime(2026, 4, 1, 8, 0, tzinfo=UTC),
        )
    )
    session.add(
        AvailabilityException(
            organisation_id=gent.id,
            staff_id=staff_named(session, "Stijn Willems").id,
            start_at=datetime(2026, 4, 2, 8, 0, tzinfo=UTC),
            end_at=datetime(2026, 4, 2, 10, 0, tzinfo=UTC),
        )
    )
    session.commit()
    week = staff_day.week_availability(session, marie, MONDAY + timedelta(days=2))
    assert list(week) == [MONDAY + timedelta(days=n) for n in range(7)]
    opened, off = week[MONDAY]
    assert hours and opened == sorted(
        {
            (datetime.combine(MONDAY, row.start_time), datetime.combine(MONDAY, row.end_time))
            for row in hours
        }
    )
    assert off == []
    assert week[date(2026, 3, 31)][1] == [(datetime(2026, 3, 31, 14), datetime(2026, 4, 1))]
    assert week[date(2026, 4, 1)][1] == [(datetime(2026, 4, 1), datetime(2026, 4, 1, 10))]
    assert week[date(2026, 4, 2)][1] == []  # Stijn's leave is not Marie's
    assert week[date(2026, 4, 5)][0] == []  # closed on Sunday


def test_phase_and_next_call_of_today(session: Session, monday: dict[str, Appointment]) -> None:
    marie = owner(session, monday["nine_a"])
    rows = staff_day.day_rows(session, marie, MONDAY)
    first, second = rows[0], rows[1]  # 09:00 and 09:25, both still booked
    assert staff_day.phase(first, MONDAY_NINE - timedelta(minutes=1)) == "upcoming"
    assert staff_day.phase(first, MONDAY_NINE) == "in_progress"
    assert staff_day.phase(first, first.end + timedelta(minutes=4)) == "in_progress"
    assert staff_day.phase(first, first.end + timedelta(minutes=6)) == "late"
    assert staff_day.next_call(rows, MONDAY_NINE - timedelta(minutes=1)) == first
    assert staff_day.next_call(rows, MONDAY_NINE) == second
    assert staff_day.next_call(rows, MONDAY_NINE + timedelta(hours=3)) is None
    staff_day.record_outcome(session, marie, first.appointment_id, "resolved", "", AFTER_CALL)
    done = staff_day.day_rows(session, marie, MONDAY)[0]
    assert staff_day.phase(done, AFTER_CALL + timedelta(hours=2)) == "done"


def test_team_availability_gives_every_counsellor_of_the_service_with_hours_and_leave(
    session: Session, gent: Organisation, monday: dict[str, Appointment]
) -> None:
    from balie.models import AvailabilityException, OpeningHours

    service_id = monday["nine_a"].service_id
    marie, stijn = staff_named(session, "Marie Dubois"), staff_named(session, "Stijn Willems")
    # Marie is away Monday 13:00-15:00 local (summer time: UTC + 2); the city closes 17:00-18:00.
    session.add(
        AvailabilityException(
            organisation_id=gent.id,
            staff_id=marie.id,
            start_at=datetime(2026, 3, 30, 11, 0, tzinfo=UTC),
            end_at=datetime(2026, 3, 30, 13, 0, tzinfo=UTC),
        )
    )
    session.add(
        AvailabilityException(
            organisation_id=gent.id,
            staff_id=None,
            start_at=datetime(2026, 3, 30, 15, 0, tzinfo=UTC),
            end_at=datetime(2026, 3, 30, 16, 0, tzinfo=UTC),
        )
    )
    session.commit()
    manager = staff_named(session, "Els Van Acker")
    rows = staff_day.team_rows(session, manager, service_id, MONDAY)
    columns = staff_day.team_availability(session, manager, service_id, MONDAY, rows)
    assert [(column.staff_id, column.name) for column in columns] == [
        (marie.id, "Marie Dubois"),
        (stijn.id, "Stijn Willems"),
    ]
    own_hours = session.exec(
        select(OpeningHours).where(
            OpeningHours.staff_id == marie.id,
            OpeningHours.service_id == service_id,
            OpeningHours.weekday == 0,
        )
    ).all()
    assert own_hours and columns[0].opened == sorted(
        {
            (datetime.combine(MONDAY, row.start_time), datetime.combine(MONDAY, row.end_time))
            for row in own_hours
        }
    )
    closure = (datetime(2026, 3, 30, 17), datetime(2026, 3, 30, 18))
    assert columns[0].away == [(datetime(2026, 3, 30, 13), datetime(2026, 3, 30, 15)), closure]
    assert columns[1].away == [closure]  # Marie's leave is not Stijn's
    sunday = MONDAY + timedelta(days=6)
    assert all(
        not c.opened for c in staff_day.team_availability(session, manager, service_id, sunday, [])
    )


def test_team_availability_adds_a_counsellor_with_a_call_outside_the_team(
    session: Session, gent: Organisation, monday: dict[str, Appointment]
) -> None:
    from balie.models import StaffService

    appointment = monday["nine_a"]
    helper = owner(session, appointment)
    link = session.get(StaffService, (helper.id, appointment.service_id))
    session.delete(link)  # left the team after the call was booked
    session.commit()
    manager = staff_named(session, "Els Van Acker")
    rows = staff_day.team_rows(session, manager, appointment.service_id, MONDAY)
    columns = staff_day.team_availability(session, manager, appointment.service_id, MONDAY, rows)
    assert helper.id in [column.staff_id for column in columns]
    assert next(c for c in columns if c.staff_id == helper.id).opened != []
