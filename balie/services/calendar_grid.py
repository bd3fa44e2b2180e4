"""Where an appointment sits in a calendar grid: hours as rows, blocks sized by their length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

FIRST_HOUR, LAST_HOUR = 8, 18  # the grid shows at least office hours


@dataclass(frozen=True)
class HourRange:
    """The hours a grid shows: from ``first`` (inclusive) to ``last`` (exclusive)."""

    first: int
    last: int

    @property
    def minutes(self) -> int:
        """How many minutes the grid spans."""
        return (self.last - self.first) * 60


def hour_range(times: list[tuple[datetime, datetime]]) -> HourRange:
    """Office hours, widened to every (local) start and end in ``times``."""
    first, last = FIRST_HOUR, LAST_HOUR
    for start, end in times:
        first = min(first, start.hour)
        end_hour = end.hour + (1 if end.minute or end.second else 0)
        if end.date() > start.date():
            end_hour = 24
        last = max(last, end_hour)
    return HourRange(first, last)


def place(start: datetime, end: datetime, hours: HourRange) -> tuple[float, float]:
    """Top and height of a block as percentages of the grid (clipped, at least 2 % high)."""
    begin = (start.hour - hours.first) * 60 + start.minute
    finish = begin + max((end - start).total_seconds() / 60, 0)

    def share(minutes: float) -> float:
        return min(max(minutes / hours.minutes * 100, 0.0), 100.0)

    top, bottom = share(begin), share(finish)
    height = max(bottom - top, 2.0)
    return round(min(top, 100.0 - height), 3), round(height, 3)
