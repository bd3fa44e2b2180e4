"""A reusable time picker (mixin): days with free times, and the free times of one day.

Used by the booking wizard and by the page where a citizen moves an appointment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from balie.services.wizard import DayChoice, TimeChoice

DAYS_PER_PAGE = 5


@dataclass
class TimeOption:
    """A free time on the selected day."""

    start: str
    label: str


@dataclass
class DayOption:
    """A day button."""

    key: str
    label: dict[str, str]
    long: dict[str, str]
    count: int


def _pack_times(times: tuple[TimeChoice, ...]) -> str:
    """One day's free times as one string: "start\tlabel" lines (ISO starts hold no tabs)."""
    return "\n".join(f"{time.start}\t{time.label}" for time in times)


def _unpack_times(packed: str | list[tuple[str, str]]) -> list[TimeOption]:
    """The free times of one packed day (a list of pairs: a state stored before packing)."""
    if isinstance(packed, list):
        return [TimeOption(start, label) for start, label in packed]
    pairs = (line.split("\t", 1) for line in packed.split("\n") if line)
    return [TimeOption(start, label) for start, label in pairs]


def _day_option(day: DayChoice) -> DayOption:
    """The button for one day."""
    return DayOption(
        key=day.key,
        label={"nl": day.label_nl, "en": day.label_en},
        long={"nl": day.long_nl, "en": day.long_en},
        count=len(day.times),
    )


class TimePickerState(rx.State, mixin=True):
    """Days with free times; the first one is preselected."""

    days: list[DayOption] = []
    day_key: str = ""
    day_page: int = 0
    times: list[TimeOption] = []
    # The free times per day, each day packed in one string (_pack_times): this backend var is
    # pickled with the state at every event, and one string per day loads far quicker than
    # a list of pairs (no objects per time, nothing for the garbage collector to track).
    _times_by_day: dict[str, str] = {}

    @rx.var
    def visible_days(self) -> list[DayOption]:
        """The page of day buttons currently shown."""
        first = self.day_page * DAYS_PER_PAGE
        return self.days[first : first + DAYS_PER_PAGE]

    @rx.var
    def has_earlier_days(self) -> bool:
        """Whether an 'earlier days' button makes sense."""
        return self.day_page > 0

    @rx.var
    def has_later_days(self) -> bool:
        """Whether a 'later days' button makes sense."""
        return (self.day_page + 1) * DAYS_PER_PAGE < len(self.days)

    @rx.var
    def selected_day(self) -> DayOption | None:
        """The day whose times are listed."""
        return next((d for d in self.days if d.key == self.day_key), None)

    def _set_days(self, days: list[DayChoice]) -> None:
        """Offer these days and preselect the first one."""
        self._times_by_day = {day.key: _pack_times(day.times) for day in days}
        self.days = [_day_option(day) for day in days]
        self.day_page = 0
        self._select_day(self.days[0].key if self.days else "")

    def _clear_days(self) -> None:
        """Offer nothing."""
        self._set_days([])

    def _select_day(self, key: str) -> None:
        """Show the times of one day."""
        self.day_key = key
        self.times = _unpack_times(self._times_by_day.get(key, ""))

    def _offered_time(self, start: Any) -> TimeOption | None:
        """The listed time the browser sent back, or None when it was not offered."""
        if not isinstance(start, str):
            return None
        return next((t for t in self.times if t.start == start), None)

    def _time_label(self, chosen: TimeOption) -> dict[str, str]:
        """'maandag 30 maart 2026 om 09:00' in both languages."""
        day = self.selected_day
        joiner = {"nl": "om", "en": "at"}
        return {lang: f"{day.long[lang]} {joiner[lang]} {chosen.label}" for lang in joiner}

    @rx.event
    def show_day(self, key: Any) -> None:
        """List the times of another offered day."""
        if isinstance(key, str) and key in self._times_by_day:
            self._select_day(key)

    @rx.event
    def later_days(self) -> None:
        """Show the next page of days and select its first day."""
        if self.has_later_days:
            self.day_page += 1
            self._select_day(self.visible_days[0].key)

    @rx.event
    def earlier_days(self) -> None:
        """Show the previous page of days and select its first day."""
        if self.has_earlier_days:
            self.day_page -= 1
            self._select_day(self.visible_days[0].key)
