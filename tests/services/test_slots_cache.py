"""The process's short cache of free times: shared within its time, forgotten on a booking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from balie.services import booking
from balie.services.slots import SLOT_CACHE, SlotCache, free_slots
from tests.services.test_slots import (
    MONDAY,
    NOW,
    WINTER_STARTS,
    World,
    _book,
    _link,
    _service,
    utc,
    world,
)

__all__ = ["world"]  # the fixture, shared with the slot engine's tests

FIRST = utc(MONDAY, *WINTER_STARTS[0])


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        """At zero."""
        self.now = 0.0

    def __call__(self) -> float:
        """The current reading."""
        return self.now


def staff_at_first(cache: SlotCache, seconds: float, session: Session, world: World) -> tuple:
    """Free staff at Monday's first time, through ``cache``."""
    slots = cache.free_slots(seconds, session, world.service, MONDAY, MONDAY, NOW)
    return {slot.start: slot.staff_ids for slot in slots}[FIRST]


def test_within_its_time_the_cache_answers_and_after_it_computes_again(
    session: Session, world: World
) -> None:
    clock = Clock()
    cache = SlotCache(clock)
    assert staff_at_first(cache, 1.0, session, world) == (world.anna, world.bert)
    _book(session, world, world.anna, FIRST)  # behind the booking service's back
    assert staff_at_first(cache, 1.0, session, world) == (world.anna, world.bert)
    assert staff_at_first(cache, 0, session, world) == (world.bert,)  # 0: no cache
    clock.now = 1.5
    assert staff_at_first(cache, 1.0, session, world) == (world.bert,)


def test_a_change_through_the_booking_service_is_seen_at_once(
    session: Session, world: World
) -> None:
    made = _book(session, world, world.anna, FIRST)
    assert staff_at_first(SLOT_CACHE, 60.0, session, world) == (world.bert,)
    booking.cancel(session, made, now=NOW)
    assert staff_at_first(SLOT_CACHE, 60.0, session, world) == (world.anna, world.bert)


@pytest.mark.parametrize("seconds", [0, 60.0])
def test_the_cache_gives_what_the_engine_gives(
    session: Session, world: World, seconds: float
) -> None:
    last = MONDAY + timedelta(days=4)
    expected = free_slots(session, world.service, MONDAY, last, NOW)
    cache = SlotCache(Clock())
    for _ in range(2):
        assert cache.free_slots(seconds, session, world.service, MONDAY, last, NOW) == expected


def test_a_booking_takes_its_staff_out_of_every_cached_list(session: Session, world: World) -> None:
    # Anna also serves a second service at the same hours: its cached lists lose her too.
    other = _service(session, world.organisation, "other")
    _link(session, world.anna, other)
    session.commit()
    last = MONDAY + timedelta(days=4)
    cache = SlotCache(Clock())
    for service in (world.service, other):
        cache.free_slots(60.0, session, service, MONDAY, last, NOW)
    made = _book(session, world, world.anna, FIRST + timedelta(minutes=40))
    # As the booking service tells the process's cache:
    cache.took(session, world.service.id, made.staff_id, made.start_at, made.busy_until)
    for service in (world.service, other):
        cached = cache.free_slots(60.0, session, service, MONDAY, last, NOW)
        assert cached == free_slots(session, service, MONDAY, last, NOW)
    taken = {
        slot.start: slot.staff_ids
        for slot in cache.free_slots(60.0, session, world.service, MONDAY, last, NOW)
    }
    assert taken[FIRST + timedelta(minutes=40)] == (world.bert,)
