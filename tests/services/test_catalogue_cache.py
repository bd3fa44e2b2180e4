"""The catalogue cache: read once per process, reloaded when an administrator changes it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import StaffMember
from balie.services import catalogue_admin, catalogue_cache
from balie.services.demo_data import DEMO_MANAGER, demo_email, load_demo_data

TODAY = date(2026, 12, 7)


@pytest.fixture
def gent(session: Session) -> catalogue_cache.Catalogue:
    """The demo catalogue, read into the cache."""
    load_demo_data(session)
    session.commit()
    return catalogue_cache.current(session, "gent")


def _admin(session: Session) -> StaffMember:
    """The demo administrator."""
    email = demo_email(DEMO_MANAGER[0])
    return session.exec(select(StaffMember).where(StaffMember.email == email)).one()


def test_the_catalogue_is_read_once_and_kept(
    session: Session, gent: catalogue_cache.Catalogue
) -> None:
    assert catalogue_cache.current(session, "gent") is gent
    assert "oog" in gent.services
    assert "oog" in [view.slug for view in gent.live_views(TODAY)]
    assert catalogue_cache.current(session, "nowhere") is None


def test_a_change_by_an_administrator_is_seen_at_once_in_this_process(
    session: Session, gent: catalogue_cache.Catalogue
) -> None:
    service = gent.services["oog"]
    catalogue_admin.update_service(
        session,
        _admin(session),
        service.id,
        {**catalogue_admin.service_values(service), "name_nl": "Ons Oog"},
        TODAY,
        utcnow(),
    )
    fresh = catalogue_cache.current(session, "gent")
    assert fresh is not gent
    assert fresh.services["oog"].name["nl"] == "Ons Oog"
    assert fresh.version == gent.version + 1


def test_another_process_sees_the_change_through_the_version_number(
    session: Session, gent: catalogue_cache.Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = next(iter(catalogue_cache._cache))
    # Another process deactivates a service and raises the version in the same transaction.
    service_id = gent.services["oog"].id
    session.execute(text("UPDATE service SET active = false WHERE id = :id"), {"id": service_id})
    catalogue_cache.changed(session)
    session.commit()
    catalogue_cache._cache[key] = gent  # only that process emptied its cache; this one did not
    gent.checked_at = catalogue_cache.time.monotonic()
    assert catalogue_cache.current(session, "gent") is gent  # checked just now: no query
    monkeypatch.setattr(catalogue_cache, "CHECK_SECONDS", 0.0)
    reloaded = catalogue_cache.current(session, "gent")
    assert reloaded is not gent
    assert reloaded.version == gent.version + 1
    assert not reloaded.services["oog"].active
    assert "oog" not in [view.slug for view in reloaded.live_views(TODAY)]


def test_fresh_gives_the_snapshot_only_while_its_version_check_is_recent(
    session: Session, gent: catalogue_cache.Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = session.get_bind()
    assert catalogue_cache.fresh(engine, "gent") is gent
    assert catalogue_cache.fresh(engine, "nowhere") is None
    monkeypatch.setattr(catalogue_cache, "CHECK_SECONDS", 0.0)
    assert catalogue_cache.fresh(engine, "gent") is None  # the caller must check the version
    catalogue_cache.clear()
    monkeypatch.setattr(catalogue_cache, "CHECK_SECONDS", 60.0)
    assert catalogue_cache.fresh(engine, "gent") is None
