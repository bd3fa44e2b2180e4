"""The slot engine: which times of a service can still be booked, and with which staff members.

Opening hours are wall-clock times in the organisation's time zone: the grid is laid out in
local wall time per day and each start is then converted to UTC. Three queries (opening hours,
appointments, exceptions) load the whole range; the rest is plain Python on naive UTC
datetimes: per staff member, the starts their busy time rules out are merged into sorted open
intervals that bisect answers in one step per start.
"""

from __future__ import annotations

import time as clock
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from threading import Lock
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import DateTime, Row, Select, and_, bindparam, or_, type_coerce
from sqlmodel import Session, select

from balie.models import (
    Appointment,
    AppointmentStatus,
    AvailabilityException,
    OpeningHours,
    Organisation,
    Service,
    StaffMember,
    StaffService,
)
from balie.scoping import scope_of

# Inside the engine, times are naive UTC datetimes: SQLite returns them so, and naive
# datetimes compare and subtract without time-zone lookups. Only Slot carries aware ones.
Interval = tuple[datetime, datetime]
"""``[start, end)`` or ``(low, high)`` in naive UTC."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = _EPOCH.replace(tzinfo=None)
# Reading the raw column skips UTCDateTime's per-value Python conversion, which on 2,000
# appointments costs more than the rest of the search; _naive_utc does the same job cheaper.
_RAW_TIMESTAMP = DateTime(timezone=True)
# No appointment is busy longer than the longest service allows (480 + 240 minutes, see
# Service): this lower bound on start_at keeps the index scan off the years of history.
_LONGEST_BUSY = timedelta(minutes=480 + 240)


@dataclass(frozen=True)
class Slot:
    """A bookable time of a service and the staff members who are free for it."""

    start: datetime
    end: datetime
    staff_ids: tuple[int, ...]

    @property
    def capacity(self) -> int:
        """How many appointments can still be booked at this time."""
        return len(self.staff_ids)


@dataclass(frozen=True)
class Window:
    """A weekly opening window, shared by every staff member who has exactly these hours."""

    start_time: time
    end_time: time
    valid_from: date | None
    valid_until: date | None
    staff_ids: tuple[int, ...]

    def valid_on(self, day: date) -> bool:
        """Whether the window applies on ``day``."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until


def _naive_utc(value: datetime) -> datetime:
    """The naive UTC form of a raw timestamp: SQLite's is already naive UTC, PostgreSQL's aware."""
    if value.tzinfo is None:
        return value
    return value - _EPOCH + _NAIVE_EPOCH


def _aware(value: datetime) -> datetime:
    """The aware UTC datetime of a naive UTC one."""
    return value.replace(tzinfo=UTC)


def _merge_open(spans: Iterable[Interval]) -> list[Interval]:
    """Sorted disjoint open intervals covering the same points as ``spans`` (empty ones dropped)."""
    merged: list[Interval] = []
    for low, high in sorted(span for span in spans if span[0] < span[1]):
        if merged and low < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


class _RuledOut:
    """Start times one staff member cannot take, as sorted disjoint open intervals."""

    def __init__(self, spans: Iterable[Interval]) -> None:
        """Merge the open intervals ``spans``."""
        merged = _merge_open(spans)
        self.lows = [low for low, _ in merged]
        self.highs = [high for _, high in merged]

    def keep_free(self, starts: Iterable[datetime]) -> list[datetime]:
        """The ``starts`` that lie in no interval."""
        lows, highs = self.lows, self.highs
        free = []
        for start in starts:
            # Only the last interval opening before ``start`` can contain it.
            index = bisect_left(lows, start) - 1
            if index < 0 or start >= highs[index]:
                free.append(start)
        return free


_NOTHING_RULED_OUT = _RuledOut(())


def _require_aware(value: datetime, name: str) -> None:
    """Refuse naive datetimes: every time the engine is given is an instant."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


@lru_cache(maxsize=64)
def _holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """The public holidays of one year (cached: building them costs more than a slot search)."""
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


def _is_holiday(organisation: Organisation, day: date) -> bool:
    """Whether ``day`` is a public holiday for the organisation."""
    subdivision = organisation.holiday_subdivision or None
    return day in _holidays(organisation.holiday_country, subdivision, day.year)


def _days(first_day: date, last_day: date) -> Iterator[date]:
    """Every date from first_day to last_day inclusive."""
    for offset in range((last_day - first_day).days + 1):
        yield first_day + timedelta(days=offset)


def _bookable_days(
    service: Service, first_day: date, last_day: date, now: datetime, tz: ZoneInfo
) -> tuple[date, date]:
    """The requested days clipped to today, the service's go-live date and its horizon."""
    today = now.astimezone(tz).date()
    horizon = today + timedelta(days=service.horizon_days)
    return max(first_day, today, service.live_from), min(last_day, horizon)


# Built once: a statement object keeps its cache key, so each run skips building and keying.
_OPENING_HOURS = (
    select(
        OpeningHours.service_id,
        OpeningHours.weekday,
        OpeningHours.start_time,
        OpeningHours.end_time,
        OpeningHours.valid_from,
        OpeningHours.valid_until,
        OpeningHours.staff_id,
    )
    .join(
        StaffService,
        and_(
            StaffService.staff_id == OpeningHours.staff_id,
            StaffService.service_id == OpeningHours.service_id,
        ),
    )
    .join(StaffMember, StaffMember.id == OpeningHours.staff_id)
    .where(
        OpeningHours.service_id.in_(bindparam("service_ids", expanding=True)),
        StaffMember.active.is_(True),
        or_(OpeningHours.valid_from.is_(None), OpeningHours.valid_from <= bindparam("last_day")),
        or_(OpeningHours.valid_until.is_(None), OpeningHours.valid_until >= bindparam("first_day")),
    )
)

# In a session scoped to an organisation (the staff member's organisation is the row's).
_OPENING_HOURS_OF = _OPENING_HOURS.where(
    StaffMember.organisation_id == bindparam("organisation_id")
)


def opening_windows(
    session: Session, service_ids: list[int], first_day: date, last_day: date
) -> dict[int, dict[int, list[Window]]]:
    """Per service id and weekday, the windows of its active staff that may apply in the range."""
    parameters = {"service_ids": service_ids, "first_day": first_day, "last_day": last_day}
    scope = scope_of(session)
    if scope is None:
        rows = _core_rows(session, _OPENING_HOURS, parameters)
    else:  # Core skips the session's scoping: the statement applies it itself
        rows = _core_rows(session, _OPENING_HOURS_OF, {**parameters, "organisation_id": scope})
    staff_by_hours: dict[tuple, set[int]] = defaultdict(set)
    for *hours, staff_id in rows:
        staff_by_hours[tuple(hours)].add(staff_id)
    windows: dict[int, dict[int, list[Window]]] = defaultdict(lambda: defaultdict(list))
    for (service_id, weekday, *hours), staff_ids in staff_by_hours.items():
        windows[service_id][weekday].append(Window(*hours, staff_ids=tuple(sorted(staff_ids))))
    return windows


def local_to_utc(wall: datetime, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of a local wall time, or None when the clock skips it (spring forward)."""
    # An ambiguous time (the autumn hour that occurs twice) gets fold=0: its summer-time one.
    instant = wall.replace(tzinfo=tz).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        return None
    return instant


def wall_starts(day: date, window: Window, length: timedelta, step: timedelta) -> list[datetime]:
    """Local wall times at which an appointment of ``length`` fits in the window on ``day``."""
    start = datetime.combine(day, window.start_time)
    end = datetime.combine(day, window.end_time)
    starts: list[datetime] = []
    while start + length <= end:
        starts.append(start)
        start += step
    return starts


def _grid(day: date, window: Window, service: Service, tz: ZoneInfo) -> list[datetime]:
    """UTC starts (naive) of the window's grid on ``day``, laid out in wall time."""
    length = timedelta(minutes=service.appointment_minutes)
    step = timedelta(minutes=service.appointment_minutes + service.buffer_minutes)
    walls = wall_starts(day, window, length, step)
    if not walls:
        return []
    first, last = local_to_utc(walls[0], tz), local_to_utc(walls[-1], tz)
    if first is not None and last is not None and last - first == walls[-1] - walls[0]:
        # No clock change inside the window (the usual case): steps are the same in UTC.
        base = _naive_utc(first)
        return [base + index * step for index in range(len(walls))]
    instants = (local_to_utc(wall, tz) for wall in walls)
    return [_naive_utc(instant) for instant in instants if instant is not None]


def _on_duty(
    organisation: Organisation,
    service: Service,
    windows: dict[int, list[Window]],
    days: tuple[date, date],
    earliest: datetime,
) -> dict[int, set[datetime]]:
    """Per staff member, their grid starts on the open days, no earlier than ``earliest``."""
    tz = ZoneInfo(organisation.time_zone)
    on_duty: dict[int, set[datetime]] = defaultdict(set)
    for day in _days(*days):
        open_windows = [w for w in windows.get(day.weekday(), ()) if w.valid_on(day)]
        if not open_windows or _is_holiday(organisation, day):
            continue
        for window in open_windows:
            starts = [start for start in _grid(day, window, service, tz) if start >= earliest]
            for staff_id in window.staff_ids:
                on_duty[staff_id].update(starts)
    return {staff_id: starts for staff_id, starts in on_duty.items() if starts}


# (staff id, start, busy until) of the active appointments of the staff members asked for.
_ACTIVE_TIMES = select(
    Appointment.staff_id,
    type_coerce(Appointment.start_at, _RAW_TIMESTAMP),
    type_coerce(Appointment.busy_until, _RAW_TIMESTAMP),
).where(
    Appointment.staff_id.in_(bindparam("staff_ids", expanding=True)),
    Appointment.status != AppointmentStatus.CANCELLED,
)

_BUSY = _ACTIVE_TIMES.where(
    Appointment.start_at > bindparam("earliest_start"),
    Appointment.start_at < bindparam("highest"),
    Appointment.busy_until > bindparam("lowest"),
)


def _core_rows(session: Session, statement: Select, parameters: dict) -> Sequence[Row]:
    """Rows of a prebuilt column query run as Core on the session's connection."""
    # The ORM's per-row bookkeeping is wasted on plain columns and costs several ms on 2,000
    # rows; a statement built once also keeps its cache key (no building, no keying per call).
    return session.connection().execute(statement, parameters).all()


def _busy_times(
    session: Session, staff_ids: set[int], lowest: datetime, highest: datetime
) -> dict[int, list[Interval]]:
    """Per staff member, the busy time of their active appointments (any service) in the range."""
    parameters = {
        "staff_ids": list(staff_ids),
        "earliest_start": _aware(lowest - _LONGEST_BUSY),
        "highest": _aware(highest),
        "lowest": _aware(lowest),
    }
    rows = _core_rows(session, _BUSY, parameters)
    intervals: dict[int, list[Interval]] = defaultdict(list)
    for staff_id, start, busy_until in rows:
        intervals[staff_id].append((_naive_utc(start), _naive_utc(busy_until)))
    return intervals


_EXCEPTIONS = select(
    AvailabilityException.staff_id,
    type_coerce(AvailabilityException.start_at, _RAW_TIMESTAMP),
    type_coerce(AvailabilityException.end_at, _RAW_TIMESTAMP),
).where(
    or_(
        AvailabilityException.staff_id.in_(bindparam("staff_ids", expanding=True)),
        and_(
            AvailabilityException.staff_id.is_(None),
            AvailabilityException.organisation_id == bindparam("organisation_id"),
        ),
    ),
    AvailabilityException.start_at < bindparam("highest"),
    AvailabilityException.end_at > bindparam("lowest"),
)


def _unavailable_times(
    session: Session,
    organisation_id: int,
    staff_ids: set[int],
    lowest: datetime,
    highest: datetime,
) -> dict[int, list[Interval]]:
    """Per staff member, their leave plus the organisation's closures in the range."""
    parameters = {
        "staff_ids": list(staff_ids),
        "organisation_id": organisation_id,
        "lowest": _aware(lowest),
        "highest": _aware(highest),
    }
    rows = _core_rows(session, _EXCEPTIONS, parameters)
    intervals = [(staff_id, _naive_utc(start), _naive_utc(end)) for staff_id, start, end in rows]
    closures = [(start, end) for staff_id, start, end in intervals if staff_id is None]
    away: dict[int, list[Interval]] = {staff_id: list(closures) for staff_id in staff_ids}
    for staff_id, start, end in intervals:
        if staff_id is not None:
            away[staff_id].append((start, end))
    return away


def _ruled_out(
    busy: dict[int, list[Interval]],
    away: dict[int, list[Interval]],
    length: timedelta,
    occupied: timedelta,
) -> dict[int, _RuledOut]:
    """Per staff member, the starts their appointments and exceptions rule out."""
    # A start s clashes with busy time [a, b) when a - occupied < s < b, and with an
    # exception [a, b) when a - length < s < b: one merged list answers both at once.
    spans: dict[int, list[Interval]] = defaultdict(list)
    for staff_id, intervals in busy.items():
        spans[staff_id].extend((start - occupied, end) for start, end in intervals)
    for staff_id, intervals in away.items():
        spans[staff_id].extend((start - length, end) for start, end in intervals)
    return {staff_id: _RuledOut(staff_spans) for staff_id, staff_spans in spans.items()}


def _free_staff_by_start(
    session: Session, service: Service, organisation_id: int, on_duty: dict[int, set[datetime]]
) -> dict[datetime, list[int]]:
    """Per start, the staff on duty (ascending) with neither an appointment nor an exception."""
    length = timedelta(minutes=service.appointment_minutes)
    occupied = timedelta(minutes=service.appointment_minutes + service.buffer_minutes)
    lowest = min(min(starts) for starts in on_duty.values())
    highest = max(max(starts) for starts in on_duty.values()) + occupied
    staff_ids = set(on_duty)
    busy = _busy_times(session, staff_ids, lowest, highest)
    away = _unavailable_times(session, organisation_id, staff_ids, lowest, highest)
    ruled_out = _ruled_out(busy, away, length, occupied)
    free: dict[datetime, list[int]] = defaultdict(list)
    for staff_id in sorted(on_duty):
        for start in ruled_out.get(staff_id, _NOTHING_RULED_OUT).keep_free(on_duty[staff_id]):
            free[start].append(staff_id)
    return free


def free_slots(
    session: Session,
    service: Service,
    first_day: date,
    last_day: date,
    now: datetime,
    organisation: Organisation | None = None,
) -> list[Slot]:
    """Free times of ``service`` on the local days first_day..last_day (inclusive), by start.

    One query each for opening hours, appointments and exceptions (and the organisation,
    unless the caller passes it).
    """
    _require_aware(now, "now")
    if not service.active:
        return []
    organisation = organisation or session.get(Organisation, service.organisation_id)
    if organisation is None:
        return []
    days = _bookable_days(service, first_day, last_day, now, ZoneInfo(organisation.time_zone))
    if days[0] > days[1]:
        return []
    windows = opening_windows(session, [service.id], *days)[service.id]
    earliest = _naive_utc(now) + timedelta(minutes=service.min_notice_minutes)
    on_duty = _on_duty(organisation, service, windows, days, earliest)
    if not on_duty:
        return []
    free = _free_staff_by_start(session, service, organisation.id, on_duty)
    length = timedelta(minutes=service.appointment_minutes)
    return [
        Slot(_aware(start), _aware(start + length), tuple(free[start])) for start in sorted(free)
    ]


def free_staff_at(
    session: Session,
    service: Service,
    start: datetime,
    now: datetime,
    organisation: Organisation | None = None,
) -> list[int]:
    """Staff ids free for ``service`` starting exactly at ``start`` (aware); [] if not offered."""
    return free_staff_and_load(session, service, start, now, organisation)[0]


def _day_bounds(day: date, tz: ZoneInfo) -> Interval:
    """The local day ``day`` as naive UTC ``[start, end)``."""
    first = datetime.combine(day, time.min, tz)
    after = datetime.combine(day + timedelta(days=1), time.min, tz)
    return _naive_utc(first.astimezone(UTC)), _naive_utc(after.astimezone(UTC))


_DAY_APPOINTMENTS = _ACTIVE_TIMES.where(
    Appointment.start_at > bindparam("lowest"),
    Appointment.start_at < bindparam("highest"),
)


def _day_appointments(
    session: Session, staff_ids: list[int], lowest: datetime, highest: datetime
) -> Sequence[Row]:
    """(staff id, start, busy until) of the active appointments starting in (lowest, highest)."""
    parameters = {"staff_ids": staff_ids, "lowest": _aware(lowest), "highest": _aware(highest)}
    return _core_rows(session, _DAY_APPOINTMENTS, parameters)


def free_staff_and_load(
    session: Session,
    service: Service,
    start: datetime,
    now: datetime,
    organisation: Organisation | None = None,
) -> tuple[list[int], dict[int, int]]:
    """``free_staff_at`` and, per free staff member, their active appointments that local day.

    The booking's check: only the one start is laid out and one query per table (opening hours,
    the day's appointments, exceptions) answers both the check and the fair order.
    """
    _require_aware(start, "start")
    organisation = organisation or session.get(Organisation, service.organisation_id)
    if organisation is None or not service.active:
        return [], {}
    tz = ZoneInfo(organisation.time_zone)
    day = start.astimezone(tz).date()
    days = _bookable_days(service, day, day, now, tz)
    if days[0] > days[1]:
        return [], {}
    wanted = _naive_utc(start.astimezone(UTC))
    earliest = _naive_utc(now) + timedelta(minutes=service.min_notice_minutes)
    if wanted < earliest:
        return [], {}
    windows = opening_windows(session, [service.id], *days)[service.id]
    on_duty = _on_duty(organisation, service, windows, days, wanted)
    staff_ids = sorted(staff_id for staff_id, starts in on_duty.items() if wanted in starts)
    if not staff_ids:
        return [], {}
    length = timedelta(minutes=service.appointment_minutes)
    occupied = timedelta(minutes=service.appointment_minutes + service.buffer_minutes)
    day_start, day_end = _day_bounds(day, tz)
    rows = _day_appointments(
        session,
        staff_ids,
        min(day_start - timedelta.resolution, wanted - _LONGEST_BUSY),
        max(day_end, wanted + occupied),
    )
    taken: set[int] = set()
    load: dict[int, int] = defaultdict(int)
    for staff_id, begins, busy_until in rows:
        begins, busy_until = _naive_utc(begins), _naive_utc(busy_until)
        if begins - occupied < wanted < busy_until:
            taken.add(staff_id)
        if day_start <= begins < day_end:
            load[staff_id] += 1
    away = _unavailable_times(session, organisation.id, set(staff_ids), wanted, wanted + occupied)
    for staff_id, intervals in away.items():
        if any(low - length < wanted < high for low, high in intervals):
            taken.add(staff_id)
    free = [staff_id for staff_id in staff_ids if staff_id not in taken]
    return free, {staff_id: load[staff_id] for staff_id in free}


CACHED_KEYS_AT_MOST = 2_000  # (service, days) lists kept at once; expired ones go first


@dataclass(frozen=True)
class _Cached:
    """Free times computed at one generation of a service, valid until ``expires``."""

    generation: int
    expires: float
    slots: tuple[Slot, ...]
    occupied: timedelta = timedelta(0)  # the service's appointment plus buffer
    starts: tuple[datetime, ...] = ()  # the slots' starts, for bisect

    def without(self, staff_id: int, start: datetime, busy_until: datetime) -> _Cached:
        """This entry once ``staff_id`` is busy over ``[start, busy_until)`` (aware UTC)."""
        # The engine's rule: busy time [a, b) rules out the starts s with a - occupied < s < b.
        low = bisect_right(self.starts, start - self.occupied)
        high = bisect_left(self.starts, busy_until)
        if not any(staff_id in slot.staff_ids for slot in self.slots[low:high]):
            return self
        kept = [
            slot
            if staff_id not in slot.staff_ids
            else Slot(slot.start, slot.end, tuple(s for s in slot.staff_ids if s != staff_id))
            for slot in self.slots[low:high]
        ]
        kept = [slot for slot in kept if slot.staff_ids]
        slots = (*self.slots[:low], *kept, *self.slots[high:])
        return replace(self, slots=slots, starts=tuple(slot.start for slot in slots))


class SlotCache:
    """Free times per service and day range, reused for a moment inside one process.

    Fifty citizens opening the same service within a second share one computation. A booking,
    move or cancellation in this process forgets the service's lists at once (``forget``); one
    in another process shows after at most ``seconds``, as any booking made meanwhile would.
    The booking itself never uses these lists: it checks the time afresh.
    """

    def __init__(self, monotonic: Callable[[], float] = clock.monotonic) -> None:
        """An empty cache on the clock ``monotonic``."""
        self._monotonic = monotonic
        self._lock = Lock()
        self._entries: dict[tuple, _Cached] = {}
        self._generations: dict[int, int] = defaultdict(int)

    def free_slots(
        self,
        seconds: float,
        session: Session,
        service: Service,
        first_day: date,
        last_day: date,
        now: datetime,
        organisation: Organisation | None = None,
    ) -> list[Slot]:
        """``free_slots``, from the cache when computed less than ``seconds`` ago."""
        if seconds <= 0:
            return free_slots(session, service, first_day, last_day, now, organisation)
        bind = session.get_bind()
        minute = now.replace(second=0, microsecond=0)
        key = (id(bind), str(bind.url), service.id, first_day, last_day, minute)
        moment = self._monotonic()
        with self._lock:
            generation = self._generations[service.id]
            cached = self._entries.get(key)
        if cached is not None and cached.generation == generation and cached.expires > moment:
            return list(cached.slots)
        slots = free_slots(session, service, first_day, last_day, now, organisation)
        with self._lock:
            if self._generations[service.id] == generation:  # no booking while computing
                self._make_room(moment)
                occupied = timedelta(minutes=service.appointment_minutes + service.buffer_minutes)
                starts = tuple(slot.start for slot in slots)
                entry = _Cached(generation, moment + seconds, tuple(slots), occupied, starts)
                self._entries[key] = entry
        return slots

    def _make_room(self, moment: float) -> None:
        """Drop expired lists when the cache is full (all of them if none expired)."""
        if len(self._entries) < CACHED_KEYS_AT_MOST:
            return
        self._entries = {
            key: entry for key, entry in self._entries.items() if entry.expires > moment
        }
        if len(self._entries) >= CACHED_KEYS_AT_MOST:
            self._entries.clear()

    def took(
        self,
        session: Session,
        service_id: int,
        staff_id: int,
        start: datetime,
        busy_until: datetime,
    ) -> None:
        """A booking in this process made ``staff_id`` busy over ``[start, busy_until)``.

        Instead of forgetting the service's lists, every live list of the session's database
        (of any service) loses that staff member at the starts the busy time rules out; lists
        still being computed from before the booking are not kept (the generation moves on).
        """
        bind = session.get_bind()
        database = (id(bind), str(bind.url))
        _require_aware(start, "start")
        moment = self._monotonic()
        with self._lock:
            generations = self._generations
            kept: dict[tuple, _Cached] = {}
            for key, entry in self._entries.items():
                if entry.expires > moment and entry.generation == generations[key[2]]:
                    kept[key] = entry
            generations[service_id] += 1
            for key, entry in kept.items():
                if key[:2] == database:
                    entry = entry.without(staff_id, start, busy_until)
                kept[key] = replace(entry, generation=generations[key[2]])
            self._entries = kept

    def forget(self, service_id: int) -> None:
        """Forget the lists of a service (its free times changed in this process)."""
        with self._lock:
            self._generations[service_id] += 1


SLOT_CACHE = SlotCache()


def cached_free_slots(
    session: Session,
    service: Service,
    first_day: date,
    last_day: date,
    now: datetime,
    organisation: Organisation | None = None,
) -> list[Slot]:
    """``free_slots`` through the process's cache for ``BALIE_SLOT_CACHE_SECONDS``."""
    from balie.settings import get_settings  # late: the engine itself is settings-free

    seconds = get_settings().slot_cache_seconds
    return SLOT_CACHE.free_slots(seconds, session, service, first_day, last_day, now, organisation)
