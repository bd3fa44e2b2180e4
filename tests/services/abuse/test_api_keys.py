"""API keys: stored hashed, shown once, found only while active and for their organisation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from balie.models import ApiKey, Organisation
from balie.services.abuse import api_keys
from balie.services.catalogue import get_organisation
from balie.services.demo_data import load_demo_data

NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def gent(session: Session) -> Organisation:
    """Demo data loaded; the organisation Stad Gent."""
    load_demo_data(session)
    return get_organisation(session, "gent")


def test_a_key_is_stored_hashed_and_found_until_revoked(
    session: Session, gent: Organisation
) -> None:
    made = api_keys.create_key(session, gent.id, "Loket-app", "Digipolis", 30, NOW)
    stored = session.get(ApiKey, made.row.id)
    assert made.secret not in (stored.key_hash, stored.prefix) and stored.bookings_per_hour == 30
    assert api_keys.find_active(session, gent.id, made.secret).id == made.row.id
    assert api_keys.find_active(session, gent.id + 1, made.secret) is None
    assert api_keys.revoke_key(session, gent.id, made.row.id, NOW)
    assert api_keys.find_active(session, gent.id, made.secret) is None
    assert not api_keys.revoke_key(session, gent.id, made.row.id, NOW)


@pytest.mark.parametrize(("name", "rate"), [("", 10), ("  ", 10), ("App", 0), ("App", 10**6)])
def test_a_key_needs_a_name_and_a_sensible_rate(
    session: Session, gent: Organisation, name: str, rate: int
) -> None:
    with pytest.raises(api_keys.ApiKeyProblem):
        api_keys.create_key(session, gent.id, name, "", rate, NOW)


@pytest.mark.parametrize("secret", [None, "", "x" * 500, "balie_\x00", 12])
def test_hostile_keys_find_nothing(session: Session, gent: Organisation, secret: object) -> None:
    assert api_keys.find_active(session, gent.id, secret) is None
