"""The page against abuse: an administrator makes a key (shown once) and revokes it; spikes show."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.models import ApiKey, Organisation, StaffMember
from balie.services.abuse.gate import SPIKE_ACTION
from balie.services.demo_data import DEMO_AGENT, DEMO_MANAGER, load_demo_data
from balie.services.staff.staff_auth import audit
from balie.states.abuse_admin import AbuseAdminState
from tests.states.test_admin_state import member, token_for, with_cookie


@pytest.fixture
def admin(session: Session, app_database: Engine) -> StaffMember:
    """The demo administrator."""
    load_demo_data(session)
    return member(session, DEMO_MANAGER[0])


def test_a_key_is_shown_once_then_only_its_prefix(session: Session, admin: StaffMember) -> None:
    state = with_cookie(AbuseAdminState, token_for(session, admin))
    AbuseAdminState.load.fn(state)
    form = {"name": "Loket-app", "partner": "Digipolis", "bookings_per_hour": "30"}
    AbuseAdminState.create_key.fn(state, form)
    assert state.new_secret.startswith("balie_") and state.message == "abuse_key_created"
    [row] = state.keys
    assert row.name == "Loket-app" and row.bookings_per_hour == 30 and row.active
    assert state.new_secret.startswith(row.prefix) and state.new_secret != row.prefix
    stored = session.exec(select(ApiKey)).one()
    assert state.new_secret not in stored.key_hash
    AbuseAdminState.load.fn(state)
    assert state.new_secret == ""
    AbuseAdminState.revoke_key.fn(state, row.id)
    assert not state.keys[0].active and state.message == "abuse_key_revoked"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"name": "", "bookings_per_hour": "5"}, "name"),
        ({"name": "A", "bookings_per_hour": "x"}, "bookings_per_hour"),
    ],
)
def test_a_wrong_form_keeps_what_was_typed(
    session: Session, admin: StaffMember, form: dict, field: str
) -> None:
    state = with_cookie(AbuseAdminState, token_for(session, admin))
    AbuseAdminState.load.fn(state)
    AbuseAdminState.create_key.fn(state, form)
    assert field in state.key_errors and state.new_secret == ""
    assert state.key_values["name"] == form["name"]
    assert session.exec(select(ApiKey)).all() == []


def test_an_agent_cannot_make_keys(session: Session, admin: StaffMember) -> None:
    agent = member(session, DEMO_AGENT[0])
    state = with_cookie(AbuseAdminState, token_for(session, agent))
    AbuseAdminState.create_key.fn(state, {"name": "x", "bookings_per_hour": "5"})
    assert session.exec(select(ApiKey)).all() == [] and state.new_secret == ""


def test_spikes_from_the_audit_log_are_listed(session: Session, admin: StaffMember) -> None:
    gent = session.exec(select(Organisation)).first()
    audit(
        session,
        None,
        SPIKE_ACTION,
        "spike",
        None,
        organisation_id=gent.id,
        scope="service",
        service="oog",
        count=25,
        window_minutes=10,
    )
    session.commit()
    state = with_cookie(AbuseAdminState, token_for(session, admin))
    AbuseAdminState.load.fn(state)
    [spike] = state.spikes
    assert (spike.scope, spike.what, spike.count) == ("service", "oog", 25)
