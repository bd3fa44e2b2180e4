"""The week and team views: only for the right roles, only the services one may see, bounded
dates, and every load audited once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import Appointment, AuditEntry, Service, StaffMember, StaffService, Topic
from balie.services.booking import manage_token_for, new_reference, token_hash
from balie.services.demo_data import demo_email, load_demo_data
from balie.services.staff import staff_auth, staff_day
from balie.states.staff_views import TeamDayState, WeekState, parse_day

HOSTILE: list[Any] = [None, 0, "x", {}, [], True, 10**12, "9999-99-99", "2026-03-30x", "../"]
TZ = ZoneInfo("Europe/Brussels")
PASSWORD = "een-lang-wachtwoord"


def staff(session: Session, name: str) -> StaffMember:
    """A demo staff member."""
    email = demo_email(name)
    return session.exec(select(StaffMember).where(StaffMember.email == email)).one()


def local_today() -> date:
    """Today in Ghent."""
    return utcnow().astimezone(TZ).date()


def appointment_on(session: Session, member: StaffMember, day: date, citizen: str) -> Appointment:
    """An appointment of ``member`` at 10:00 local time on ``day``, in their first service."""
    service_id = session.exec(
        select(StaffService.service_id).where(StaffService.staff_id == member.id)
    ).first()
    start = datetime.combine(day, time(10, 0), TZ)
    reference = new_reference()
    appointment = Appointment(
        reference=reference,
        organisation_id=member.organisation_id,
        service_id=service_id,
        topic_id=session.exec(select(Topic.id).where(Topic.service_id == service_id)).first(),
        staff_id=member.id,
        start_at=start,
        end_at=start + timedelta(minutes=30),
        busy_until=start + timedelta(minutes=40),
        citizen_name=citizen,
        question="Geheime vraag",
        manage_token_hash=token_hash(manage_token_for(reference, "s")),
    )
    session.add(appointment)
    session.commit()
    return appointment


def state_for(cls: type, token: str) -> Any:
    """A state of ``cls`` on a connection that carries ``token`` in its cookie header."""
    state = cls(_reflex_internal_init=True)
    state.router = RouterData.from_router_data({"headers": {"cookie": f"balie_staff={token}"}})
    return state


def token_for(session: Session, name: str) -> str:
    """A fresh session token for the demo staff member ``name``."""
    member = staff(session, name)
    member.password_hash = staff_auth.hash_password(PASSWORD)
    session.commit()
    _member, token = staff_auth.sign_in_local(
        session, member.email, PASSWORD, "127.0.0.1", utcnow()
    )
    return token


def audit_actions(session: Session) -> list[str]:
    """The actions in the audit log, oldest first."""
    return list(session.exec(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_public_handlers_are_exactly_these() -> None:
    assert sorted(WeekState.event_handlers) == [
        "load",
        "next_week",
        "previous_week",
        "setvar",
        "this_week",
    ]
    assert sorted(TeamDayState.event_handlers) == ["load", "setvar", "show"]


def test_parse_day_accepts_only_iso_dates_within_a_year() -> None:
    today = date(2026, 3, 30)
    assert parse_day("2026-04-02", today) == date(2026, 4, 2)
    assert parse_day("2027-03-31", today) == date(2027, 3, 31)
    for value in (*HOSTILE, "2027-04-01", "2025-03-28", "02/04/2026", "2026-4-2"):
        assert parse_day(value, today) is None


# --- my week ---------------------------------------------------------------------------------


def test_week_shows_own_appointments_per_day_and_moves(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    lotte, karim = staff(session, "Lotte Claeys"), staff(session, "Karim Bouzid")
    today = local_today()
    monday = today - timedelta(days=today.weekday())
    mine = appointment_on(session, lotte, monday + timedelta(days=2), "Kaat")
    appointment_on(session, karim, monday + timedelta(days=2), "Niet van Lotte")
    later = appointment_on(session, lotte, monday + timedelta(days=8), "Volgende week")
    state = state_for(WeekState, token_for(session, "Lotte Claeys"))
    assert WeekState.load.fn(state) is None
    assert state.monday == monday.isoformat() and len(state.days) == 7
    assert [day.count for day in state.days] == [0, 0, 1, 0, 0, 0, 0]
    assert state.total == 1
    row = state.days[2].rows[0]
    assert (row.appointment_id, row.citizen_name, row.status_key) == (
        mine.id,
        "Kaat",
        "status_booked",
    )
    assert not hasattr(row, "question")
    assert state.week_label["nl"].startswith(f"Week {monday.isocalendar().week}: maandag")
    WeekState.next_week.fn(state)
    assert state.monday == (monday + timedelta(days=7)).isoformat()
    assert [r.appointment_id for day in state.days for r in day.rows] == [later.id]
    WeekState.previous_week.fn(state)
    WeekState.previous_week.fn(state)
    assert state.monday == (monday - timedelta(days=7)).isoformat() and state.total == 0
    WeekState.this_week.fn(state)
    assert state.monday == monday.isoformat()
    assert audit_actions(session) == ["week.view"] * 5
    entry = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.staff_id, entry.detail) == (lotte.id, {"day": monday.isoformat(), "count": 1})


def test_week_goes_no_further_than_a_year(session: Session, app_database: Engine) -> None:
    load_demo_data(session)
    state = state_for(WeekState, token_for(session, "Lotte Claeys"))
    WeekState.load.fn(state)
    for _ in range(60):
        WeekState.next_week.fn(state)
    last = date.fromisoformat(state.monday)
    assert last - local_today() <= timedelta(days=366)
    assert last - local_today() > timedelta(days=366 - 7)
    monday = local_today() - timedelta(days=local_today().weekday())
    moves = (local_today() + timedelta(days=366) - monday).days // 7
    assert last == monday + timedelta(weeks=moves)
    assert len(audit_actions(session)) == 1 + moves  # refused moves read nothing


def test_week_without_a_session_or_role_shows_nothing(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    appointment_on(session, staff(session, "Lotte Claeys"), local_today(), "Kaat")
    nobody = state_for(WeekState, "not-a-session")
    assert WeekState.load.fn(nobody) is not None  # to the sign-in page
    WeekState.next_week.fn(nobody)
    WeekState.this_week.fn(nobody)
    assert nobody.days == [] and nobody.total == 0
    agent = state_for(WeekState, token_for(session, "Gentinfo Medewerker"))
    assert WeekState.load.fn(agent) is None
    assert agent.access_denied and agent.days == []
    WeekState.next_week.fn(agent)
    assert agent.days == []
    assert audit_actions(session) == []


# --- a service's day -------------------------------------------------------------------------


def service_id(session: Session, slug: str) -> int:
    """The id of a demo service."""
    return session.exec(select(Service.id).where(Service.slug == slug)).one()


def test_a_counsellor_sees_their_services_day_with_both_colleagues(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    today = local_today()
    first = appointment_on(session, staff(session, "Lotte Claeys"), today, "Kaat")
    second = appointment_on(session, staff(session, "Karim Bouzid"), today, "Ahmed")
    appointment_on(session, staff(session, "Jonas Maes"), today, "Andere dienst")
    state = state_for(TeamDayState, token_for(session, "Lotte Claeys"))
    TeamDayState.load.fn(state)
    verhuur = str(service_id(session, "verhuurderspunt"))
    assert [option.value for option in state.services] == [verhuur]
    assert state.service_value == verhuur and state.day == today.isoformat()
    assert {(r.appointment_id, r.staff_name) for r in state.rows} == {
        (first.id, "Lotte Claeys"),
        (second.id, "Karim Bouzid"),
    }
    # The grid has a column per counsellor of the service, shaded with their hours and leave.
    assert [column.label["nl"] for column in state.columns] == ["Karim Bouzid", "Lotte Claeys"]
    assert [column.count for column in state.columns] == [1, 1]
    lotte = staff(session, "Lotte Claeys")
    expected = staff_day.team_availability(session, lotte, int(verhuur), today, [])
    assert [len(c.open_spans) for c in state.columns] == [len(c.opened) for c in expected]
    assert [len(c.away_spans) for c in state.columns] == [len(c.away) for c in expected]
    tomorrow = (today + timedelta(days=1)).isoformat()
    TeamDayState.show.fn(state, {"service": verhuur, "day": tomorrow})
    assert state.rows == [] and state.day == tomorrow and state.problem == ""
    assert [column.count for column in state.columns] == [0, 0]  # still both columns
    assert audit_actions(session) == ["team_day.view"] * 2


def test_team_view_refuses_other_services_and_bad_input(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    today = local_today()
    appointment_on(session, staff(session, "Jonas Maes"), today, "Andere dienst")
    state = state_for(TeamDayState, token_for(session, "Lotte Claeys"))
    TeamDayState.load.fn(state)
    shown = list(state.rows)
    verhuur = str(service_id(session, "verhuurderspunt"))
    mobility = str(service_id(session, "mobiliteitsbedrijf"))
    for value in HOSTILE:
        TeamDayState.show.fn(state, {"service": value, "day": today.isoformat()})
        assert state.problem == "work_team_bad_service"
        TeamDayState.show.fn(state, {"service": verhuur, "day": value})
        assert state.problem == "work_team_bad_day"
        TeamDayState.show.fn(state, value)
    TeamDayState.show.fn(state, {"service": mobility, "day": today.isoformat()})
    assert state.problem == "work_team_bad_service"
    far = (today + timedelta(days=400)).isoformat()
    TeamDayState.show.fn(state, {"service": verhuur, "day": far})
    assert state.problem == "work_team_bad_day"
    assert state.rows == shown and state.service_value == verhuur
    assert audit_actions(session) == ["team_day.view"]


def test_managers_choose_any_service(session: Session, app_database: Engine) -> None:
    load_demo_data(session)
    today = local_today()
    jonas = appointment_on(session, staff(session, "Jonas Maes"), today, "Mobiliteit")
    state = state_for(TeamDayState, token_for(session, "Els Van Acker"))
    TeamDayState.load.fn(state)
    all_services = session.exec(select(Service.id)).all()
    assert sorted(int(option.value) for option in state.services) == sorted(all_services)
    mobility = str(service_id(session, "mobiliteitsbedrijf"))
    TeamDayState.show.fn(state, {"service": mobility, "day": today.isoformat()})
    assert [row.appointment_id for row in state.rows] == [jonas.id]
    assert state.service_name["nl"] == "Mobiliteitsbedrijf"


@pytest.mark.parametrize("name", ["", "Gentinfo Medewerker"])
def test_team_view_without_a_session_or_role_shows_nothing(
    session: Session, app_database: Engine, name: str
) -> None:
    load_demo_data(session)
    appointment_on(session, staff(session, "Lotte Claeys"), local_today(), "Kaat")
    token = token_for(session, name) if name else "not-a-session"
    state = state_for(TeamDayState, token)
    TeamDayState.load.fn(state)
    verhuur = str(service_id(session, "verhuurderspunt"))
    TeamDayState.show.fn(state, {"service": verhuur, "day": local_today().isoformat()})
    assert state.rows == [] and state.services == [] and not state.loaded
    assert audit_actions(session) == []
