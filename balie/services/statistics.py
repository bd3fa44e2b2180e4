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
- A rate is None when its denominator is 0.

Weeks are ISO weeks (``2026-W13``) and months calendar months (``2026-03``) of the local start;
a week or month only partly inside the period counts only its days inside the period.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, select

from balie.models import (
    Appointment,
    AppointmentStatus,
    BookingChannel,
    Organisation,
    Outcome,
    Service,
)
from balie.services.slots import free_slots

_SECONDS_PER_DAY = 86400
_SECONDS_PER_HOUR = 3600


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
      Offered minutes: booked minutes + the minutes of the slots that stayed free, as the slot
      engine lays them out (opening hours per staff member, minus public holidays, closures,
      leave and the days before go-live). None when nothing was offered.
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


@dataclass(frozen=True)
class _Row:
    """The columns of one appointment that the figures need."""

    service_id: int
    status: str
    channel: str
    outcome: str | None
    start_at: datetime
    end_at: datetime
    created_at: datetime


Buckets = list[tuple[str, dict[str, int]]]


def _rate(part: int, whole: int) -> float | None:
    """part / whole, or None when whole is 0."""
    return part / whole if whole else None


def _tz(session: Session, organisation_id: int) -> ZoneInfo:
    """The organisation's time zone."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise ValueError(f"no organisation {organisation_id}")
    return ZoneInfo(organisation.time_zone)


def _bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants [start of first day, start of the day after last) of the period."""
    low = datetime.combine(period.first, time(0), tz).astimezone(UTC)
    high = datetime.combine(period.last + timedelta(days=1), time(0), tz).astimezone(UTC)
    return low, high


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


def _rows(
    session: Session, organisation_id: int, period: Period, tz: ZoneInfo, service_id: int | None
) -> list[_Row]:
    """The appointments starting in the period."""
    statement = select(
        Appointment.service_id,
        Appointment.status,
        Appointment.channel,
        Appointment.outcome,
        Appointment.start_at,
        Appointment.end_at,
        Appointment.created_at,
    ).where(*_in_period(organisation_id, period, tz, service_id))
    return [_Row(*row) for row in session.exec(statement).all()]


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


def default_period(session: Session, organisation_id: int, today: date) -> Period:
    """From the earliest go-live of the organisation's services to ``today``."""
    first = session.exec(
        select(func.min(Service.live_from)).where(Service.organisation_id == organisation_id)
    ).one()
    return Period(min(first or today, today), today)


def headline(
    session: Session, organisation_id: int, period: Period, service_id: int | None = None
) -> Headline:
    """Headline figures of the period; ``services_live``: active services live by its last day."""
    tz = _tz(session, organisation_id)
    counts = dict(
        session.exec(
            select(Appointment.status, func.count())
            .where(*_in_period(organisation_id, period, tz, service_id))
            .group_by(Appointment.status)
        ).all()
    )
    held = counts.get(AppointmentStatus.COMPLETED, 0)
    booked = counts.get(AppointmentStatus.BOOKED, 0)
    cancelled = counts.get(AppointmentStatus.CANCELLED, 0)
    no_shows = counts.get(AppointmentStatus.NO_SHOW, 0)
    services = _services(session, organisation_id, service_id)
    live = sum(1 for service in services if service.active and service.live_from <= period.last)
    return Headline(
        held=held,
        booked=booked,
        cancelled=cancelled,
        no_shows=no_shows,
        no_show_rate=_rate(no_shows, held + no_shows),
        cancellation_rate=_rate(cancelled, held + booked + cancelled + no_shows),
        services_live=live,
    )


def _held_per(
    session: Session,
    organisation_id: int,
    period: Period,
    service_id: int | None,
    label: Callable[[date], str],
) -> Buckets:
    """Calls held per bucket (``label`` of the local start day) and service slug, zeros included."""
    tz = _tz(session, organisation_id)
    slugs = {s.id: s.slug for s in _services(session, organisation_id, service_id)}
    labels = list(dict.fromkeys(label(day) for day in _days(period)))
    buckets = {name: dict.fromkeys(slugs.values(), 0) for name in labels}
    for row in _rows(session, organisation_id, period, tz, service_id):
        if row.status == AppointmentStatus.COMPLETED and row.service_id in slugs:
            buckets[label(row.start_at.astimezone(tz).date())][slugs[row.service_id]] += 1
    return list(buckets.items())


def held_per_week(
    session: Session, organisation_id: int, period: Period, service_id: int | None = None
) -> Buckets:
    """Calls held per ISO week (``2026-W13``) and service slug, every week of the period."""
    return _held_per(session, organisation_id, period, service_id, _week_label)


def held_per_month(
    session: Session, organisation_id: int, period: Period, service_id: int | None = None
) -> Buckets:
    """Calls held per month (``2026-03``) and service slug, every month of the period."""
    return _held_per(session, organisation_id, period, service_id, _month_label)


def channel_per_month(
    session: Session, organisation_id: int, period: Period, service_id: int | None = None
) -> Buckets:
    """Appointments (any status, cancelled included) per month and booking channel.

    The counts of a period add up to the headline's total (held + booked + cancelled + no-shows).
    """
    tz = _tz(session, organisation_id)
    labels = list(dict.fromkeys(_month_label(day) for day in _days(period)))
    buckets = {name: {channel.value: 0 for channel in BookingChannel} for name in labels}
    for row in _rows(session, organisation_id, period, tz, service_id):
        buckets[_month_label(row.start_at.astimezone(tz).date())][row.channel] += 1
    return list(buckets.items())


def _minutes(start: datetime, end: datetime) -> float:
    """Minutes from start to end."""
    return (end - start).total_seconds() / 60


def _free_minutes(session: Session, service: Service, period: Period, tz: ZoneInfo) -> float:
    """Minutes of free slots (times free staff) of the service on the days of the period."""
    total = 0.0
    first = period.first
    while first <= period.last:
        # A `now` just far enough before the first day that its notice period lets every slot
        # of the day through; the engine then lays out the days up to its horizon from there.
        midnight = datetime.combine(first, time(0), tz).astimezone(UTC)
        now = midnight - timedelta(minutes=service.min_notice_minutes)
        last = min(period.last, now.astimezone(tz).date() + timedelta(days=service.horizon_days))
        if last < first:
            break  # the notice is longer than the horizon: the service never offers a slot
        for slot in free_slots(session, service, first, last, now):
            total += _minutes(slot.start, slot.end) * slot.capacity
        first = last + timedelta(days=1)
    return total


def _first_free_slot_hours(
    session: Session, service: Service, now: datetime, tz: ZoneInfo
) -> float | None:
    """Hours from ``now`` to the first free slot within the service's horizon, or None."""
    today = now.astimezone(tz).date()
    slots = free_slots(session, service, today, today + timedelta(days=service.horizon_days), now)
    if not slots:
        return None
    return (slots[0].start - now).total_seconds() / _SECONDS_PER_HOUR


def _upcoming(session: Session, organisation_id: int, now: datetime) -> dict[int, int]:
    """Per service id, appointments still booked that start at or after ``now``."""
    rows = session.exec(
        select(Appointment.service_id, func.count())
        .where(
            Appointment.organisation_id == organisation_id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.start_at >= now,
        )
        .group_by(Appointment.service_id)
    ).all()
    return dict(rows)


def _service_figures(
    session: Session,
    service: Service,
    rows: list[_Row],
    upcoming: int,
    period: Period,
    now: datetime,
    tz: ZoneInfo,
) -> ServiceFigures:
    """The figures of one service from its appointments in the period."""
    statuses = Counter(row.status for row in rows)
    held, no_shows = statuses[AppointmentStatus.COMPLETED], statuses[AppointmentStatus.NO_SHOW]
    taken = [row for row in rows if row.status != AppointmentStatus.CANCELLED]
    leads = [(row.start_at - row.created_at).total_seconds() / _SECONDS_PER_DAY for row in taken]
    booked_minutes = sum(_minutes(row.start_at, row.end_at) for row in taken)
    offered = booked_minutes + _free_minutes(session, service, period, tz)
    outcomes = {outcome.value: 0 for outcome in Outcome}
    for row in rows:
        if row.outcome is not None:
            outcomes[row.outcome] += 1
    return ServiceFigures(
        slug=service.slug,
        name_nl=service.name.get("nl", service.slug),
        held=held,
        upcoming=upcoming,
        no_show_rate=_rate(no_shows, held + no_shows),
        median_lead_time_days=median(leads) if leads else None,
        first_free_slot_hours=_first_free_slot_hours(session, service, now, tz),
        capacity_use=_rate(booked_minutes, offered),
        outcomes=outcomes,
    )


def per_service(
    session: Session, organisation_id: int, period: Period, now: datetime
) -> list[ServiceFigures]:
    """Figures per service in catalogue order (see ServiceFigures for the definitions)."""
    tz = _tz(session, organisation_id)
    by_service: dict[int, list[_Row]] = defaultdict(list)
    for row in _rows(session, organisation_id, period, tz, None):
        by_service[row.service_id].append(row)
    upcoming = _upcoming(session, organisation_id, now)
    return [
        _service_figures(
            session, service, by_service[service.id], upcoming.get(service.id, 0), period, now, tz
        )
        for service in _services(session, organisation_id, None)
    ]


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
