"""Figures for managers: calls held, bookings, no-shows, growth, waiting time and capacity use.

Definitions (every figure counts appointments by the *local* day of their start, in the
organisation's time zone, within the period; a moved appointment is one row with its new
start, so it counts once, at its new time):

- held: appointments with status ``completed``.
- booked: appointments still ``booked`` (upcoming, or past without a recorded result).
- cancelled / no_shows: appointments with status ``cancelled`` / ``no_show``.
- total: held + booked + cancelled + no_shows = every appointment whose start is in the period.
- no_show_rate: no_shows / (held + no_shows), the share of calls that were due and missed.
- cancellation_rate: cancelled / total.
- satisfaction: the average feedback score (1-5) of the appointments in the period that have
  one, with the number of answers.
- A rate or average is None when its denominator is 0.
- contains_demo_data: some appointment counted in the period, or still booked after ``now``,
  was made up by the demo data (``Appointment.is_demo``).

Weeks are ISO weeks (``2026-W13``) and months calendar months (``2026-03``) of the local start;
a week or month only partly inside the period counts only its days inside the period.

The counting is done by the database (GROUP BY the local day), so a year of a large city is a
few thousand rows for Python, not hundreds of thousands. ``dashboard`` gathers everything the
managers' page shows in one call; the page, its CSV export and the benchmark all use it.
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import ARRAY, ColumnElement, DateTime, Integer, cast, func, literal, tuple_
from sqlmodel import Session, select

from balie.models import (
    Appointment,
    AppointmentStatus,
    AvailabilityException,
    BookingChannel,
    Organisation,
    Outcome,
    Service,
)
from balie.services.slots import Window, free_slots, local_to_utc, opening_windows, wall_starts

_SECONDS_PER_DAY = 86400
_SECONDS_PER_HOUR = 3600
# The first free slot is looked for in growing steps: usually today or this week has one.
_FIRST_SLOT_STEPS = (0, 7)


@dataclass(frozen=True)
class Period:
    """Local days ``first`` to ``last``, both inclusive."""

    first: date
    last: date


@dataclass(frozen=True)
class Headline:
    """The headline figures of a period (see the module docstring for the definitions)."""

    held: int
    booked: int
    cancelled: int
    no_shows: int
    no_show_rate: float | None
    cancellation_rate: float | None
    services_live: int
    satisfaction: float | None = None
    satisfaction_answers: int = 0


@dataclass(frozen=True)
class ServiceFigures:
    """Figures of one service in a period.

    - held: completed calls in the period.
    - upcoming: appointments still ``booked`` that start at or after ``now`` (any date, not
      limited to the period).
    - no_show_rate: as in Headline.
    - median_lead_time_days: median of (start - created_at) in days over the appointments in
      the period that were not cancelled; None when there are none.
    - first_free_slot_hours: hours from ``now`` to the first free slot (slot engine, within
      the service's horizon); None when there is none.
    - capacity_use: booked minutes / offered minutes in the period. Booked minutes: the length
      of every appointment in the period that was not cancelled (held, no-show, still booked).
      Offered minutes: the minutes of the places on the service's grid, as the slot engine
      lays it out (opening hours per active staff member, minus public holidays, closures,
      leave and the days before go-live; none for an inactive service), whether booked or
      not. An appointment outside the hours adds booked minutes but offers none, so the
      share can pass 1. None when nothing was offered.
    - outcomes: per outcome value, how many appointments in the period have it (zeros included).
    """

    slug: str
    name_nl: str
    held: int
    upcoming: int
    no_show_rate: float | None
    median_lead_time_days: float | None
    first_free_slot_hours: float | None
    capacity_use: float | None
    outcomes: dict[str, int]
    name_en: str = ""


@dataclass(frozen=True)
class ServiceOption:
    """A service to filter on."""

    id: int
    slug: str
    name_nl: str
    name_en: str
    live_from: date


@dataclass(frozen=True)
class Wave:
    """A go-live date inside the period, with its ISO week and month and the services."""

    day: date
    week: str
    month: str
    slugs: tuple[str, ...]


Buckets = list[tuple[str, dict[str, int]]]


@dataclass(frozen=True)
class Dashboard:
    """Everything the managers' page shows for one period and service filter."""

    period: Period
    service_id: int | None
    services: list[ServiceOption]
    headline: Headline
    held_per_week: Buckets
    held_per_month: Buckets
    per_service: list[ServiceFigures]
    channel_per_month: Buckets
    waves: list[Wave]
    contains_demo_data: bool
    upcoming: int = 0
    previous: Headline | None = None


@dataclass
class _Counts:
    """Running totals of one service's appointments in the period."""

    by_status: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    feedback_sum: int = 0
    feedback_answers: int = 0
    booked_minutes: float = 0.0
    outcomes: dict[str, int] = field(default_factory=lambda: {o.value: 0 for o in Outcome})


@dataclass
class _Aggregates:
    """What the database counted for a period: per service, per local day, per channel."""

    per_service: dict[int, _Counts]
    held_per_day: dict[tuple[int, date], int]
    channel_per_day: dict[tuple[date, str], int]
    demo: bool


def _rate(part: float, whole: float) -> float | None:
    """part / whole, or None when whole is 0."""
    return part / whole if whole else None


def _tz(session: Session, organisation_id: int) -> ZoneInfo:
    """The organisation's time zone."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise ValueError(f"no organisation {organisation_id}")
    return ZoneInfo(organisation.time_zone)


def _day_start(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which the local ``day`` starts."""
    return datetime.combine(day, time(0), tz).astimezone(UTC)


def _day_starts(period: Period, tz: ZoneInfo) -> list[datetime]:
    """The UTC instants at which each day of the period starts, and the day after its last."""
    days = (period.last - period.first).days + 2
    return [_day_start(period.first + timedelta(days=offset), tz) for offset in range(days)]


def _bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants [start of first day, start of the day after last) of the period."""
    return _day_start(period.first, tz), _day_start(period.last + timedelta(days=1), tz)


def _in_period(
    organisation_id: int, period: Period, tz: ZoneInfo, service_id: int | None
) -> list[ColumnElement[bool]]:
    """WHERE clauses: the organisation's appointments (of one service) starting in the period."""
    low, high = _bounds(period, tz)
    clauses = [
        Appointment.organisation_id == organisation_id,
        Appointment.start_at >= low,
        Appointment.start_at < high,
    ]
    if service_id is not None:
        clauses.append(Appointment.service_id == service_id)
    return clauses


def _services(session: Session, organisation_id: int, service_id: int | None) -> list[Service]:
    """The organisation's services (or the one asked for), in catalogue order."""
    statement = select(Service).where(Service.organisation_id == organisation_id)
    if service_id is not None:
        statement = statement.where(Service.id == service_id)
    return list(session.exec(statement.order_by(Service.sort_order, Service.id)).all())


def _days(period: Period) -> Iterator[date]:
    """Every day of the period."""
    for offset in range((period.last - period.first).days + 1):
        yield period.first + timedelta(days=offset)


def _week_label(day: date) -> str:
    """ISO week of a day, like ``2026-W13``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _month_label(day: date) -> str:
    """Month of a day, like ``2026-03``."""
    return f"{day.year}-{day.month:02d}"


def previous_period(period: Period) -> Period:
    """The period of the same length that ends the day before ``period`` starts."""
    length = period.last - period.first
    last = period.first - timedelta(days=1)
    return Period(last - length, last)


def change(current: float | None, previous: float | None) -> float | None:
    """The relative change from ``previous`` to ``current`` (0.25: 25 % more); None if unknown."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


def default_period(session: Session, organisation_id: int, today: date) -> Period:
    """From the earliest go-live of the organisation's services to ``today``."""
    first = session.exec(
        select(func.min(Service.live_from)).where(Service.organisation_id == organisation_id)
    ).one()
    return Period(min(first or today, today), today)


# --- What the database counts -------------------------------------------------------------


def _is_postgresql(session: Session) -> bool:
    """Whether the session talks to PostgreSQL (which converts time zones itself)."""
    return session.get_bind().dialect.name == "postgresql"


def _local_day_column(session: Session, starts: list[datetime]) -> ColumnElement[Any]:
    """Which day of the period an appointment starts on: its number (PostgreSQL) or minute.

    PostgreSQL looks the start up among the UTC instants at which the period's days begin
    (``width_bucket``: a binary search, cheaper per row than converting every start to local
    time). SQLite groups by the UTC minute of the start (text) and Python looks each distinct
    minute up in the same list: offsets and clock changes fall on whole minutes.
    """
    if _is_postgresql(session):
        thresholds = literal(starts, ARRAY(DateTime(timezone=True)))
        return func.width_bucket(Appointment.start_at, thresholds)
    return func.strftime("%Y-%m-%d %H:%M", Appointment.start_at)


def _to_local_day(
    value: int | str, period: Period, starts: list[datetime], seen: dict[Any, date]
) -> date:
    """The local day of a grouped value: a day number (PostgreSQL) or a UTC minute (SQLite)."""
    day = seen.get(value)
    if day is None:
        if isinstance(value, int):
            number = value
        else:
            number = bisect_right(starts, datetime.fromisoformat(value).replace(tzinfo=UTC))
        day = seen[value] = period.first + timedelta(days=number - 1)
    return day


def _minutes_sum(postgresql: bool) -> ColumnElement[Any]:
    """SQL for the total length of the grouped appointments (an interval, or seconds)."""
    if postgresql:
        return func.sum(Appointment.end_at - Appointment.start_at)
    seconds = func.strftime("%s", Appointment.end_at) - func.strftime("%s", Appointment.start_at)
    return func.sum(seconds)


def _as_minutes(total: timedelta | float | None) -> float:
    """Minutes of a summed length: PostgreSQL gives an interval, SQLite seconds."""
    if total is None:
        return 0.0
    if isinstance(total, timedelta):
        return total.total_seconds() / 60
    return float(total) / 60


# Two groupings by local day: held calls per service (weeks, months) and appointments per
# channel (channel per month). PostgreSQL counts both in one scan (GROUPING SETS); SQLite runs
# two queries. Everything else is counted per service, status and outcome in a scan of its
# own: few aggregates per grouping keep the per-row work small, and on PostgreSQL the scans
# run side by side.
_DAY_GROUPINGS: dict[str, tuple[str, ...]] = {
    "service_day": ("service_id", "day"),
    "channel_day": ("channel", "day"),
}
_DAY_KEYS = ("service_id", "channel", "day")
_WORK_MEM = "SET LOCAL work_mem = '64MB'"


def _day_rows(
    session: Session, where: list[ColumnElement[bool]], starts: list[datetime]
) -> Iterator[tuple[str, Sequence[Any]]]:
    """Per day grouping, its rows: service id, channel, day (None where not grouped), counts."""
    keys = {
        "service_id": Appointment.service_id,
        "channel": Appointment.channel,
        "day": _local_day_column(session, starts),
    }
    counts = [
        func.count(),
        func.count().filter(Appointment.status == AppointmentStatus.COMPLETED),
    ]
    # Core, not the ORM: its per-row bookkeeping is wasted on plain columns.
    connection = session.connection()
    if _is_postgresql(session):
        # With the default 4 MB PostgreSQL sorts a year of a large city on disk instead of
        # hashing it; the setting lasts until the end of this (read) transaction only.
        connection.exec_driver_sql(_WORK_MEM)
        sets = func.grouping_sets(
            *(tuple_(*(keys[name] for name in grouped)) for grouped in _DAY_GROUPINGS.values())
        )
        by_mask = {
            sum(1 << (2 - index) for index, key in enumerate(_DAY_KEYS) if key not in grouped): name
            for name, grouped in _DAY_GROUPINGS.items()
        }
        statement = select(func.grouping(*keys.values()), *keys.values(), *counts)
        for mask, *row in connection.execute(statement.where(*where).group_by(sets)):
            yield by_mask[mask], row
        return
    for name, grouped in _DAY_GROUPINGS.items():
        statement = select(*(keys[key] for key in grouped), *counts).where(*where)
        for row in connection.execute(statement.group_by(*(keys[key] for key in grouped))):
            found = dict(zip(grouped, row, strict=False))
            yield name, [*(found.get(key) for key in _DAY_KEYS), *row[len(grouped) :]]


_PerDay = tuple[dict[tuple[int, date], int], dict[tuple[date, str], int]]


def _day_counts(
    session: Session, organisation_id: int, period: Period, tz: ZoneInfo, service_id: int | None
) -> _PerDay:
    """Calls held per (service id, local day) and appointments per (local day, channel)."""
    where = _in_period(organisation_id, period, tz, service_id)
    starts = _day_starts(period, tz)
    seen: dict[Any, date] = {}
    held_per_day: dict[tuple[int, date], int] = defaultdict(int)
    channel_per_day: dict[tuple[date, str], int] = defaultdict(int)
    for name, (service, channel, day, count, held) in _day_rows(session, where, starts):
        if name == "channel_day":
            channel_per_day[(_to_local_day(day, period, starts, seen), channel)] += count
        elif held:
            held_per_day[(service, _to_local_day(day, period, starts, seen))] += held
    return held_per_day, channel_per_day


def _status_counts(
    session: Session, organisation_id: int, period: Period, tz: ZoneInfo, service_id: int | None
) -> tuple[dict[int, _Counts], bool]:
    """Per service id its counts by status and outcome, feedback and minutes; any demo?"""
    per_service: dict[int, _Counts] = defaultdict(_Counts)
    demo = False
    rows = session.connection().execute(
        select(
            Appointment.service_id,
            Appointment.status,
            Appointment.outcome,
            func.count(),
            func.count(Appointment.feedback_score),
            func.coalesce(func.sum(Appointment.feedback_score), 0),
            _minutes_sum(_is_postgresql(session)),
            func.max(cast(Appointment.is_demo, Integer)),
        )
        .where(*_in_period(organisation_id, period, tz, service_id))
        .group_by(Appointment.service_id, Appointment.status, Appointment.outcome)
    )
    for service, status, outcome, count, answers, scores, length, is_demo in rows:
        counts = per_service[service]
        counts.by_status[status] += count
        counts.feedback_answers += answers
        counts.feedback_sum += int(scores)
        if status != AppointmentStatus.CANCELLED:
            counts.booked_minutes += _as_minutes(length)
        if outcome is not None:
            counts.outcomes[outcome] += count
        demo = demo or bool(is_demo)
    return per_service, demo


def _start_aggregate(
    session: Session,
    pool: ThreadPoolExecutor | None,
    organisation_id: int,
    scope: tuple[Period, ZoneInfo, int | None],
) -> Callable[[], _Aggregates]:
    """Start counting the period's appointments (both scans); returns how to get the counts."""
    days = _start(session, pool, _day_counts, organisation_id, *scope)
    statuses = _start(session, pool, _status_counts, organisation_id, *scope)

    def counted() -> _Aggregates:
        (held_per_day, channel_per_day), (per_service, demo) = days(), statuses()
        return _Aggregates(per_service, held_per_day, channel_per_day, demo)

    return counted


def _aggregate(
    session: Session, organisation_id: int, period: Period, tz: ZoneInfo, service_id: int | None
) -> _Aggregates:
    """Count the period's appointments in the database, one scan after the other."""
    return _start_aggregate(session, None, organisation_id, (period, tz, service_id))()


def _median_lead_days(
    session: Session, organisation_id: int, period: Period, tz: ZoneInfo, service_id: int | None
) -> dict[int, float]:
    """Per service, the median days from booking to start of the period's kept appointments."""
    where = [
        *_in_period(organisation_id, period, tz, service_id),
        Appointment.status != AppointmentStatus.CANCELLED,
    ]
    if _is_postgresql(session):
        # Collecting each service's lead times in an array (hashed) and taking the median of
        # each array sorts ~12,000 values 15 times instead of ~180,000 rows first.
        lead = func.date_part("epoch", Appointment.start_at - Appointment.created_at)
        per_service = (
            select(Appointment.service_id, func.array_agg(lead).label("leads"))
            .where(*where)
            .group_by(Appointment.service_id)
            .subquery()
        )
        each = func.unnest(per_service.c.leads).column_valued("lead")
        middle = select(func.percentile_cont(0.5).within_group(each)).scalar_subquery()
        session.connection().exec_driver_sql(_WORK_MEM)
        rows = session.connection().execute(select(per_service.c.service_id, middle)).all()
        return {service: float(seconds) / _SECONDS_PER_DAY for service, seconds in rows}
    leads: dict[int, list[float]] = defaultdict(list)
    for service, start, created in session.exec(
        select(Appointment.service_id, Appointment.start_at, Appointment.created_at).where(*where)
    ).all():
        leads[service].append((start - created).total_seconds())
    return {service: median(values) / _SECONDS_PER_DAY for service, values in leads.items()}


def _upcoming(
    session: Session, organisation_id: int, now: datetime, service_id: int | None = None
) -> tuple[dict[int, int], bool]:
    """Per service id, appointments still booked that start at or after ``now``; any demo?"""
    statement = select(
        Appointment.service_id, func.count(), func.max(cast(Appointment.is_demo, Integer))
    ).where(
        Appointment.organisation_id == organisation_id,
        Appointment.status == AppointmentStatus.BOOKED,
        Appointment.start_at >= now,
    )
    if service_id is not None:
        statement = statement.where(Appointment.service_id == service_id)
    rows = session.exec(statement.group_by(Appointment.service_id)).all()
    return {service: count for service, count, _ in rows}, any(demo for *_, demo in rows)


# --- Figures built from the counts --------------------------------------------------------


def _headline(services: list[Service], aggregates: _Aggregates, period: Period) -> Headline:
    """The headline of the counted appointments of ``services``."""
    wanted = {service.id for service in services}
    by_status: dict[str, int] = defaultdict(int)
    answers = score_sum = 0
    for service_id, counts in aggregates.per_service.items():
        if service_id not in wanted:
            continue
        for status, count in counts.by_status.items():
            by_status[status] += count
        answers += counts.feedback_answers
        score_sum += counts.feedback_sum
    held = by_status[AppointmentStatus.COMPLETED]
    booked = by_status[AppointmentStatus.BOOKED]
    cancelled = by_status[AppointmentStatus.CANCELLED]
    no_shows = by_status[AppointmentStatus.NO_SHOW]
    live = sum(1 for service in services if service.active and service.live_from <= period.last)
    return Headline(
        held=held,
        booked=booked,
        cancelled=cancelled,
        no_shows=no_shows,
        no_show_rate=_rate(no_shows, held + no_shows),
        cancellation_rate=_rate(cancelled, held + booked + cancelled + no_shows),
        services_live=live,
        satisfaction=_rate(score_sum, answers),
        satisfaction_answers=answers,
    )


def _held_buckets(
    services: list[Service], aggregates: _Aggregates, period: Period, label: Callable[[date], str]
) -> Buckets:
    """Calls held per bucket (``label`` of the local day) and service slug, zeros included."""
    slugs = {service.id: service.slug for service in services}
    labels = list(dict.fromkeys(label(day) for day in _days(period)))
    buckets = {name: dict.fromkeys(slugs.values(), 0) for name in labels}
    for (service_id, day), count in aggregates.held_per_day.items():
        if service_id in slugs:
            buckets[label(day)][slugs[service_id]] += count
    return list(buckets.items())


def _channel_buckets(aggregates: _Aggregates, period: Period) -> Buckets:
    """Appointments per month and booking channel, every month of the period."""
    labels = list(dict.fromkeys(_month_label(day) for day in _days(period)))
    buckets = {name: {channel.value: 0 for channel in BookingChannel} for name in labels}
    for (day, channel), count in aggregates.channel_per_day.items():
        buckets[_month_label(day)][channel] += count
    return list(buckets.items())


def _waves(services: list[Service], period: Period) -> list[Wave]:
    """The go-live dates of ``services`` inside the period, oldest first."""
    by_day: dict[date, list[str]] = defaultdict(list)
    for service in services:
        if period.first <= service.live_from <= period.last:
            by_day[service.live_from].append(service.slug)
    return [
        Wave(day, _week_label(day), _month_label(day), tuple(slugs))
        for day, slugs in sorted(by_day.items())
    ]


# --- Offered minutes: the grid of the opening hours ---------------------------------------
# The same grid as the slot engine's (balie.services.slots): per staff member and opening
# window, starts laid out in local wall time every appointment + buffer minutes while the
# appointment fits; no slots on public holidays, before go-live, for inactive staff or
# services, nor where leave or a closure [a, b) covers a start s (a - length < s < b). Only
# counted, never listed, so a year of fifteen services stays a few milliseconds of work.


def _away(
    session: Session, organisation_id: int, period: Period, tz: ZoneInfo
) -> dict[int | None, list[tuple[datetime, datetime]]]:
    """Leave per staff id and closures (key None) touching the period, as UTC spans."""
    low, high = _bounds(period, tz)
    rows = session.exec(
        select(
            AvailabilityException.staff_id,
            AvailabilityException.start_at,
            AvailabilityException.end_at,
        ).where(
            AvailabilityException.organisation_id == organisation_id,
            AvailabilityException.start_at < high + timedelta(days=1),
            AvailabilityException.end_at > low - timedelta(days=1),
        )
    ).all()
    away: dict[int | None, list[tuple[datetime, datetime]]] = defaultdict(list)
    for staff_id, start, end in rows:
        away[staff_id].append((start, end))
    return away


@lru_cache(maxsize=256)
def _starts_per_window(window: Window, length: timedelta, step: timedelta) -> int:
    """How many starts the window's grid has on a day without a clock change."""
    return len(wall_starts(date(2001, 1, 1), window, length, step))


def _utc_starts(walls: list[datetime], tz: ZoneInfo) -> list[datetime]:
    """The UTC instants of wall times, without those the clock skips (spring forward)."""
    return [instant for wall in walls if (instant := local_to_utc(wall, tz)) is not None]


def _touched_days(
    spans: list[tuple[datetime, datetime]], tz: ZoneInfo, length: timedelta
) -> set[date]:
    """The local days on which some start could fall inside one of ``spans``."""
    days: set[date] = set()
    for start, end in spans:
        day, last = (start - length).astimezone(tz).date(), end.astimezone(tz).date()
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def _offered_minutes(
    service: Service,
    windows: dict[int, list[Window]],
    away: dict[int | None, list[tuple[datetime, datetime]]],
    period: Period,
    context: tuple[ZoneInfo, frozenset[date], frozenset[date]],
) -> float:
    """Minutes of the service's grid in the period (places times appointment minutes)."""
    tz, closed, clock_changes = context
    if not service.active:
        return 0.0
    length = timedelta(minutes=service.appointment_minutes)
    step = timedelta(minutes=service.appointment_minutes + service.buffer_minutes)
    staff_ids = {staff for day in windows.values() for w in day for staff in w.staff_ids}
    spans = {staff: away.get(staff, []) + away.get(None, []) for staff in staff_ids}
    touched = {staff: _touched_days(found, tz, length) for staff, found in spans.items()}
    special = clock_changes.union(*touched.values())
    places = 0
    day = max(period.first, service.live_from)
    while day <= period.last:
        if day in closed:
            pass
        elif day in special:
            places += _places_on(
                day, windows.get(day.weekday(), ()), (length, step), spans, touched, tz
            )
        else:
            places += sum(
                _starts_per_window(window, length, step) * len(window.staff_ids)
                for window in windows.get(day.weekday(), ())
                if window.valid_on(day)
            )
        day += timedelta(days=1)
    return places * service.appointment_minutes


def _clock_change_days(period: Period, tz: ZoneInfo) -> frozenset[date]:
    """The local days of the period on which the clock changes."""
    days = set()
    for day in _days(period):
        midnight = datetime.combine(day, time(0), tz)
        if midnight.utcoffset() != (midnight + timedelta(days=1)).utcoffset():
            days.add(day)
    return frozenset(days)


def _places_on(
    day: date,
    windows: list[Window] | tuple,
    sizes: tuple[timedelta, timedelta],
    spans: dict[int, list[tuple[datetime, datetime]]],
    touched: dict[int, set[date]],
    tz: ZoneInfo,
) -> int:
    """Grid places of one day: starts times free staff (not on leave or closed)."""
    length, step = sizes
    midnight = datetime.combine(day, time(0), tz)
    clock_change = midnight.utcoffset() != (midnight + timedelta(days=1)).utcoffset()
    places = 0
    for window in windows:
        if not window.valid_on(day):
            continue
        if not clock_change and not any(day in touched[staff] for staff in window.staff_ids):
            places += _starts_per_window(window, length, step) * len(window.staff_ids)
            continue
        walls = wall_starts(day, window, length, step)
        starts = _utc_starts(walls, tz) if clock_change else None
        for staff_id in window.staff_ids:
            if day not in touched[staff_id]:
                places += len(walls) if starts is None else len(starts)
                continue
            instants = starts if starts is not None else _utc_starts(walls, tz)
            places += sum(
                1
                for start in instants
                if not any(a - length < start < b for a, b in spans[staff_id])
            )
    return places


def _first_free_slot_hours(
    session: Session, service: Service, now: datetime, tz: ZoneInfo
) -> float | None:
    """Hours from ``now`` to the first free slot within the service's horizon, or None."""
    today = now.astimezone(tz).date()
    horizon = today + timedelta(days=service.horizon_days)
    first = today
    for step in (*_FIRST_SLOT_STEPS, service.horizon_days):
        last = min(today + timedelta(days=step), horizon)
        if last < first:
            continue
        slots = free_slots(session, service, first, last, now)
        if slots:
            return (slots[0].start - now).total_seconds() / _SECONDS_PER_HOUR
        first = last + timedelta(days=1)
    return None


def _closed_days(session: Session, organisation_id: int, period: Period) -> frozenset[date]:
    """The organisation's public holidays in the years of the period."""
    organisation = session.get(Organisation, organisation_id)
    years = range(period.first.year, period.last.year + 1)
    subdivision = organisation.holiday_subdivision or None
    return frozenset(
        holidays.country_holidays(organisation.holiday_country, subdiv=subdivision, years=years)
    )


def _start(
    session: Session, pool: ThreadPoolExecutor | None, scan: Callable[..., Any], *args: Any
) -> Callable[[], Any]:
    """Start ``scan(session, *args)``; returns how to get its result.

    With a pool (PostgreSQL) the scan runs on a connection of its own, so the database works on
    the large scans side by side (one backend process each) while Python computes the rest.
    Without one (SQLite) it runs at once on ``session``.
    """
    if pool is None:
        result = scan(session, *args)
        return lambda: result
    engine = session.get_bind()

    def on_own_connection() -> Any:
        with Session(engine) as own:
            return scan(own, *args)

    return pool.submit(on_own_connection).result


def _scan_pool(session: Session) -> ThreadPoolExecutor | None:
    """Threads for the side-by-side scans on PostgreSQL; None on SQLite (one writer, one file)."""
    return ThreadPoolExecutor(max_workers=4) if _is_postgresql(session) else None


def _per_service(
    session: Session,
    organisation_id: int,
    services: list[Service],
    period: Period,
    now: datetime,
    aggregates: Callable[[], _Aggregates],
    pool: ThreadPoolExecutor | None,
) -> tuple[list[ServiceFigures], bool]:
    """Figures of ``services`` from the counts of the period; whether an upcoming one is demo."""
    if not services:
        return [], False
    tz = _tz(session, organisation_id)
    only = services[0].id if len(services) == 1 else None
    leads = _start(session, pool, _median_lead_days, organisation_id, period, tz, only)
    upcoming = _start(session, pool, _upcoming, organisation_id, now, only)
    windows = opening_windows(
        session, [service.id for service in services], period.first, period.last
    )
    away = _away(session, organisation_id, period, tz)
    context = (tz, _closed_days(session, organisation_id, period), _clock_change_days(period, tz))
    first_free = {
        service.id: _first_free_slot_hours(session, service, now, tz) for service in services
    }
    offered = {
        service.id: _offered_minutes(service, windows.get(service.id, {}), away, period, context)
        for service in services
    }
    counted, lead_days, (upcoming_count, demo) = aggregates(), leads(), upcoming()
    figures = []
    for service in services:
        counts = counted.per_service.get(service.id, _Counts())
        held = counts.by_status.get(AppointmentStatus.COMPLETED, 0)
        no_shows = counts.by_status.get(AppointmentStatus.NO_SHOW, 0)
        figures.append(
            ServiceFigures(
                slug=service.slug,
                name_nl=service.name.get("nl", service.slug),
                name_en=service.name.get("en", service.name.get("nl", service.slug)),
                held=held,
                upcoming=upcoming_count.get(service.id, 0),
                no_show_rate=_rate(no_shows, held + no_shows),
                median_lead_time_days=lead_days.get(service.id),
                first_free_slot_hours=first_free[service.id],
                capacity_use=_rate(counts.booked_minutes, offered[service.id]),
                outcomes=dict(counts.outcomes),
            )
        )
    return figures, demo


# --- The public figures -------------------------------------------------------------------


def _counted(
    session: Session, organisation_id: int, period: Period, service_id: int | None
) -> tuple[list[Service], _Aggregates]:
    """The services asked for and the counts of their appointments in the period."""
    tz = _tz(session, organisation_id)
    services = _services(session, organisation_id, service_id)
    return services, _aggregate(session, organisation_id, period, tz, service_id)


def headline(
    session: Session, organisation_id: int, period: Period, service_id: int | None = None
) -> Headline:
    """Headline figures of the period; ``services_live``: active services live by its last day."""
    services, aggregates = _counted(session, organisation_id, period, service_id)
    return _headline(services, aggregates, period)


def held_per_week(
    session: Session, organisation_id: int, period: Period, service_id: int | None = None
) -> Buckets:
    """Calls held per ISO week (``2026-W13``) and service slug, every week of the period."""
    services, aggregates = _counted(session, organisation_id, period, service_id)
    return _held_buckets(services, aggregates, period, _week_label)


def held_per_month(
    session: Session, organisation_id: int, period: Period, service_id: int | None = None
) -> Buckets:
    """Calls held per month (``2026-03``) and service slug, every month of the period."""
    services, aggregates = _counted(session, organisation_id, period, service_id)
    return _held_buckets(services, aggregates, period, _month_label)


def channel_per_month(
    session: Session, organisation_id: int, period: Period, service_id: int | None = None
) -> Buckets:
    """Appointments (any status, cancelled included) per month and booking channel.

    The counts of a period add up to the headline's total (held + booked + cancelled + no-shows).
    """
    _, aggregates = _counted(session, organisation_id, period, service_id)
    return _channel_buckets(aggregates, period)


def per_service(
    session: Session,
    organisation_id: int,
    period: Period,
    now: datetime,
    service_id: int | None = None,
) -> list[ServiceFigures]:
    """Figures per service in catalogue order (see ServiceFigures for the definitions)."""
    services, aggregates = _counted(session, organisation_id, period, service_id)
    figures, _demo = _per_service(
        session, organisation_id, services, period, now, lambda: aggregates, None
    )
    return figures


def waves(
    session: Session, organisation_id: int, period: Period, service_id: int | None = None
) -> list[Wave]:
    """The go-live dates of the services (or the one asked for) inside the period."""
    return _waves(_services(session, organisation_id, service_id), period)


def service_options(session: Session, organisation_id: int) -> list[ServiceOption]:
    """Every service of the organisation, in catalogue order, to filter on."""
    return [
        ServiceOption(
            id=service.id,
            slug=service.slug,
            name_nl=service.name.get("nl", service.slug),
            name_en=service.name.get("en", service.name.get("nl", service.slug)),
            live_from=service.live_from,
        )
        for service in _services(session, organisation_id, None)
    ]


def dashboard(
    session: Session,
    organisation_id: int,
    period: Period,
    service_id: int | None,
    now: datetime,
) -> Dashboard:
    """Everything the managers' page shows for the period and the service (None: all)."""
    options = service_options(session, organisation_id)
    if service_id is not None and service_id not in {option.id for option in options}:
        raise ValueError(f"service {service_id} is not one of the organisation's")
    tz = _tz(session, organisation_id)
    services = _services(session, organisation_id, service_id)
    before = previous_period(period)  # for the comparison on the key figures
    pool = _scan_pool(session)
    try:
        counted = _start_aggregate(session, pool, organisation_id, (period, tz, service_id))
        # The key figures need only the previous period's counts per status: one scan, not two.
        counted_before = _start(
            session, pool, _status_counts, organisation_id, before, tz, service_id
        )
        figures, upcoming_demo = _per_service(
            session, organisation_id, services, period, now, counted, pool
        )
        aggregates = counted()
        per_service_before, _ = counted_before()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    previous = _headline(services, _Aggregates(per_service_before, {}, {}, False), before)
    return Dashboard(
        period=period,
        service_id=service_id,
        services=options,
        headline=_headline(services, aggregates, period),
        held_per_week=_held_buckets(services, aggregates, period, _week_label),
        held_per_month=_held_buckets(services, aggregates, period, _month_label),
        per_service=figures,
        channel_per_month=_channel_buckets(aggregates, period),
        waves=_waves(services, period),
        contains_demo_data=aggregates.demo or upcoming_demo,
        upcoming=sum(row.upcoming for row in figures),
        previous=previous,
    )


# --- Tables and CSV -----------------------------------------------------------------------

TABLES = ("headline", "weeks", "months", "services", "channels", "waves")
"""The tables of the dashboard, in page order; each has a CSV export."""


def _number(value: float | None) -> float | str:
    """A ratio or average rounded to 4 decimals; empty when there is none."""
    return "" if value is None else round(value, 4)


def tables(figures: Dashboard) -> dict[str, list[dict[str, Any]]]:
    """The rows of every table of the dashboard (the CSV export's content), keyed by TABLES."""
    top = figures.headline
    headline_rows = [
        {"figure": name, "value": value}
        for name, value in (
            ("held", top.held),
            ("booked", top.booked),
            ("cancelled", top.cancelled),
            ("no_shows", top.no_shows),
            ("no_show_rate", _number(top.no_show_rate)),
            ("cancellation_rate", _number(top.cancellation_rate)),
            ("satisfaction", _number(top.satisfaction)),
            ("satisfaction_answers", top.satisfaction_answers),
            ("services_live", top.services_live),
        )
    ]
    service_rows = [
        {
            "service": row.slug,
            "name": row.name_nl,
            "held": row.held,
            "upcoming": row.upcoming,
            "no_show_rate": _number(row.no_show_rate),
            "median_lead_time_days": _number(row.median_lead_time_days),
            "first_free_slot_hours": _number(row.first_free_slot_hours),
            "capacity_use": _number(row.capacity_use),
            **row.outcomes,
        }
        for row in figures.per_service
    ]
    return {
        "headline": headline_rows,
        "weeks": [{"week": label, **values} for label, values in figures.held_per_week],
        "months": [{"month": label, **values} for label, values in figures.held_per_month],
        "services": service_rows,
        "channels": [{"month": label, **values} for label, values in figures.channel_per_month],
        "waves": [
            {"date": wave.day.isoformat(), "week": wave.week, "services": " ".join(wave.slugs)}
            for wave in figures.waves
        ],
    }


def to_csv(rows: list[dict]) -> str:
    """Plain CSV (RFC 4180 line ends) with a header of the keys, in order of first appearance."""
    if not rows:
        return ""
    header = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
