"""The moving-window limiter on its three storages: memory, the database and Redis (DB 2)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from limits.storage import MemoryStorage, storage_from_string
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from balie.models import RateEvent
from balie.services.abuse.limiter import DatabaseStorage, Limiter, RateLimitItemPerHour

REDIS_URL = "redis://127.0.0.1:6379/2"


@pytest.fixture(params=["memory", "database", "redis"])
def limiter(request: pytest.FixtureRequest, session: Session, engine: Engine) -> Iterator[Limiter]:
    """A limiter on each storage, emptied before and after."""
    if request.param == "memory":
        storage = MemoryStorage()
    elif request.param == "database":
        storage = DatabaseStorage(lambda: engine)
    else:
        storage = storage_from_string(REDIS_URL)
    storage.reset()
    yield Limiter(storage)
    storage.reset()


def test_three_an_hour_allows_three_then_refuses_with_a_retry_time(limiter: Limiter) -> None:
    item = RateLimitItemPerHour(3)
    assert [limiter.hit(item, "address:a") for _ in range(4)] == [True, True, True, False]
    assert not limiter.test(item, "address:a")
    assert 3500 <= limiter.retry_after(item, "address:a") <= 3601


def test_identifiers_are_counted_apart(limiter: Limiter) -> None:
    item = RateLimitItemPerHour(1)
    assert limiter.hit(item, "address:a")
    assert limiter.hit(item, "address:b")
    assert not limiter.hit(item, "address:a")


def test_database_counters_survive_a_restart(session: Session, engine: Engine) -> None:
    item = RateLimitItemPerHour(2)
    first = Limiter(DatabaseStorage(lambda: engine))
    assert first.hit(item, "email:x") and first.hit(item, "email:x")
    restarted = Limiter(DatabaseStorage(lambda: engine))
    assert not restarted.hit(item, "email:x")
    assert session.exec(select(func.count()).select_from(RateEvent)).one() == 2


def test_redis_counters_are_shared_by_workers() -> None:
    item = RateLimitItemPerHour(1)
    one, other = Limiter(storage_from_string(REDIS_URL)), Limiter(storage_from_string(REDIS_URL))
    one.storage.reset()
    try:
        assert one.hit(item, "phone:+32")
        assert not other.hit(item, "phone:+32")
    finally:
        one.storage.reset()
