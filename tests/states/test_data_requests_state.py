"""The data-requests screen's state: only administrators, every time; hostile input is harmless."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import Appointment, AppointmentStatus, AuditEntry, StaffMember
from balie.services.demo_data import DEMO_MANAGER, demo_email, load_demo_data
from balie.services.staff import staff_auth
from balie.states.data_requests import DataRequestsState
from tests.services.privacy.test_data_requests import EMAIL, add

PASSWORD = "een-lang-wachtwoord-2026"
HOSTILE: list[Any] = [None, 0, -1, True, "x", "x" * 5000, [], {}, 10**12, 1.5, ["a@b.be"]]
HOSTILE_FORMS: list[Any] = [
    *HOSTILE,
    {"email": None},
    {"email": 5},
    {"email": ["a@b.be"]},
    {"email": {"$ne": ""}},
    {"email": "a@b.be" * 1000},
    {"email": "x\x00@example.be"},
    {"email": "%"},
    {"email": "' OR 1=1 --@x.be"},
]


def sign_in(session: Session, member: StaffMember) -> str:
    """A session token for ``member``."""
    member.password_hash = staff_auth.hash_password(PASSWORD)
    session.add(member)
    session.commit()
    _member, token = staff_auth.sign_in_local(session, member.email, PASSWORD, "::1", utcnow())
    return token


def state_for(token: str) -> DataRequestsState:
    """The screen's state on a connection whose cookie carries ``token``."""
    state = DataRequestsState(_reflex_internal_init=True)
    cookie = f"{staff_auth.SESSION_COOKIE}={token}" if token else ""
    state.router = RouterData.from_router_data({"headers": {"cookie": cookie}})
    return state


def member(session: Session, name: str) -> StaffMember:
    """A demo staff member by name."""
    return session.exec(select(StaffMember).where(StaffMember.email == demo_email(name))).one()


def citizen_rows(session: Session) -> list[tuple]:
    """What erasing would change."""
    session.expire_all()
    return [
        (row.reference, row.status, row.citizen_name, row.citizen_email, row.question)
        for row in session.exec(select(Appointment).order_by(Appointment.id)).all()
    ]


def actions(session: Session) -> list[str]:
    """The audited actions of this screen."""
    session.expire_all()
    return [
        entry.action
        for entry in session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
        if entry.action.startswith("data_request") or entry.action == "erase_citizen"
    ]


@pytest.fixture
def world(session: Session, app_database: Engine) -> dict[str, Any]:
    """Demo data, three appointments of EMAIL (one upcoming), one of someone else."""
    load_demo_data(session)
    add(session, "PAST-0001", EMAIL, -timedelta(days=3), AppointmentStatus.COMPLETED)
    add(session, "NEXT-0001", EMAIL, timedelta(days=2))
    add(session, "GONE-0001", EMAIL, timedelta(days=4), AppointmentStatus.CANCELLED, staff_index=1)
    add(session, "OTHR-0001", "iemand.anders@example.be", timedelta(days=5))
    return {"admin": member(session, DEMO_MANAGER[0])}


def downloaded(spec: Any) -> dict:
    """The JSON inside an rx.download event."""
    match = re.search(r"data:application/json;base64,([A-Za-z0-9+/=]+)", str(spec))
    assert match, spec
    return json.loads(base64.b64decode(match.group(1)))


def test_public_handlers_are_exactly_these() -> None:
    assert sorted(DataRequestsState.event_handlers) == [
        "erase",
        "export",
        "load",
        "search",
        "setvar",
    ]


def test_an_administrator_searches_exports_and_erases(
    session: Session, world: dict[str, Any]
) -> None:
    state = state_for(sign_in(session, world["admin"]))
    assert DataRequestsState.load.fn(state) is None and not state.access_denied
    DataRequestsState.search.fn(state, {"email": " Els.Peeters@EXAMPLE.be "})
    assert state.error == "" and state.found_email == EMAIL
    assert state.past_count == 1
    assert [(row.reference, row.status) for row in state.upcoming] == [
        ("NEXT-0001", "booked"),
        ("GONE-0001", "cancelled"),
    ]
    assert state.upcoming[0].service["nl"] == "Woonwijzer"
    assert " om " in state.upcoming[0].when["nl"] and " at " in state.upcoming[0].when["en"]

    export = downloaded(DataRequestsState.export.fn(state))
    assert state.message == "dr_exported"
    assert {item["reference"] for item in export["appointments"]} == {
        "PAST-0001",
        "NEXT-0001",
        "GONE-0001",
    }

    before = citizen_rows(session)
    DataRequestsState.erase.fn(state, {})  # not confirmed
    assert state.problem == "dr_error_confirm" and not state.done
    assert citizen_rows(session) == before

    DataRequestsState.erase.fn(state, {"confirm": "on"})
    assert state.done and state.problem == ""
    assert (state.erased_count, state.cancelled_count) == (3, 1)
    assert state.found_email == "" and state.upcoming == []
    rows = {row[0]: row for row in citizen_rows(session)}
    assert rows["NEXT-0001"][1:] == ("cancelled", None, None, None)
    assert rows["PAST-0001"][1:] == ("completed", None, None, None)
    assert rows["OTHR-0001"][3] == "iemand.anders@example.be"
    assert actions(session) == [
        "data_request_search",
        "data_request_export",
        "erase_citizen",
        "data_request_erase",
    ]
    # The search is forgotten: erasing again needs a new search.
    DataRequestsState.erase.fn(state, {"confirm": "on"})
    assert state.problem == "dr_error_search_first"


def test_a_bad_address_keeps_what_was_typed(session: Session, world: dict[str, Any]) -> None:
    state = state_for(sign_in(session, world["admin"]))
    DataRequestsState.load.fn(state)
    DataRequestsState.search.fn(state, {"email": "els.peeters@"})
    assert state.error == "dr_error_email_invalid" and state.email == "els.peeters@"
    assert state.found_email == ""
    DataRequestsState.search.fn(state, {"email": ""})
    assert state.error == "dr_error_email_required"
    assert DataRequestsState.export.fn(state) is None
    assert state.problem == "dr_error_search_first"
    assert actions(session) == []


@pytest.mark.parametrize("name", ["Lotte Claeys", "Gentinfo Medewerker"])
def test_someone_without_the_admin_role_is_refused(
    session: Session, world: dict[str, Any], name: str
) -> None:
    before = citizen_rows(session)
    state = state_for(sign_in(session, member(session, name)))
    assert DataRequestsState.load.fn(state) is None
    assert state.access_denied
    DataRequestsState.search.fn(state, {"email": EMAIL})
    assert state.found_email == "" and state.upcoming == [] and state.past_count == 0
    assert DataRequestsState.export.fn(state) is None
    DataRequestsState.erase.fn(state, {"confirm": "on", "email": EMAIL})
    assert not state.done
    assert citizen_rows(session) == before
    assert actions(session) == []


def test_a_manager_only_account_is_refused(session: Session, world: dict[str, Any]) -> None:
    organisation_id = world["admin"].organisation_id
    manager = staff_auth.create_local_account(
        session, organisation_id, "cijfers@example.be", "Enkel cijfers", ["manager"], PASSWORD
    )
    session.commit()
    state = state_for(sign_in(session, manager))
    DataRequestsState.load.fn(state)
    assert state.access_denied
    DataRequestsState.search.fn(state, {"email": EMAIL})
    assert state.found_email == "" and actions(session) == []


def test_a_search_done_as_admin_cannot_be_used_after_signing_out(
    session: Session, world: dict[str, Any]
) -> None:
    token = sign_in(session, world["admin"])
    state = state_for(token)
    DataRequestsState.load.fn(state)
    DataRequestsState.search.fn(state, {"email": EMAIL})
    assert state.found_email == EMAIL
    staff_auth.end_session(session, token, utcnow())
    before = citizen_rows(session)
    assert DataRequestsState.export.fn(state) is None
    DataRequestsState.erase.fn(state, {"confirm": "on"})
    assert citizen_rows(session) == before and not state.done
    assert state.found_email == "" and state.display_name == ""
    assert actions(session) == ["data_request_search"]


def test_hostile_arguments_change_nothing(session: Session, world: dict[str, Any]) -> None:
    state = state_for(sign_in(session, world["admin"]))
    DataRequestsState.load.fn(state)
    before = citizen_rows(session)
    for form in HOSTILE_FORMS:
        DataRequestsState.search.fn(state, form)
        assert state.found_email == "", form  # nothing valid was searched
        assert len(state.email) <= 320
        DataRequestsState.erase.fn(state, form)
        assert DataRequestsState.export.fn(state) is None
        assert not state.done, form
    assert citizen_rows(session) == before
    assert actions(session) == []


def test_only_the_ticked_box_confirms(session: Session, world: dict[str, Any]) -> None:
    state = state_for(sign_in(session, world["admin"]))
    DataRequestsState.load.fn(state)
    DataRequestsState.search.fn(state, {"email": EMAIL})
    before = citizen_rows(session)
    for confirm in (True, "yes", "true", 1, ["on"], {"on": True}, None, "", "ON "):
        DataRequestsState.erase.fn(state, {"confirm": confirm})
        assert state.problem == "dr_error_confirm" and not state.done, confirm
    for form in HOSTILE:
        DataRequestsState.erase.fn(state, form)
    assert citizen_rows(session) == before
    assert actions(session) == ["data_request_search"]
