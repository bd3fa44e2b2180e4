"""The platform page: only the platform role sees the figures and adds an organisation."""

from __future__ import annotations

from typing import Any

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from balie.db_types import utcnow
from balie.models import Organisation, Service, StaffMember
from balie.services.demo_data import load_demo_data
from balie.services.staff import staff_auth
from balie.states import org_settings as org_state
from balie.states.platform import PlatformState

NEW = {
    "slug": "aalst",
    "name": "Stad Aalst",
    "host": "videoloket.aalst.be",
    "admin_email": "ict@aalst.be",
    "admin_name": "ICT Aalst",
    "catalogue_from": "gent",
}


@pytest.fixture
def gent(session: Session, app_database: Engine) -> Organisation:
    """Ghent's demo data, in the database the app uses."""
    load_demo_data(session)
    return session.exec(select(Organisation).where(Organisation.slug == "gent")).one()


def signed_in(session: Session, gent: Organisation, roles: list[str]) -> PlatformState:
    """The page's state for a new staff member of Ghent with ``roles``, on Ghent's host."""
    staff = StaffMember(
        organisation_id=gent.id,
        display_name="Ops",
        email=f"{'-'.join(roles)}@x.invalid",
        roles=roles,
    )
    session.add(staff)
    session.commit()
    token = staff_auth.start_session(session, staff, utcnow())
    state = PlatformState(_reflex_internal_init=True)
    state.router = RouterData.from_router_data(
        {"headers": {"cookie": f"balie_staff={token}", "host": "localhost"}}
    )
    return state


def organisations(session: Session) -> list[str]:
    """The slugs of every organisation."""
    session.expire_all()
    return sorted(session.exec(select(Organisation.slug)).all())


def test_the_operator_sees_every_city_and_adds_one_with_ghents_catalogue(
    session: Session, gent: Organisation
) -> None:
    state = signed_in(session, gent, ["platform"])
    PlatformState.load.fn(state)
    assert [row.key for row in state.per_city] == ["gent"]
    assert len(state.per_month) == 12
    PlatformState.create.fn(state, NEW)
    assert state.message == "platform_created", state.errors
    assert state.created == "aalst · videoloket.aalst.be · ict@aalst.be"
    assert organisations(session) == ["aalst", "gent"]
    assert {row.key for row in state.per_city} == {"aalst", "gent"}
    aalst = session.exec(select(Organisation).where(Organisation.slug == "aalst")).one()
    services = session.exec(
        select(func.count()).select_from(Service).where(Service.organisation_id == aalst.id)
    ).one()
    assert services > 0


def test_refused_input_is_shown_next_to_its_field(session: Session, gent: Organisation) -> None:
    state = signed_in(session, gent, ["platform"])
    PlatformState.load.fn(state)
    PlatformState.create.fn(state, {**NEW, "slug": "gent", "host": "geen host"})
    assert state.errors == {"slug": "admin_error_slug_taken", "host": "admin_error_host"}
    assert state.values["name"] == "Stad Aalst"
    PlatformState.create.fn(state, {**NEW, "catalogue_from": "nergens"})
    assert state.errors == {"catalogue_from": "admin_error_choice"}
    assert organisations(session) == ["gent"]


@pytest.mark.parametrize("roles", [["admin"], ["manager", "admin"], ["staff"]])
def test_city_roles_neither_see_nor_create(
    session: Session, gent: Organisation, roles: list[str]
) -> None:
    state = signed_in(session, gent, roles)
    PlatformState.load.fn(state)
    assert state.access_denied and state.per_city == []
    PlatformState.create.fn(state, NEW)
    assert organisations(session) == ["gent"] and state.per_city == []


def test_the_operator_on_another_host_gets_nothing(
    session: Session, gent: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = signed_in(session, gent, ["platform"])
    monkeypatch.setattr(org_state, "organisation_slug_of", lambda _state: "aalst")
    PlatformState.load.fn(state)
    assert state.access_denied and state.per_city == []
    PlatformState.create.fn(state, NEW)
    assert organisations(session) == ["gent"]


@pytest.mark.parametrize("value", [None, [], "x", 1, {"slug": ["a"]}, {"catalogue_from": {}}])
def test_hostile_form_data_creates_nothing(
    session: Session, gent: Organisation, value: Any
) -> None:
    state = signed_in(session, gent, ["platform"])
    PlatformState.load.fn(state)
    PlatformState.create.fn(state, value)
    assert organisations(session) == ["gent"]
