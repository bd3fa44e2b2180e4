"""The organisation of a websocket event comes from the handshake's Host header, and binds
staff sessions and manage links to their city."""

from __future__ import annotations

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import StaffMember
from balie.services.booking import manage_token_for
from balie.services.demo_data import DEMO_MANAGER, demo_email, load_demo_data
from balie.services.demo_second_city import HOST, MANAGER, email_of, load_second_city
from balie.services.staff import staff_auth
from balie.states.manage import ManageState
from balie.states.staff import StaffState
from balie.states.tenant import organisation_id_of, organisation_slug_of
from tests.states.test_staff_authorization import booked_appointment

PASSWORD = "een-lang-wachtwoord-2026"


@pytest.fixture
def two_cities(session: Session, app_database: Engine) -> Session:
    """Ghent (no host rows: every configured host) and Merelbeke (merelbeke.localhost)."""
    load_demo_data(session)
    load_second_city(session)
    return session


def _on(cls: type, host: str, **router: object) -> object:
    """A state of ``cls`` whose websocket handshake came with Host ``host``."""
    state = cls(_reflex_internal_init=True)
    headers = {"host": host, **router.pop("headers", {})}
    state.router = RouterData.from_router_data({"headers": headers, **router})
    return state


@pytest.mark.parametrize(
    ("host", "slug"),
    [
        ("localhost:3000", "gent"),
        ("127.0.0.1", "gent"),
        (f"{HOST}:3000", "merelbeke"),
        ("MERELBEKE.localhost", "merelbeke"),
        ("evil.example", None),
        ("gent.merelbeke.localhost", None),
    ],
)
def test_the_organisation_comes_from_the_handshake_host(
    two_cities: Session, host: str, slug: str | None
) -> None:
    state = _on(StaffState, host)
    assert organisation_slug_of(state) == slug
    assert (organisation_id_of(state) != 0) == (slug is not None)


def test_not_from_the_page_address_or_its_query(two_cities: Session) -> None:
    """The page URL (router.page / url) is what the client reports per event: ignored."""
    state = _on(
        StaffState,
        "localhost",
        pathname="/",
        asPath=f"http://{HOST}/?organisation=merelbeke",
    )
    assert organisation_slug_of(state) == "gent"


def _signed_in_token(session: Session, email: str) -> str:
    """A live staff session of the staff member with ``email``."""
    member = session.exec(select(StaffMember).where(StaffMember.email == email)).one()
    member.password_hash = staff_auth.hash_password(PASSWORD)
    session.add(member)
    session.commit()
    _member, token = staff_auth.sign_in_local(
        session, email, PASSWORD, "127.0.0.1", utcnow(), organisation_id=member.organisation_id
    )
    return token


def test_a_staff_session_counts_only_on_its_own_citys_host(two_cities: Session) -> None:
    ghent = _signed_in_token(two_cities, demo_email(DEMO_MANAGER[0]))
    merelbeke = _signed_in_token(two_cities, email_of(MANAGER[0]))
    for host, token, expected in (
        ("localhost", ghent, DEMO_MANAGER[0]),
        (HOST, ghent, None),
        (HOST, merelbeke, MANAGER[0]),
        ("localhost", merelbeke, None),
    ):
        state = _on(StaffState, host, headers={"cookie": f"balie_staff={token}"})
        with staff_session(state) as session:
            staff = state._signed_in(session)
        assert (staff.display_name if staff else None) == expected, (host, expected)


def staff_session(state: object):
    """The scoped session a staff handler opens."""
    from balie.states.tenant import tenant_session

    return tenant_session(state)


def test_a_manage_link_opens_only_on_its_own_citys_host(two_cities: Session) -> None:
    appointment = booked_appointment(two_cities, "Burger Gent", "gent@example.be")
    token = manage_token_for(appointment.reference, "s")
    path = f"/afspraak?ref={appointment.reference}&token={token}"
    found = {}
    for host in ("localhost", HOST):
        state = _on(ManageState, host, pathname="/afspraak", asPath=path)
        ManageState.load.fn(state)
        found[host] = (state.found, state.reference)
    assert found["localhost"] == (True, appointment.reference)
    assert found[HOST] == (False, "")  # as for an unknown token
