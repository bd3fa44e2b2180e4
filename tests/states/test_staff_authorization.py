"""Every public event handler of every staff state refuses a caller without a session and a
caller with the wrong role, whatever the arguments, and changes nothing in the database.

The states are found by walking the subclasses of StaffSessionState after importing every page,
so a staff state added later is covered automatically; it must also be listed in PAGE_OF_STATE,
which says which page (and so which roles) it serves.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel, select

from balie.db_types import utcnow
from balie.models import Appointment, Organisation, Role, Service, StaffService, Topic
from balie.pages import register_all
from balie.services.booking import manage_token_for, new_reference, token_hash
from balie.services.demo_data import load_demo_data
from balie.services.staff import staff_auth
from balie.states.staff_session import STAFF_PAGES, StaffSessionState, roles_for_page

# Which staff page each staff state serves (its roles come from STAFF_PAGES).
PAGE_OF_STATE: dict[str, str] = {
    "StaffState": "/medewerkers",
    "WeekState": "/medewerkers/week",
    "TeamDayState": "/medewerkers/team",
    "AgentBookingState": "/medewerkers/boeken",
    "AgentFindState": "/medewerkers/zoeken",
    "HoursState": "/medewerkers/uren",
    "DashboardState": "/statistieken",
    "CatalogueAdminState": "/beheer/catalogus",
    "StaffAdminState": "/beheer/medewerkers",
    "DataRequestsState": "/beheer/gegevens",
    "AuditState": "/beheer/audit",
    "AbuseAdminState": "/beheer/misbruik",
    "OrgSettingsState": "/beheer/organisatie",
    "PlatformState": "/platform",
}
# Tables a refused call may still touch: sessions and sign-in bookkeeping, the audit log.
NOT_COMPARED = {"staffsession", "signinattempt", "auditentry", "signinflow"}
HOSTILE: list[Any] = [None, 0, -1, True, "1", "x" * 5000, [], {}, 10**12, 1.5]
PASSWORD = "een-lang-wachtwoord-2026"


def staff_states() -> list[type[rx.State]]:
    """Every concrete state class built on StaffSessionState."""
    register_all()
    found: list[type[rx.State]] = []
    queue = list(StaffSessionState.__subclasses__())
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if issubclass(cls, rx.State) and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda cls: cls.__name__)


STATES = staff_states()


def public_handlers(cls: type[rx.State]) -> list[str]:
    """The names of the event handlers a browser can call (setvar reaches no setter here)."""
    return sorted(name for name in cls.event_handlers if name != "setvar")


def test_every_staff_state_is_known_and_every_page_has_roles() -> None:
    names = {cls.__name__ for cls in STATES}
    assert "StaffState" in names
    assert names <= set(PAGE_OF_STATE), f"add new staff states to PAGE_OF_STATE: {names}"
    for route in PAGE_OF_STATE.values():
        assert roles_for_page(route)
    assert {route for route, _key, _roles in STAFF_PAGES} >= set(PAGE_OF_STATE.values())


def _snapshot(session: Session) -> dict[str, list]:
    """Every row of every table that a refused call must leave alone."""
    session.expire_all()
    connection = session.connection()
    rows: dict[str, list] = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in NOT_COMPARED:
            continue
        result = connection.execute(text(f'SELECT * FROM "{table.name}"'))
        rows[table.name] = sorted(repr(tuple(row)) for row in result)
    session.rollback()
    return rows


def _appointment(session: Session) -> Appointment:
    """A booked appointment for later today of a demo counsellor (something worth attacking)."""
    return booked_appointment(session, "Burger Doelwit", "doelwit@example.be")


def booked_appointment(
    session: Session, name: str, email: str, days: int = 1, service_slug: str = "verhuurderspunt"
) -> Appointment:
    """A booked appointment in ``days`` days with a counsellor of the service."""
    service = session.exec(select(Service).where(Service.slug == service_slug)).one()
    staff_id = session.exec(
        select(StaffService.staff_id).where(StaffService.service_id == service.id)
    ).first()
    start = utcnow().replace(microsecond=0) + timedelta(days=days)
    reference = new_reference()
    appointment = Appointment(
        reference=reference,
        organisation_id=service.organisation_id,
        service_id=service.id,
        topic_id=session.exec(select(Topic.id).where(Topic.service_id == service.id)).first(),
        staff_id=staff_id,
        start_at=start,
        end_at=start + timedelta(minutes=30),
        busy_until=start + timedelta(minutes=40),
        citizen_name=name,
        citizen_email=email,
        manage_token_hash=token_hash(manage_token_for(reference, "s")),
    )
    session.add(appointment)
    session.commit()
    return appointment


def _token_for_role(session: Session, role: str) -> str:
    """A signed-in session of a fresh staff member who has only ``role``."""
    organisation = session.exec(select(Organisation)).one()
    member = staff_auth.create_local_account(
        session, organisation.id, f"enkel-{role}@example.be", f"Enkel {role}", [role], PASSWORD
    )
    session.commit()
    _member, token = staff_auth.sign_in_local(
        session, member.email, PASSWORD, "127.0.0.1", utcnow()
    )
    return token


@pytest.fixture
def world(session: Session, app_database: Engine) -> Iterator[dict[str, Any]]:
    """Demo data, a target appointment, and one signed-in session per single role."""
    load_demo_data(session)
    target = _appointment(session)
    tokens = {role.value: _token_for_role(session, role.value) for role in Role}
    yield {"target": target, "tokens": tokens}


def _plausible_form(target: Appointment) -> dict[str, Any]:
    """A form that would do something real if the caller were allowed to."""
    ids = dict.fromkeys(
        ("appointment_id", "id", "row_id", "target_id", "entry_id", "exception_id"), target.id
    )
    return {
        **ids,
        "staff_id": target.staff_id,
        "service_id": target.service_id,
        "topic_id": target.topic_id,
        "reference": target.reference,
        "email": "doelwit@example.be",
        "outcome": "resolved",
        "note": "aangevallen",
        "reason": "aangevallen",
        "confirm": "on",
        "roles": ["admin"],
        "name": "Aangevallen",
        "weekday": "0",
        "start": "08:00",
        "end": "20:00",
        "date": utcnow().date().isoformat(),
        "score": "5",
    }


def _argument_sets(handler: Any, target: Appointment) -> list[tuple]:
    """Argument lists for a handler: plausible values, then every hostile value."""
    parameters = [
        p
        for p in list(inspect.signature(handler.fn).parameters.values())[1:]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    required = [p for p in parameters if p.default is p.empty]
    if not parameters:
        return [()]
    plausible = tuple(
        _plausible_form(target) if "form" in p.name or "data" in p.name else target.id
        for p in required
    )
    sets = [plausible, tuple(_plausible_form(target) for _ in required)]
    sets += [tuple(value for _ in required) for value in HOSTILE]
    if len(parameters) > len(required):
        sets.append(tuple(target.id for _ in parameters))
    return sets


def _run(result: Any) -> None:
    """Drive what a handler returned (generator, coroutine) to its end."""
    if inspect.iscoroutine(result):
        asyncio.run(result)
    elif inspect.isasyncgen(result):

        async def drain() -> None:
            async for _ in result:
                pass

        asyncio.run(drain())
    elif inspect.isgenerator(result):
        for _ in result:
            pass


def _state(cls: type[rx.State], token: str) -> rx.State:
    """An instance of ``cls`` on a connection whose cookie carries ``token``."""
    state = cls(_reflex_internal_init=True)
    cookie = f"{staff_auth.SESSION_COOKIE}={token}" if token else ""
    state.router = RouterData.from_router_data({"headers": {"cookie": cookie}})
    return state


def _call_everything(cls: type[rx.State], state: rx.State, target: Appointment) -> None:
    """Call every public handler of ``cls`` with every argument set."""
    for name in public_handlers(cls):
        handler = cls.event_handlers[name]
        for args in _argument_sets(handler, target):
            try:
                _run(handler.fn(state, *args))
            except (TypeError, ValueError, KeyError, AttributeError, PermissionError) as error:
                # A refusal by exception is fine, as long as nothing changed (checked below).
                assert "Traceback" not in str(error)


@pytest.mark.parametrize("cls", STATES, ids=lambda cls: cls.__name__)
def test_without_a_session_every_handler_is_refused(
    cls: type[rx.State], world: dict[str, Any], session: Session
) -> None:
    before = _snapshot(session)
    for token in ("", "geen-sessie", "x" * 4000):
        state = _state(cls, token)
        _call_everything(cls, state, world["target"])
        assert state.display_name == "" and state.roles == []
    assert _snapshot(session) == before


@pytest.mark.parametrize("cls", STATES, ids=lambda cls: cls.__name__)
def test_with_the_wrong_role_every_handler_is_refused(
    cls: type[rx.State], world: dict[str, Any], session: Session
) -> None:
    allowed = roles_for_page(PAGE_OF_STATE[cls.__name__])
    wrong = [role for role in world["tokens"] if role not in allowed]
    assert wrong, f"{cls.__name__} is open to every role"
    before = _snapshot(session)
    for role in wrong:
        state = _state(cls, world["tokens"][role])
        _call_everything(cls, state, world["target"])
    assert _snapshot(session) == before
