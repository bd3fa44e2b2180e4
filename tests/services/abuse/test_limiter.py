"""The moving-window limiter on its three storages: memory, the database and Redis (DB 2)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from limits.storage import MemoryStorage, storage_from_string
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from balie.models import RateEvent
from balie.services.abuse.limiter import (
    DatabaseStorage,
    Limiter,
    Plan,
    RateLimitItemPerHour,
    Rule,
    Tally,
)

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


def counter(key: str, mark_at: int = 0) -> Tally:
    """A counting key marked once per hour from ``mark_at`` hits on."""
    return Tally(Rule(key, 1_000_000, 600), mark_at, Rule(f"mark:{key}", 1, 3600))


def test_a_plan_counts_before_its_rules_and_after_only_when_all_rules_had_room(
    limiter: Limiter,
) -> None:
    address = RateLimitItemPerHour(5)
    plan = Plan(
        (counter("attempts", mark_at=2),),
        (Rule(address.key_for("a"), 5, 3600), Rule("email:e", 1, 3600)),
        (counter("service"),),
    )
    first = limiter.run(plan)
    assert first.refused is None and first.counts == (1, 1) and first.marked == (False, False)
    second = limiter.run(plan)
    assert second.refused == 1 and 3500 <= second.retry_after <= 3601
    assert second.counts == (2,) and second.marked == (True,)
    # the refused plan hit neither rule: the address still has 4 places, the service 1 count
    assert limiter.get_window_stats(address, "a").remaining == 4
    third = limiter.run(Plan((counter("attempts", mark_at=2),), (), (counter("service"),)))
    assert third.counts == (3, 2) and third.marked == (False, False)


def test_a_plan_with_rules_only_hits_every_rule(limiter: Limiter) -> None:
    rules = (Rule("address:b", 2, 3600), Rule("phone:p", 2, 3600))
    assert [limiter.run(Plan(rules=rules)).refused for _ in range(3)] == [None, None, 0]
    assert limiter.run(Plan(rules=rules[1:])).refused == 0


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
