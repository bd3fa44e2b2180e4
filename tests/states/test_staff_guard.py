"""Staff data never outlives the session: after sign-out a reconnect with the same client token
(and no cookie) gets no citizen data in its first state update, the hydrate."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from reflex.state import State
from reflex_base.event import Event
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import StaffSession
from balie.pages import register_all
from balie.services.demo_data import load_demo_data
from balie.services.staff import staff_auth
from balie.states.staff import StaffState
from balie.states.staff_guard import (
    StaffSessionGuard,
    StaffSignOutState,
    staff_state_classes,
)
from tests.states.test_staff_state import appointment_for, minutes_ago_today, staff

PASSWORD = "een-lang-wachtwoord"
CITIZEN = "Mevrouw Geheim Janssens"
QUESTION = "Vraag over mijn schuldbemiddeling"
HYDRATE = State.get_full_name() + ".hydrate_and_load"


@pytest.fixture(autouse=True, scope="module")
def pages() -> None:
    """Every page (and so every staff state) registered, as in the running app."""
    register_all()


def connect(root: Any, cookie: str) -> None:
    """A (new) websocket for this client token: its headers replace the previous ones."""
    router_data = {"headers": {"cookie": cookie} if cookie else {}, "pathname": "/"}
    root.router_data = root._update_router_vars(router_data, root.router_data or {})


def hydrate(root: Any) -> str:
    """What the first state update of a (re)connect carries: the guard, then the full state."""
    event = Event(name=HYDRATE, payload={})
    asyncio.run(StaffSessionGuard().preprocess(None, root, event))
    return json.dumps(root.dict(), default=str)


def counsellor_with_a_citizen(session: Session) -> str:
    """Lotte signed in (the session token) with an appointment of today with citizen data."""
    load_demo_data(session)
    lotte = staff(session, "Lotte Claeys")
    appointment = appointment_for(session, lotte, minutes_ago_today(30))
    appointment.citizen_name, appointment.question = CITIZEN, QUESTION
    lotte.password_hash = staff_auth.hash_password(PASSWORD)
    session.commit()
    return staff_auth.sign_in_local(session, lotte.email, PASSWORD, "127.0.0.1", utcnow())[1]


def open_today(token: str) -> tuple[Any, Any]:
    """A client's whole state tree after opening /medewerkers with ``token`` in the cookie."""
    root = State(_reflex_internal_init=True)
    connect(root, f"balie_staff={token}")
    today = root.get_substate(StaffState.get_full_name().split(".")[1:])
    StaffState.load.fn(today)
    return root, today


def test_every_staff_state_is_guarded() -> None:
    names = {cls.__name__ for cls in staff_state_classes()}
    assert {"StaffState", "AuditState", "AgentFindState", "HoursState", "WeekState"} <= names


@pytest.mark.parametrize("next_cookie", ["", "old"])
def test_after_sign_out_a_reconnect_gets_no_citizen_data(
    session: Session, app_database: Engine, next_cookie: str
) -> None:
    token = counsellor_with_a_citizen(session)
    root, today = open_today(token)
    assert CITIZEN in hydrate(root) and QUESTION in hydrate(root)  # the page as it was
    # Sign-out over HTTP (POST /api/staff/logout, as a script can do without the button).
    staff_auth.end_session(session, token, utcnow())
    connect(root, f"balie_staff={token}" if next_cookie == "old" else "")
    first_update = hydrate(root)
    assert CITIZEN not in first_update and QUESTION not in first_update
    assert "Lotte" not in first_update
    assert today.rows == [] and today._session_key == ""


def test_a_live_session_keeps_its_data_and_another_cookie_does_not_see_it(
    session: Session, app_database: Engine
) -> None:
    token = counsellor_with_a_citizen(session)
    root, _today = open_today(token)
    assert CITIZEN in hydrate(root)  # same cookie, still signed in
    other = staff(session, "Jonas Maes")
    _ = staff_auth.start_session(session, other, utcnow())
    connect(root, f"balie_staff={staff_auth.start_session(session, other, utcnow())}")
    assert CITIZEN not in hydrate(root)  # someone else signed in on this browser


def test_an_idle_session_ends_and_its_data_goes(
    session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = counsellor_with_a_citizen(session)
    root, _today = open_today(token)
    row = session.exec(select(StaffSession)).one()
    row.last_seen_at = utcnow() - timedelta(minutes=31)
    session.add(row)
    session.commit()
    assert CITIZEN not in hydrate(root)
    StaffState.load.fn(root.get_substate(StaffState.get_full_name().split(".")[1:]))
    assert CITIZEN not in json.dumps(root.dict(), default=str)


def test_idle_minutes_come_from_the_setting(
    session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from balie.settings import get_settings

    monkeypatch.setenv("BALIE_STAFF_IDLE_MINUTES", "5")
    get_settings.cache_clear()
    token = counsellor_with_a_citizen(session)
    root, _today = open_today(token)
    row = session.exec(select(StaffSession)).one()
    row.last_seen_at = utcnow() - timedelta(minutes=6)
    session.add(row)
    session.commit()
    assert CITIZEN not in hydrate(root)


def test_the_sign_out_button_revokes_and_resets_every_staff_state(
    session: Session, app_database: Engine
) -> None:
    token = counsellor_with_a_citizen(session)
    root, today = open_today(token)
    sign_out = root.get_substate(StaffSignOutState.get_full_name().split(".")[1:])
    script = asyncio.run(StaffSignOutState.sign_out.fn(sign_out))
    assert script is not None  # then the form that clears the cookie is posted
    assert today.rows == [] and today.display_name == ""
    # Without the guard's help: the reset itself removed the data from the whole tree.
    assert CITIZEN not in json.dumps(root.dict(), default=str)
    assert staff_auth.staff_for_token(session, token, utcnow()) is None


def test_sign_out_without_a_session_ends_nobody_elses(
    session: Session, app_database: Engine
) -> None:
    token = counsellor_with_a_citizen(session)
    root = State(_reflex_internal_init=True)
    connect(root, "balie_staff=iets-anders")
    sign_out = root.get_substate(StaffSignOutState.get_full_name().split(".")[1:])
    asyncio.run(StaffSignOutState.sign_out.fn(sign_out))
    assert staff_auth.staff_for_token(session, token, utcnow()) is not None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"fout": "rate_limited", "wacht": "16"}, "Wacht 16 seconden"),
        ({"fout": "rate_limited", "wacht": "-3"}, ""),
        ({"fout": "rate_limited", "wacht": "99999"}, ""),
        ({"fout": "invalid", "wacht": "16"}, ""),
    ],
)
def test_the_sign_in_page_says_how_long_to_wait(query: dict, expected: str) -> None:
    from reflex.istate.data import RouterData

    from balie.states.sign_in import SignInPageState

    page = SignInPageState(_reflex_internal_init=True)
    address = "/medewerkers/aanmelden?" + "&".join(f"{k}={v}" for k, v in query.items())
    page.router = RouterData.from_router_data({"pathname": address, "asPath": address})
    SignInPageState.load.fn(page)
    assert page.wait_message.get("nl", "").startswith("Te veel") == bool(expected)
    assert expected in page.wait_message.get("nl", "")
    if expected:
        assert "16 seconds" in page.wait_message["en"]
