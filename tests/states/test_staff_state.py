"""Every public handler of the staff states, called without a session or for someone else's
appointment, is refused and changes nothing."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import (
    Appointment,
    AppointmentStatus,
    AuditEntry,
    Job,
    MeetingState,
    StaffMember,
)
from balie.services.booking import manage_token_for, new_reference, token_hash
from balie.services.demo_data import demo_email, load_demo_data
from balie.services.staff import staff_auth
from balie.states.sign_in import SignInPageState
from balie.states.staff import StaffState

HOSTILE: list[Any] = [None, 0, -1, "999999", "x", {}, [], True, 10**12]


def staff(session: Session, name: str) -> StaffMember:
    """A demo staff member."""
    email = demo_email(name)
    return session.exec(select(StaffMember).where(StaffMember.email == email)).one()


def appointment_for(
    session: Session, member: StaffMember, minutes_ago: int, start: datetime | None = None
) -> Appointment:
    """An appointment of ``member`` that started ``minutes_ago`` minutes ago (or at ``start``)."""
    from balie.models import StaffService, Topic

    service_id = session.exec(
        select(StaffService.service_id).where(StaffService.staff_id == member.id)
    ).first()
    start = start or utcnow() - timedelta(minutes=minutes_ago)
    reference = new_reference()
    appointment = Appointment(
        reference=reference,
        organisation_id=member.organisation_id,
        service_id=service_id,
        topic_id=session.exec(select(Topic.id).where(Topic.service_id == service_id)).first(),
        staff_id=member.id,
        start_at=start,
        end_at=start + timedelta(minutes=20),
        busy_until=start + timedelta(minutes=25),
        citizen_name="Burger",
        manage_token_hash=token_hash(manage_token_for(reference, "s")),
    )
    session.add(appointment)
    session.commit()
    return appointment


def state_with_cookie(token: str) -> StaffState:
    """A staff state on a connection that carries ``token`` in its cookie header."""
    state = StaffState(_reflex_internal_init=True)
    state.router = RouterData.from_router_data({"headers": {"cookie": f"balie_staff={token}"}})
    return state


def test_public_handlers_are_exactly_these() -> None:
    assert sorted(StaffState.event_handlers) == [
        "check_documents",
        "choose_time",
        "close_follow_up",
        "close_upload",
        "confirm_follow_up",
        "confirm_identity",
        "earlier_days",
        "later_days",
        "load",
        "mark_no_show",
        "open_upload",
        "other_time",
        "refresh",
        "retry_meeting",
        "save_outcome",
        "setvar",
        "show_day",
        "start_follow_up",
        "upload_documents",
    ]
    assert sorted(SignInPageState.event_handlers) == ["load", "setvar"]


@pytest.mark.parametrize("token", ["", "not-a-session", "x" * 5000])
def test_without_a_valid_session_every_handler_is_refused(
    session: Session, app_database: Engine, token: str
) -> None:
    load_demo_data(session)
    appointment = appointment_for(session, staff(session, "Lotte Claeys"), minutes_ago_today(30))
    state = state_with_cookie(token)
    state.rows = []
    redirect = StaffState.load.fn(state)
    assert redirect is not None and state.rows == [] and state.display_name == ""
    StaffState.refresh.fn(state)
    StaffState.save_outcome.fn(
        state, {"appointment_id": appointment.id, "outcome": "resolved", "note": "x"}
    )
    StaffState.mark_no_show.fn(state, appointment.id)
    StaffState.retry_meeting.fn(state, appointment.id)
    StaffState.start_follow_up.fn(state, appointment.id)
    # A stale page that still holds a chosen follow-up time books nothing without a session.
    state.follow_up_id, state.follow_up_start = appointment.id, appointment.start_at.isoformat()
    asyncio.run(StaffState.confirm_follow_up.fn(state))
    session.expire_all()
    stored = session.get(Appointment, appointment.id)
    assert stored.status == AppointmentStatus.BOOKED and stored.outcome is None
    assert stored.meeting_state == MeetingState.PENDING
    assert len(session.exec(select(Appointment)).all()) == 1


@pytest.mark.parametrize("value", HOSTILE)
def test_someone_elses_appointment_cannot_be_touched(
    session: Session, app_database: Engine, value: Any
) -> None:
    load_demo_data(session)
    lotte, other = staff(session, "Lotte Claeys"), staff(session, "Jonas Maes")
    mine = appointment_for(session, lotte, minutes_ago_today(30))
    theirs = appointment_for(session, other, minutes_ago_today(30))
    theirs.meeting_state = MeetingState.FAILED  # a retry would be allowed for Jonas himself
    lotte.password_hash = staff_auth.hash_password("een-lang-wachtwoord")
    session.commit()
    _member, token = staff_auth.sign_in_local(
        session, lotte.email, "een-lang-wachtwoord", "127.0.0.1", utcnow()
    )
    state = state_with_cookie(token)
    StaffState.load.fn(state)
    assert [row.appointment_id for row in state.rows] == [mine.id]
    for target in (theirs.id, value):
        StaffState.save_outcome.fn(
            state, {"appointment_id": target, "outcome": "resolved", "note": ""}
        )
        StaffState.mark_no_show.fn(state, target)
        StaffState.retry_meeting.fn(state, target)
        StaffState.start_follow_up.fn(state, target)
        assert state.follow_up_id == 0
        StaffState.choose_time.fn(state, target)
        assert state.follow_up_start == ""
    StaffState.save_outcome.fn(state, {"appointment_id": mine.id, "outcome": "hacked"})
    session.expire_all()
    assert session.get(Appointment, theirs.id).status == AppointmentStatus.BOOKED
    assert session.get(Appointment, theirs.id).meeting_state == MeetingState.FAILED
    assert session.get(Appointment, mine.id).status == AppointmentStatus.BOOKED
    StaffState.save_outcome.fn(state, {"appointment_id": mine.id, "outcome": "resolved"})
    session.expire_all()
    assert session.get(Appointment, mine.id).outcome == "resolved"


def minutes_ago_today(minutes: int) -> int:
    """``minutes``, or fewer so that the start stays on today's local date (just after 0:00)."""
    local = utcnow().astimezone(ZoneInfo("Europe/Brussels"))
    return min(minutes, local.hour * 60 + local.minute)


def signed_in(session: Session, name: str) -> StaffState:
    """A staff state for ``name`` with a fresh session, after opening today's page."""
    member = staff(session, name)
    member.password_hash = staff_auth.hash_password("een-lang-wachtwoord")
    session.commit()
    _member, token = staff_auth.sign_in_local(
        session, member.email, "een-lang-wachtwoord", "127.0.0.1", utcnow()
    )
    state = state_with_cookie(token)
    StaffState.load.fn(state)
    return state


def with_citizen(session: Session, appointment: Appointment, **changes: Any) -> Appointment:
    """Give the appointment a citizen's details (and any other ``changes``)."""
    appointment.citizen_email = "kaat@example.be"
    appointment.language = "en"
    appointment.question = "Mag ik verhuren?"
    for name, value in changes.items():
        setattr(appointment, name, value)
    session.add(appointment)
    session.commit()
    return appointment


def test_rows_show_words_not_codes(session: Session, app_database: Engine) -> None:
    load_demo_data(session)
    mine = with_citizen(
        session, appointment_for(session, staff(session, "Lotte Claeys"), minutes_ago_today(30))
    )
    state = signed_in(session, "Lotte Claeys")
    row = state.rows[0]
    assert (row.status_key, row.outcome_key, row.language_key, row.meeting_key) == (
        "status_booked",
        "",
        "language_en",
        "work_meeting_pending",
    )
    assert (row.can_retry, row.can_follow_up) == (False, False)
    StaffState.save_outcome.fn(state, {"appointment_id": mine.id, "outcome": "follow_up"})
    row = state.rows[0]
    assert (row.status_key, row.outcome_key, row.can_follow_up) == (
        "status_completed",
        "outcome_follow_up",
        True,
    )


def test_opening_the_page_is_audited_and_the_refresh_is_not(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    appointment_for(session, staff(session, "Lotte Claeys"), minutes_ago_today(30))
    state = signed_in(session, "Lotte Claeys")
    for _ in range(3):
        StaffState.refresh.fn(state)
    actions = session.exec(select(AuditEntry.action)).all()
    assert actions.count("read_day_list") == 1


def test_retry_a_failed_link(session: Session, app_database: Engine) -> None:
    load_demo_data(session)
    lotte = staff(session, "Lotte Claeys")
    mine = with_citizen(
        session, appointment_for(session, lotte, 0), meeting_state=MeetingState.FAILED
    )
    state = signed_in(session, "Lotte Claeys")
    assert state.rows[0].can_retry and state.rows[0].meeting_key == "work_meeting_failed"
    StaffState.retry_meeting.fn(state, str(mine.id))
    assert state.message == "work_retry_started"
    assert state.rows[0].meeting_key == "work_meeting_pending" and not state.rows[0].can_retry
    session.expire_all()
    assert session.get(Appointment, mine.id).meeting_state == MeetingState.PENDING
    kinds = session.exec(select(Job.kind).where(Job.appointment_id == mine.id)).all()
    assert sorted(kinds) == ["mail.confirmation", "meeting.create"]
    StaffState.retry_meeting.fn(state, mine.id)  # pending now: nothing to retry
    assert state.message == "work_retry_refused"
    assert len(session.exec(select(Job).where(Job.appointment_id == mine.id)).all()) == 2


def test_follow_up_in_one_step(session: Session, app_database: Engine) -> None:
    load_demo_data(session)
    lotte = staff(session, "Lotte Claeys")
    mine = with_citizen(session, appointment_for(session, lotte, minutes_ago_today(30)))
    state = signed_in(session, "Lotte Claeys")
    StaffState.start_follow_up.fn(state, mine.id)  # not completed yet
    assert state.follow_up_id == 0 and state.message == "work_follow_up_refused"
    StaffState.save_outcome.fn(state, {"appointment_id": mine.id, "outcome": "follow_up"})
    StaffState.start_follow_up.fn(state, mine.id)
    assert state.follow_up_id == mine.id and state.days and state.times
    StaffState.choose_time.fn(state, "2020-01-01T09:00:00+00:00")  # not offered
    assert state.follow_up_start == ""
    chosen = state.times[0]
    StaffState.choose_time.fn(state, chosen.start)
    assert state.follow_up_start == chosen.start and state.follow_up_label["nl"]
    asyncio.run(StaffState.confirm_follow_up.fn(state))
    assert state.follow_up_id == 0 and state.booked_for_id == mine.id
    session.expire_all()
    new = session.exec(
        select(Appointment).where(Appointment.reference == state.booked_reference)
    ).one()
    assert (new.citizen_email, new.language, new.staff_id) == ("kaat@example.be", "en", lotte.id)
    assert new.question == f"Vervolg op {mine.reference}: Mag ik verhuren?"
    assert new.start_at.isoformat() == chosen.start
    assert session.exec(select(Job).where(Job.appointment_id == new.id)).all()
    actions = session.exec(select(AuditEntry.action)).all()
    assert actions.count("book_follow_up") == 1
    # Confirming again (a stale double click) books nothing more.
    asyncio.run(StaffState.confirm_follow_up.fn(state))
    session.expire_all()
    assert len(session.exec(select(Appointment)).all()) == 2


def test_a_follow_up_time_taken_meanwhile_offers_the_times_again(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    lotte = staff(session, "Lotte Claeys")
    mine = with_citizen(session, appointment_for(session, lotte, minutes_ago_today(30)))
    state = signed_in(session, "Lotte Claeys")
    StaffState.save_outcome.fn(state, {"appointment_id": mine.id, "outcome": "follow_up"})
    StaffState.start_follow_up.fn(state, mine.id)
    chosen = state.times[0]
    StaffState.choose_time.fn(state, chosen.start)
    # Both counsellors of the service get booked at that time by others.
    for name in ("Lotte Claeys", "Karim Bouzid"):
        appointment_for(session, staff(session, name), 0, datetime.fromisoformat(chosen.start))
    asyncio.run(StaffState.confirm_follow_up.fn(state))
    assert state.follow_up_notice == "work_follow_up_taken"
    assert state.follow_up_id == mine.id and state.follow_up_start == ""
    assert chosen.start not in [time.start for time in state.times]


def test_the_countdown_to_the_next_call_rounds_up_to_whole_minutes() -> None:
    from datetime import UTC, datetime, timedelta

    from balie.states.staff import countdown

    now = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert countdown(now + timedelta(minutes=24, seconds=10), now) == {
        "nl": "over 25 min",
        "en": "in 25 min",
    }
    assert countdown(now + timedelta(minutes=65), now)["nl"] == "over 1 u 5 min"
    assert countdown(now - timedelta(minutes=1), now)["en"] == "in 0 min"
