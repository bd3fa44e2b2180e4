"""Figures across organisations for the platform role: how the programme is taken up.

Only counts leave this module, never a row: per organisation, per service type and per
calendar month (the local month of the start, in each organisation's own time zone).

- held: appointments with status ``completed`` (calls that took place).
- booked: every appointment that was not cancelled (held, still booked and no-shows).
- The service *type* is the service's slug: cities that start from another city's catalogue
  (``python -m balie.org create --catalogue-from gent``) share it, so "energiecentrale" adds
  up across cities; a city's own services count under their own slug.
- Demo appointments (``is_demo``) are left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import case, func
from sqlmodel import Session, select

from balie.models import Appointment, AppointmentStatus, Organisation, Role, Service, StaffMember
from balie.services import org_settings
from balie.services.staff.staff_auth import require_role


@dataclass(frozen=True)
class Cell:
    """The counts of one organisation, service type and month."""

    organisation: str  # slug
    service: str  # slug: the service type
    month: str  # YYYY-MM
    held: int
    booked: int


@dataclass(frozen=True)
class Total:
    """The counts of one organisation, one service type or one month."""

    key: str
    label: str
    held: int
    booked: int


@dataclass(frozen=True)
class PlatformFigures:
    """Every cell and the totals per organisation, per service type and per month."""

    months: list[str]
    cells: list[Cell]
    organisations: list[Total]
    services: list[Total]
    per_month: list[Total]


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def first_of_last_months(today: date, months: int) -> date:
    """The first day of the earliest of the last ``months`` months (this one included)."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def month_starts(first: date, last: date) -> list[date]:
    """The first days of the months from ``first``'s month to ``last``'s, in order."""
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months


def _utc_start(day: date, zone: ZoneInfo) -> datetime:
    """The UTC moment local midnight begins on ``day``."""
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def _organisation_cells(
    session: Session, organisation: Organisation, months: list[date]
) -> list[Cell]:
    """One organisation's counts per service slug and local month (one grouped query)."""
    zone = ZoneInfo(organisation.time_zone)
    bounds = [_utc_start(day, zone) for day in [*months, next_month(months[-1])]]
    month_of = case(
        *[(Appointment.start_at < bounds[i + 1], i) for i in range(len(months))], else_=-1
    )
    held = func.sum(case((Appointment.status == AppointmentStatus.COMPLETED, 1), else_=0))
    rows = session.exec(
        select(Service.slug, month_of, held, func.count())
        .join(Service, Service.id == Appointment.service_id)
        .where(
            Appointment.organisation_id == organisation.id,
            Appointment.status != AppointmentStatus.CANCELLED,
            Appointment.is_demo.is_(False),
            Appointment.start_at >= bounds[0],
            Appointment.start_at < bounds[-1],
        )
        .group_by(Service.slug, month_of)
    ).all()
    return [
        Cell(organisation.slug, slug, months[index].strftime("%Y-%m"), int(held or 0), count)
        for slug, index, held, count in rows
        if 0 <= index < len(months)
    ]


def _totals(cells: list[Cell], key: str, labels: dict[str, str]) -> list[Total]:
    """The cells added up by one of their fields, largest number of held calls first."""
    held: dict[str, int] = defaultdict(int)
    booked: dict[str, int] = defaultdict(int)
    for name in labels:
        held[name], booked[name] = 0, 0
    for cell in cells:
        held[getattr(cell, key)] += cell.held
        booked[getattr(cell, key)] += cell.booked
    order = sorted(held, key=lambda name: (-held[name], name))
    return [Total(name, labels.get(name, name), held[name], booked[name]) for name in order]


def platform_figures(
    session: Session, actor: StaffMember, first: date, last: date
) -> PlatformFigures:
    """The platform's figures for the months from ``first`` to ``last`` (platform role only)."""
    require_role(actor, Role.PLATFORM)
    months = month_starts(first, max(first, last))
    organisations = session.exec(select(Organisation).order_by(Organisation.slug)).all()
    cells = [c for o in organisations for c in _organisation_cells(session, o, months)]
    names = {o.slug: org_settings.look_of(session, o).display_name for o in organisations}
    labels = [month.strftime("%Y-%m") for month in months]
    by_month = {total.key: total for total in _totals(cells, "month", dict.fromkeys(labels, ""))}
    return PlatformFigures(
        months=labels,
        cells=sorted(cells, key=lambda c: (c.organisation, c.service, c.month)),
        organisations=_totals(cells, "organisation", names),
        services=_totals(cells, "service", {}),
        per_month=[
            Total(label, label, by_month[label].held, by_month[label].booked) for label in labels
        ],
    )
