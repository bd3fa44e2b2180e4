"""The time picker's packed free times (one string per day in the pickled state)."""

from __future__ import annotations

from balie.services.wizard import TimeChoice
from balie.states.time_picker import TimeOption, _pack_times, _unpack_times

TIMES = (
    TimeChoice("2026-03-30T07:00:00+00:00", "09:00"),
    TimeChoice("2026-03-30T07:30:00+00:00", "09:30"),
)


def test_packed_times_unpack_to_the_offered_times() -> None:
    """Packing then unpacking a day gives its times, in order."""
    assert _unpack_times(_pack_times(TIMES)) == [
        TimeOption("2026-03-30T07:00:00+00:00", "09:00"),
        TimeOption("2026-03-30T07:30:00+00:00", "09:30"),
    ]


def test_a_day_without_times_unpacks_to_none() -> None:
    """An empty day (or an unknown key's default) lists no times."""
    assert _pack_times(()) == ""
    assert _unpack_times("") == []


def test_a_state_stored_before_packing_still_lists_its_times() -> None:
    """Pairs from a state pickled by the previous version are read as before."""
    assert _unpack_times([("2026-03-30T07:00:00+00:00", "09:00")]) == [
        TimeOption("2026-03-30T07:00:00+00:00", "09:00")
    ]
