"""The hours page's state: every handler refuses callers without a session or the right role,
and hostile arguments; counsellors only reach their own hours; edits survive errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import (
    Appointment,
    AppointmentStatus,
    AuditEntry,
    AvailabilityException,
    Job,
    OpeningHours,
    Service,
    StaffMember,
    Topic,
)
from balie.services.booking import manage_token_for, new_reference, token_hash
from balie.services.demo_data import DEMO_AGENT, DEMO_MANAGER, demo_email, load_demo_data
from balie.services.staff import staff_auth
from balie.states.hours import HoursState

TZ = ZoneInfo("Europe/Brussels")
PASSWORD = "een-lang-wachtwoord"
HOSTILE: list[Any] = [None, 0, -1, "999999", "x", {}, [], True, 10**12, "1" * 40, 1.5]


def member(session: Session, name: str) -> StaffMember:
    """A demo staff member."""
    return session.exec(select(StaffMember).where(StaffMember.email == demo_email(name))).one()


def verhuurderspunt(session: Session) -> Service:
    """Lotte's service."""
    return session.exec(select(Service).where(Service.slug == "verhuurderspunt")).one()


def working_day() -> date:
    """A weekday at least two days ahead that is no Belgian public holiday."""
    day = utcnow().astimezone(TZ).date() + timedelta(days=2)
    while day.weekday() > 4 or day in holidays.country_holidays("BE", years=day.year):
        day += timedelta(days=1)
    return day


def booked(session: Session, staff: StaffMember, day: date, hour: int) -> Appointment:
    """A booked Verhuurderspunt appointment of ``staff`` at ``hour`` local time on ``day``."""
    service = verhuurderspunt(session)
    start = datetime.combine(day, time(hour), TZ).astimezone(UTC)
    reference = new_reference()
    row = Appointment(
        reference=reference,
        organisation_id=staff.organisation_id,
        service_id=service.id,
        topic_id=session.exec(select(Topic.id).where(Topic.service_id == service.id)).first(),
        staff_id=staff.id,
        start_at=start,
        end_at=start + timedelta(minutes=30),
        busy_until=start + timedelta(minutes=40),
        citizen_name="Kaat Verbeke",
        citizen_email="kaat@example.be",
        manage_token_hash=token_hash(manage_token_for(reference, "s")),
    )
    session.add(row)
    session.commit()
    return row


def signed_in(session: Session, name: str) -> HoursState:
    """The hours state of a browser signed in as the demo staff member ``name``."""
    staff = member(session, name)
    staff.password_hash = staff_auth.hash_password(PASSWORD)
    session.commit()
    _member, token = staff_auth.sign_in_local(session, staff.email, PASSWORD, "127.0.0.1", utcnow())
    return state_with_cookie(token)


def state_with_cookie(token: str) -> HoursState:
    """An hours state on a connection that carries ``token`` in its cookie header."""
    state = HoursState(_reflex_internal_init=True)
    state.router = RouterData.from_router_data({"headers": {"cookie": f"balie_staff={token}"}})
    return state


def snapshot(session: Session) -> tuple[int, int, int, int, int]:
    """Counts that any change would alter: hours, exceptions, audit, booked calls, jobs."""
    session.expire_all()
    booked_count = select(func.count()).where(Appointment.status == AppointmentStatus.BOOKED)
    return (
        session.exec(select(func.count()).select_from(OpeningHours)).one(),
        session.exec(select(func.count()).select_from(AvailabilityException)).one(),
        session.exec(select(func.count()).select_from(AuditEntry)).one(),
        session.exec(booked_count.select_from(Appointment)).one(),
        session.exec(select(func.count()).select_from(Job)).one(),
    )


def leave_form(day: date, **extra: str) -> dict[str, str]:
    """A leave form for the whole of ``day``."""
    return {"date_from": day.isoformat(), "date_until": day.isoformat(), **extra}


def call_every_handler(state: HoursState, service_id: Any, target: Any, other: Any) -> None:
    """Call each public handler with plausible (or the given hostile) arguments."""
    HoursState.choose_staff.fn(state, target)
    HoursState.add_range.fn(state, service_id, 3)
    HoursState.set_range.fn(state, service_id, other, "start", "18:00")
    HoursState.remove_range.fn(state, service_id, other)
    HoursState.save_hours.fn(state, service_id)
    HoursState.add_leave.fn(state, leave_form(working_day()))
    HoursState.remove_leave.fn(state, other)
    HoursState.add_closure.fn(state, leave_form(working_day()))
    HoursState.remove_closure.fn(state, other)
    HoursState.confirm_cancel.fn(state, {"cancel_reason": "weg"})
    HoursState.dismiss_stranded.fn(state)


def test_public_handlers_are_exactly_these() -> None:
    assert sorted(HoursState.event_handlers) == [
        "add_closure",
        "add_leave",
        "add_range",
        "choose_staff",
        "confirm_cancel",
        "dismiss_stranded",
        "load",
        "remove_closure",
        "remove_leave",
        "remove_range",
        "save_hours",
        "set_range",
        "setvar",
    ]


@pytest.mark.parametrize("token", ["", "not-a-session", "x" * 5000])
def test_without_a_session_every_handler_is_refused(
    session: Session, app_database: Engine, token: str
) -> None:
    load_demo_data(session)
    lotte = member(session, "Lotte Claeys")
    leave = AvailabilityException(
        organisation_id=lotte.organisation_id,
        staff_id=lotte.id,
        start_at=utcnow() + timedelta(days=3),
        end_at=utcnow() + timedelta(days=4),
    )
    session.add(leave)
    session.commit()
    before = snapshot(session)
    state = state_with_cookie(token)
    assert HoursState.load.fn(state) is not None  # the redirect to sign-in
    assert state.services == [] and state.display_name == "" and not state.loaded
    call_every_handler(state, verhuurderspunt(session).id, lotte.id, leave.id)
    assert snapshot(session) == before
    assert state.services == [] and state.leave == [] and state.stranded == []


@pytest.mark.parametrize("name", [DEMO_AGENT[0]])
def test_the_wrong_role_sees_no_access_and_changes_nothing(
    session: Session, app_database: Engine, name: str
) -> None:
    load_demo_data(session)
    before = snapshot(session)
    state = signed_in(session, name)
    assert HoursState.load.fn(state) is None
    assert state.access_denied and state.services == []
    lotte = member(session, "Lotte Claeys")
    call_every_handler(state, verhuurderspunt(session).id, lotte.id, 1)
    assert snapshot(session)[:2] == before[:2] and snapshot(session)[3:] == before[3:]
    assert state.services == [] and state.staff_options == []


def test_a_counsellor_adds_an_evening_range_and_saves_it(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    state = signed_in(session, "Lotte Claeys")
    HoursState.load.fn(state)
    assert not state.is_admin and state.staff_options == [] and state.target_name == "Lotte Claeys"
    [service] = state.services
    assert service.service_id == verhuurderspunt(session).id and len(service.rows) == 10
    assert service.empty_days == [5, 6]
    HoursState.add_range.fn(state, service.service_id, 3)
    key = state.services[0].rows[-1].key
    HoursState.set_range.fn(state, service.service_id, key, "start", "18:00")
    HoursState.set_range.fn(state, service.service_id, key, "end", "19:00")
    HoursState.save_hours.fn(state, service.service_id)
    assert state.message == "hours_saved" and state.problem == ""
    session.expire_all()
    rows = session.exec(
        select(OpeningHours).where(
            OpeningHours.staff_id == member(session, "Lotte Claeys").id, OpeningHours.weekday == 3
        )
    ).all()
    assert sorted((r.start_time, r.end_time) for r in rows)[-1] == (time(18), time(19))
    assert len(state.services[0].rows) == 11


def test_a_wrong_range_is_shown_on_its_row_and_nothing_typed_is_lost(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    before = snapshot(session)
    state = signed_in(session, "Lotte Claeys")
    HoursState.load.fn(state)
    service_id = state.services[0].service_id
    HoursState.add_range.fn(state, service_id, 5)
    HoursState.add_range.fn(state, service_id, 6)
    saturday, sunday = (row.key for row in state.services[0].rows[-2:])
    HoursState.set_range.fn(state, service_id, saturday, "start", "19:00")
    HoursState.set_range.fn(state, service_id, saturday, "end", "18:00")
    HoursState.set_range.fn(state, service_id, sunday, "start", "10:00")
    HoursState.save_hours.fn(state, service_id)
    rows = {row.key: row for row in state.services[0].rows}
    assert (rows[saturday].start, rows[saturday].end) == ("19:00", "18:00")
    assert rows[sunday].error == "hours_error_time" and rows[sunday].start == "10:00"
    HoursState.set_range.fn(state, service_id, sunday, "end", "11:00")
    HoursState.save_hours.fn(state, service_id)
    rows = {row.key: row for row in state.services[0].rows}
    assert rows[saturday].error == "hours_error_order" and rows[sunday].error == ""
    assert state.problem == "hours_not_saved" and state.message == ""
    assert len(state.services[0].rows) == 12
    assert snapshot(session) == before


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_arguments_change_nothing(
    session: Session, app_database: Engine, value: Any
) -> None:
    load_demo_data(session)
    karim = member(session, "Karim Bouzid")
    theirs = AvailabilityException(
        organisation_id=karim.organisation_id,
        staff_id=karim.id,
        start_at=utcnow() + timedelta(days=3),
        end_at=utcnow() + timedelta(days=4),
    )
    session.add(theirs)
    session.commit()
    state = signed_in(session, "Lotte Claeys")
    HoursState.load.fn(state)
    before, shown = snapshot(session), [r.key for r in state.services[0].rows]
    service_id = state.services[0].service_id
    woonwijzer = session.exec(select(Service.id).where(Service.slug == "woonwijzer")).one()
    for target in (karim.id, str(karim.id), value):
        HoursState.choose_staff.fn(state, target)
    for handler_args in (
        (HoursState.add_range, (value, 3)),
        (HoursState.add_range, (service_id, value)),
        (HoursState.add_range, (woonwijzer, 3)),
        (HoursState.set_range, (value, shown[0], "start", "07:00")),
        (HoursState.set_range, (service_id, value, "start", "07:00")),
        (HoursState.set_range, (service_id, shown[0], value, "07:00")),
        (HoursState.set_range, (service_id, shown[0], "start", value)),
        (HoursState.set_range, (service_id, shown[0], "start", "0" * 5000)),
        (HoursState.remove_range, (value, shown[0])),
        (HoursState.remove_range, (service_id, value)),
        (HoursState.save_hours, (value,)),
        (HoursState.save_hours, (woonwijzer,)),
        (HoursState.add_leave, (value,)),
        (HoursState.add_leave, ({"date_from": value, "date_until": value},)),
        (HoursState.add_leave, ({"date_from": "2026-01-01", "reason": ["x"]},)),
        (HoursState.remove_leave, (value,)),
        (HoursState.remove_leave, (theirs.id,)),
        (HoursState.add_closure, (leave_form(working_day()),)),
        (HoursState.remove_closure, (value,)),
        (HoursState.confirm_cancel, (value,)),
        (HoursState.confirm_cancel, ({"cancel_reason": value},)),
    ):
        handler, args = handler_args
        handler.fn(state, *args)
    assert state.target_name == "Lotte Claeys" and state.closures == []
    assert snapshot(session)[:2] == before[:2] and snapshot(session)[3:] == before[3:]
    session.expire_all()
    assert session.get(AvailabilityException, theirs.id) is not None


def test_a_counsellors_leave_over_a_booking_is_refused_with_the_list(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    lotte = member(session, "Lotte Claeys")
    day = working_day()
    appointment = booked(session, lotte, day, 10)
    state = signed_in(session, "Lotte Claeys")
    HoursState.load.fn(state)
    before = snapshot(session)
    HoursState.add_leave.fn(state, leave_form(day, reason="Verlof"))
    assert [row.reference for row in state.stranded] == [appointment.reference]
    assert state.stranded[0].when["nl"].endswith("om 10:00")
    assert state.stranded[0].citizen_name == "Kaat Verbeke"
    HoursState.confirm_cancel.fn(state, {"cancel_reason": "Ik ben er niet"})  # not an admin
    assert snapshot(session) == before
    HoursState.dismiss_stranded.fn(state)
    assert state.stranded == []
    HoursState.add_leave.fn(state, leave_form(day, time_from="13:00", reason="Namiddag"))
    assert state.message == "hours_leave_added" and len(state.leave) == 1
    assert state.leave[0].reason == "Namiddag"
    HoursState.add_leave.fn(state, {"date_from": "morgen", "date_until": "", "time_until": "25:00"})
    assert state.leave_errors == {
        "date_from": "hours_error_date",
        "date_until": "hours_error_date",
        "time_until": "hours_error_time",
    }
    HoursState.remove_leave.fn(state, str(state.leave[0].period_id))
    assert state.message == "hours_leave_removed" and state.leave == []


def test_an_administrator_picks_a_counsellor_and_cancels_to_make_room(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    lotte = member(session, "Lotte Claeys")
    day = working_day()
    appointment = booked(session, lotte, day, 10)
    state = signed_in(session, DEMO_MANAGER[0])
    HoursState.load.fn(state)
    assert state.is_admin and "Lotte Claeys" in [o.label for o in state.staff_options]
    HoursState.choose_staff.fn(state, str(lotte.id))
    assert state.target_name == "Lotte Claeys" and state.target_id == str(lotte.id)
    HoursState.add_leave.fn(state, leave_form(day, reason="Ziek"))
    assert [row.reference for row in state.stranded] == [appointment.reference]
    HoursState.confirm_cancel.fn(state, {"cancel_reason": "   "})
    assert state.cancel_errors == {"cancel_reason": "hours_error_reason_required"}
    assert state.stranded and session.get(Appointment, appointment.id).status == "booked"
    HoursState.confirm_cancel.fn(state, {"cancel_reason": "Je adviseur is ziek."})
    assert state.message == "hours_cancelled_and_saved" and state.stranded == []
    session.expire_all()
    stored = session.get(Appointment, appointment.id)
    assert (stored.status, stored.cancel_reason) == ("cancelled", "Je adviseur is ziek.")
    kinds = {j.kind for j in session.exec(select(Job).where(Job.appointment_id == stored.id))}
    assert kinds == {"mail.cancellation", "meeting.cancel"}
    assert len(state.leave) == 1 and state.leave[0].reason == "Ziek"
    HoursState.add_closure.fn(state, leave_form(day + timedelta(days=7), reason="Feest"))
    assert state.message == "hours_closure_added" and len(state.closures) == 1
    HoursState.remove_closure.fn(state, state.closures[0].period_id)
    assert state.closures == []
    actions = [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["appointment.cancel", "leave.add", "closure.add", "closure.remove"]


def test_after_signing_out_nothing_more_can_be_changed(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    state = signed_in(session, "Lotte Claeys")
    HoursState.load.fn(state)
    service_id = state.services[0].service_id
    HoursState.add_range.fn(state, service_id, 6)
    key = state.services[0].rows[-1].key
    token = state.router.headers.cookie.split("=", 1)[1]
    staff_auth.end_session(session, token, utcnow())
    before = snapshot(session)
    HoursState.set_range.fn(state, service_id, key, "start", "10:00")
    HoursState.save_hours.fn(state, service_id)
    HoursState.add_leave.fn(state, leave_form(working_day()))
    assert snapshot(session) == before
    assert state.services == [] and state.display_name == ""
