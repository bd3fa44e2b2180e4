"""The calendar grid: which hours it shows and where a block sits."""

from __future__ import annotations

from datetime import datetime

from balie.services.calendar_grid import HourRange, hour_range, place


def at(hour: int, minute: int = 0) -> datetime:
    """A local time on one day."""
    return datetime(2026, 12, 7, hour, minute)


def test_office_hours_without_appointments() -> None:
    assert hour_range([]) == HourRange(8, 18)


def test_the_range_widens_to_early_and_late_appointments() -> None:
    assert hour_range([(at(7, 5), at(7, 25)), (at(18, 30), at(19, 0))]) == HourRange(7, 19)
    assert hour_range([(at(17, 40), at(18, 10))]) == HourRange(8, 19)


def test_a_block_is_placed_by_start_and_sized_by_length() -> None:
    hours = HourRange(8, 18)  # 600 minutes
    assert place(at(9), at(9, 30), hours) == (10.0, 5.0)
    assert place(at(8), at(18), hours) == (0.0, 100.0)
    assert place(at(17, 59), at(18, 0), hours) == (98.0, 2.0)  # never thinner than readable


def test_a_span_is_clipped_to_the_grid() -> None:
    hours = HourRange(8, 18)
    assert place(at(0), at(10), hours) == (0.0, 20.0)  # leave from midnight to 10:00
    assert place(at(12), datetime(2026, 12, 8, 0, 0), hours) == (40.0, 60.0)  # to midnight
