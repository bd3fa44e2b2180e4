"""Every public handler of the staff states, called without a session or for someone else's
appointment, is refused and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import Appointment, AppointmentStatus, StaffMember
from balie.services import staff_auth
from balie.services.booking import manage_token_for, new_reference, token_hash
from balie.services.demo_data import demo_email, load_demo_data
from balie.states.sign_in import SignInPageState
from balie.states.staff import StaffState

HOSTILE: list[Any] = [None, 0, -1, "999999", "x", {}, [], True, 10**12]


def staff(session: Session, name: str) -> StaffMember:
    """A demo staff member."""
    email = demo_email(name)
    return session.exec(select(StaffMember).where(StaffMember.email == email)).one()


def appointment_for(session: Session, member: StaffMember, minutes_ago: int) -> Appointment:
    """An appointment of ``member`` that started ``minutes_ago`` minutes ago."""
    from balie.models import StaffService, Topic

    service_id = session.exec(
        select(StaffService.service_id).where(StaffService.staff_id == member.id)
    ).first()
    start = utcnow() - timedelta(minutes=minutes_ago)
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
        "load",
        "mark_no_show",
        "refresh",
        "save_outcome",
        "setvar",
    ]
    assert sorted(SignInPageState.event_handlers) == ["load", "setvar"]


@pytest.mark.parametrize("token", ["", "not-a-session", "x" * 5000])
def test_without_a_valid_session_every_handler_is_refused(
    session: Session, app_database: Engine, token: str
) -> None:
    load_demo_data(session)
    appointment = appointment_for(session, staff(session, "Lotte Claeys"), 30)
    state = state_with_cookie(token)
    state.rows = []
    redirect = StaffState.load.fn(state)
    assert redirect is not None and state.rows == [] and state.display_name == ""
    StaffState.refresh.fn(state)
    StaffState.save_outcome.fn(
        state, {"appointment_id": appointment.id, "outcome": "resolved", "note": "x"}
    )
    StaffState.mark_no_show.fn(state, appointment.id)
    session.expire_all()
    stored = session.get(Appointment, appointment.id)
    assert stored.status == AppointmentStatus.BOOKED and stored.outcome is None


@pytest.mark.parametrize("value", HOSTILE)
def test_someone_elses_appointment_cannot_be_touched(
    session: Session, app_database: Engine, value: Any
) -> None:
    load_demo_data(session)
    lotte, other = staff(session, "Lotte Claeys"), staff(session, "Jonas Maes")
    mine = appointment_for(session, lotte, 30)
    theirs = appointment_for(session, other, 30)
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
    StaffState.save_outcome.fn(state, {"appointment_id": mine.id, "outcome": "hacked"})
    session.expire_all()
    assert session.get(Appointment, theirs.id).status == AppointmentStatus.BOOKED
    assert session.get(Appointment, mine.id).status == AppointmentStatus.BOOKED
    StaffState.save_outcome.fn(state, {"appointment_id": mine.id, "outcome": "resolved"})
    session.expire_all()
    assert session.get(Appointment, mine.id).outcome == "resolved"
