"""The platform role works across organisations by design; a city's staff cannot use it.

The isolation walk's staff of A have every city role and no platform role. Here: the city
staff of A (every role) cannot open the platform page, see its figures or create an
organisation; a platform operator of A sees every city, but only counts and public names
(no citizen, staff or secret of either city), and only on A's own host.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import Organisation, Role, StaffMember
from balie.services.insight import platform_statistics
from balie.services.staff import staff_auth
from balie.states.platform import PlatformState
from tests.states.test_tenant_isolation import connection, leaked, run
from tests.tenancy_fixtures import TwoCities, rows_of

OPERATOR = "Platformbeheerder Gent"


def new_organisation(b_slug: str) -> dict[str, str]:
    """A valid form for a new organisation that starts from B's catalogue."""
    return {
        "slug": "nieuwdorp",
        "name": "Nieuwdorp",
        "host": "balie.nieuwdorp.be",
        "admin_email": "ict@nieuwdorp.be",
        "admin_name": "ICT Nieuwdorp",
        "catalogue_from": b_slug,
    }


def slugs(session: Session) -> list[str]:
    """Every organisation's slug."""
    session.expire_all()
    return sorted(session.exec(select(Organisation.slug)).all())


def operator_token(session: Session, cities: TwoCities) -> str:
    """A signed-in platform operator employed by A (the platform role only)."""
    staff = StaffMember(
        organisation_id=cities.a.organisation.id,
        display_name=OPERATOR,
        email="platform@gent.test",
        roles=[Role.PLATFORM.value],
    )
    session.add(staff)
    session.commit()
    token = staff_auth.start_session(session, staff, utcnow())
    session.commit()
    return token


def personal(cities: TwoCities) -> set[str]:
    """What a platform view may never show: both cities' private data beyond their catalogue."""
    a, b = cities.a, cities.b
    return (a.private - a.catalogue) | (b.private - b.catalogue)


@pytest.mark.parametrize("role", ["all", "admin", "manager", "agent", "counsellor"])
def test_city_staff_of_a_cannot_reach_the_platform_handlers(
    role: str, cities: TwoCities, session: Session
) -> None:
    a, b = cities.a, cities.b
    before, organisations = (rows_of(session, a), rows_of(session, b)), slugs(session)
    state = connection(PlatformState, a.host, a.tokens[role], b)
    sent = run(PlatformState.load.fn(state)) + run(
        PlatformState.create.fn(state, new_organisation(b.slug))
    )
    assert (state.per_city, state.per_service, state.per_month, state.sources) == ([], [], [], [])
    assert state.created == ""
    assert slugs(session) == organisations, "a city's staff created an organisation"
    assert (rows_of(session, a), rows_of(session, b)) == before
    assert not leaked(state, sent, personal(cities) | b.catalogue)
    with pytest.raises(PermissionError):
        platform_statistics.platform_figures(session, a.staff[role], date(2026, 1, 1), date.today())


def test_a_platform_operator_sees_every_city_in_counts_only(
    cities: TwoCities, session: Session
) -> None:
    a, b = cities.a, cities.b
    state = connection(PlatformState, a.host, operator_token(session, cities), b)
    sent = run(PlatformState.load.fn(state))
    assert {row.key for row in state.per_city} == {a.slug, b.slug}
    assert next(row for row in state.per_city if row.key == b.slug).booked > 0
    assert not leaked(state, sent, personal(cities)), "a platform view shows personal data"
    before = rows_of(session, b)
    sent = run(PlatformState.create.fn(state, new_organisation(b.slug)))
    assert state.message == "platform_created", state.errors
    assert "nieuwdorp" in slugs(session)
    assert rows_of(session, b) == before, "copying B's catalogue changed B"
    assert not leaked(state, sent, personal(cities)), "a platform view shows personal data"


def test_a_platform_operator_has_no_platform_on_another_citys_host(
    cities: TwoCities, session: Session
) -> None:
    a, b = cities.a, cities.b
    organisations = slugs(session)
    state = connection(PlatformState, b.host, operator_token(session, cities), b)
    sent = run(PlatformState.load.fn(state)) + run(
        PlatformState.create.fn(state, new_organisation(b.slug))
    )
    assert (state.per_city, state.sources) == ([], [])
    assert slugs(session) == organisations
    assert not leaked(state, sent, personal(cities) | a.catalogue)
