"""Opening hours, leave and closures: read, change, and refuse changes that strand bookings.

Opening hours are wall-clock times in the organisation's time zone (09:00 stays 09:00 across a
clock change); leave and closures are stored as UTC instants. A change that would leave booked
future appointments outside the hours (or inside leave or a closure) is refused with the list
of those appointments; an administrator may instead cancel exactly those appointments, through
``booking.cancel`` so each citizen gets the cancellation e-mail and the meeting is cancelled,
and the change is applied in the same transaction. Just before that transaction commits, the
check runs again: a booking that came in while the change was being made refuses the whole
change (nothing is cancelled then). Every change is written to the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, delete, select

from balie.models import (
    Appointment,
    AppointmentStatus,
    AvailabilityException,
    OpeningHours,
    Organisation,
    Role,
    Service,
    StaffMember,
    StaffService,
)
from balie.services import booking
from balie.services.staff import staff_auth
from balie.services.validation import row_id

GRID_MINUTES = 5
"""Start and end of a time range fall on this grid (09:00, 09:05, …)."""
EARLIEST = time(7, 0)
LATEST = time(20, 0)
"""Time ranges lie between 07:00 and 20:00: a city service's longest plausible working day."""
MAX_RANGES = 35
"""At most this many ranges per service per week (five per day): a guard, not a policy."""
LEAVE_MAX_DAYS = 366
LEAVE_MAX_AHEAD_DAYS = 2 * 366
REASON_MAX = 200
CANCEL_REASON_MAX = 500

_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::00(?:\.0+)?)?$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, order=True)
class Range:
    """A weekly time range: weekday 0 = Monday, wall-clock start and end."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class StrandedAppointment:
    """A booked appointment that a change would leave without a counsellor."""

    appointment_id: int
    reference: str
    start: datetime  # aware, in the organisation's time zone
    service_name: dict[str, str]
    citizen_name: str
    staff_name: str


@dataclass(frozen=True)
class Resolution:
    """An administrator's explicit choice: cancel these appointments, with this reason."""

    appointment_ids: frozenset[int]
    reason: str


class ScheduleError(Exception):
    """A change to hours, leave or closures that is not carried out."""


class Invalid(ScheduleError):
    """Bad input: ``errors`` maps a field (or a row index as text) to a message key."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{field}: {key}" for field, key in errors.items()))
        self.errors = errors


class Stranded(ScheduleError):
    """The change would strand these booked appointments; nothing was changed."""

    def __init__(self, appointments: list[StrandedAppointment]) -> None:
        super().__init__(", ".join(a.reference for a in appointments))
        self.appointments = appointments


# --- parsing -----------------------------------------------------------------------------------


def parse_clock(text: object) -> time | None:
    """A wall-clock time from ``HH:MM`` (as a time input sends it); None when it is not one."""
    if not isinstance(text, str) or len(text) > 12:
        return None
    match = _CLOCK.match(text.strip())
    return time(int(match[1]), int(match[2])) if match else None


def parse_day(text: object) -> date | None:
    """A date from ``YYYY-MM-DD`` (as a date input sends it); None when it is not one."""
    if not isinstance(text, str) or not _DAY.match(text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def clock(value: time) -> str:
    """``HH:MM`` of a wall-clock time."""
    return value.strftime("%H:%M")


# --- who may change whose hours ----------------------------------------------------------------


def is_admin(actor: StaffMember | None) -> bool:
    """Whether ``actor`` may change anyone's hours and the organisation's closures."""
    return staff_auth.has_role(actor, Role.ADMIN)


def service_ids_of(session: Session, staff_id: int) -> list[int]:
    """Ids of the services ``staff_id`` belongs to."""
    rows = session.exec(select(StaffService.service_id).where(StaffService.staff_id == staff_id))
    return sorted(rows.all())


def services_of(session: Session, staff_id: int) -> list[Service]:
    """The services ``staff_id`` belongs to, in catalogue order."""
    return list(
        session.exec(
            select(Service)
            .join(StaffService, StaffService.service_id == Service.id)
            .where(StaffService.staff_id == staff_id)
            .order_by(Service.sort_order, Service.id)
        ).all()
    )


def editable_staff(session: Session, actor: StaffMember) -> list[StaffMember]:
    """Whose hours ``actor`` may edit: everyone with a service (admins) or only themselves."""
    if is_admin(actor):
        members = session.exec(
            select(StaffMember)
            .where(
                StaffMember.organisation_id == actor.organisation_id,
                StaffMember.active.is_(True),
                StaffMember.id.in_(select(StaffService.staff_id)),
            )
            .order_by(StaffMember.display_name, StaffMember.id)
        ).all()
        return list(members)
    if staff_auth.has_role(actor, Role.STAFF) and service_ids_of(session, actor.id):
        return [actor]
    return []


def _target(session: Session, actor: StaffMember, staff_id: object) -> StaffMember:
    """The staff member ``actor`` may edit, or PermissionError (no hint whether they exist)."""
    if row_id(staff_id) is None:
        raise PermissionError("no such staff member")
    if not staff_auth.has_role(actor, Role.STAFF, Role.ADMIN):
        raise PermissionError("needs the role staff or admin")
    if staff_id != actor.id and not is_admin(actor):
        raise PermissionError("counsellors edit only their own hours")
    target = session.get(StaffMember, staff_id)
    if target is None or target.organisation_id != actor.organisation_id:
        raise PermissionError("no such staff member")
    return target


def _own_service(session: Session, target: StaffMember, service_id: object) -> Service:
    """The service ``target`` belongs to, or PermissionError."""
    if row_id(service_id) is None or service_id not in service_ids_of(session, target.id):
        raise PermissionError("the staff member does not belong to that service")
    return session.get(Service, service_id)


def _time_zone(session: Session, organisation_id: int) -> ZoneInfo:
    """The organisation's time zone."""
    return ZoneInfo(session.get(Organisation, organisation_id).time_zone)


# --- reading -----------------------------------------------------------------------------------


def _standing_rows(session: Session, staff_id: int, service_id: int) -> list[OpeningHours]:
    """The undated (standing) hours rows of one staff member for one service."""
    return list(
        session.exec(
            select(OpeningHours).where(
                OpeningHours.staff_id == staff_id,
                OpeningHours.service_id == service_id,
                OpeningHours.valid_from.is_(None),
                OpeningHours.valid_until.is_(None),
            )
        ).all()
    )


def weekly_hours(session: Session, staff_id: int, service_id: int) -> list[Range]:
    """The standing weekly hours of a staff member for a service, Monday first."""
    rows = _standing_rows(session, staff_id, service_id)
    return sorted(Range(row.weekday, row.start_time, row.end_time) for row in rows)


def leave_of(session: Session, staff_id: int, now: datetime) -> list[AvailabilityException]:
    """A staff member's leave that has not ended yet, soonest first."""
    return list(
        session.exec(
            select(AvailabilityException)
            .where(AvailabilityException.staff_id == staff_id, AvailabilityException.end_at > now)
            .order_by(AvailabilityException.start_at, AvailabilityException.id)
        ).all()
    )


def closures_of(
    session: Session, organisation_id: int, now: datetime
) -> list[AvailabilityException]:
    """The organisation's closures that have not ended yet, soonest first."""
    return list(
        session.exec(
            select(AvailabilityException)
            .where(
                AvailabilityException.organisation_id == organisation_id,
                AvailabilityException.staff_id.is_(None),
                AvailabilityException.end_at > now,
            )
            .order_by(AvailabilityException.start_at, AvailabilityException.id)
        ).all()
    )


# --- validation --------------------------------------------------------------------------------


def _minutes(value: time) -> int:
    """Minutes since midnight."""
    return value.hour * 60 + value.minute


def _overlaps(a: Range, b: Range) -> bool:
    """Whether two ranges share time on the same weekday (touching is fine)."""
    return a.weekday == b.weekday and a.start < b.end and b.start < a.end


def _range_error(item: Range, appointment_minutes: int) -> str | None:
    """The message key of what is wrong with one range on its own, if anything."""
    if item.weekday not in range(7):
        return "hours_error_day"
    if item.start >= item.end:
        return "hours_error_order"
    if item.start < EARLIEST or item.end > LATEST:
        return "hours_error_bounds"
    if _minutes(item.start) % GRID_MINUTES or _minutes(item.end) % GRID_MINUTES:
        return "hours_error_grid"
    if _minutes(item.end) - _minutes(item.start) < appointment_minutes:
        return "hours_error_too_short"
    return None


def check_ranges(
    ranges: Sequence[Range], appointment_minutes: int, other_services: Iterable[Range] = ()
) -> dict[str, str]:
    """Errors per row index (as text): each range valid, no overlap with each other or with
    the staff member's hours for their other services."""
    if len(ranges) > MAX_RANGES:
        return {"form": "hours_error_too_many"}
    others = list(other_services)
    errors: dict[str, str] = {}
    for index, item in enumerate(ranges):
        problem = _range_error(item, appointment_minutes)
        if problem is None and any(
            _overlaps(item, other) for n, other in enumerate(ranges) if n != index
        ):
            problem = "hours_error_overlap"
        if problem is None and any(_overlaps(item, other) for other in others):
            problem = "hours_error_other_service"
        if problem:
            errors[str(index)] = problem
    return errors


def period_from_form(
    tz: ZoneInfo,
    first_day: object,
    last_day: object,
    start_time: object = "",
    end_time: object = "",
) -> tuple[datetime, datetime]:
    """UTC start and end of leave given as local dates and optional times (whole days without).

    Raises Invalid with per-field message keys.
    """
    errors: dict[str, str] = {}
    first, last = parse_day(first_day), parse_day(last_day)
    if first is None:
        errors["date_from"] = "hours_error_date"
    if last is None:
        errors["date_until"] = "hours_error_date"
    start_clock = parse_clock(start_time) if start_time not in ("", None) else time(0, 0)
    end_clock = parse_clock(end_time) if end_time not in ("", None) else None
    if start_clock is None:
        errors["time_from"] = "hours_error_time"
    if end_time not in ("", None) and end_clock is None:
        errors["time_until"] = "hours_error_time"
    if errors:
        raise Invalid(errors)
    start = datetime.combine(first, start_clock, tz)
    if end_clock is None:
        end = datetime.combine(last + timedelta(days=1), time(0, 0), tz)
    else:
        end = datetime.combine(last, end_clock, tz)
    if end <= start:
        field = "date_until" if last < first else "time_until"
        raise Invalid({field: "hours_error_period_order"})
    return start.astimezone(UTC), end.astimezone(UTC)


def _check_period(start: datetime, end: datetime, now: datetime) -> None:
    """A period must be aware, ordered, not over yet, not absurdly long or far ahead."""
    for value in (start, end):
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise Invalid({"date_from": "hours_error_date"})
    if end <= start:
        raise Invalid({"date_until": "hours_error_period_order"})
    if end <= now:
        raise Invalid({"date_until": "hours_error_period_past"})
    if end - start > timedelta(days=LEAVE_MAX_DAYS):
        raise Invalid({"date_until": "hours_error_period_long"})
    if start - now > timedelta(days=LEAVE_MAX_AHEAD_DAYS):
        raise Invalid({"date_from": "hours_error_period_far"})


def _check_reason(reason: object, limit: int, field: str, required: bool) -> str:
    """The stripped reason text, or Invalid."""
    if not isinstance(reason, str) or "\x00" in reason:
        raise Invalid({field: "hours_error_reason"})
    reason = reason.strip()
    if len(reason) > limit:
        raise Invalid({field: "hours_error_reason_long"})
    if required and not reason:
        raise Invalid({field: "hours_error_reason_required"})
    return reason


# --- stranded appointments ---------------------------------------------------------------------


def _booked_future(session: Session, now: datetime, *conditions: object) -> list[Appointment]:
    """Booked appointments that have not started, matching ``conditions``, soonest first."""
    return list(
        session.exec(
            select(Appointment)
            .where(
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.start_at > now,
                *conditions,
            )
            .order_by(Appointment.start_at, Appointment.id)
        ).all()
    )


def _fits(appointment: Appointment, rows: Iterable[OpeningHours | Range], tz: ZoneInfo) -> bool:
    """Whether the appointment lies inside one of the weekly windows (in local wall time)."""
    start = appointment.start_at.astimezone(tz)
    end = appointment.end_at.astimezone(tz)
    day = start.date()
    for row in rows:
        weekday = row.weekday
        opens = row.start_time if isinstance(row, OpeningHours) else row.start
        closes = row.end_time if isinstance(row, OpeningHours) else row.end
        if isinstance(row, OpeningHours):
            if row.valid_from is not None and day < row.valid_from:
                continue
            if row.valid_until is not None and day > row.valid_until:
                continue
        if weekday != day.weekday() or end.date() != day:
            continue
        if opens <= start.time() and end.time() <= closes:
            return True
    return False


def _describe(
    session: Session, appointments: Iterable[Appointment], tz: ZoneInfo
) -> list[StrandedAppointment]:
    """What the screen shows about each stranded appointment."""
    described = []
    for appointment in appointments:
        service = session.get(Service, appointment.service_id)
        staff = session.get(StaffMember, appointment.staff_id)
        described.append(
            StrandedAppointment(
                appointment_id=appointment.id,
                reference=appointment.reference,
                start=appointment.start_at.astimezone(tz),
                service_name=dict(service.name) if service else {},
                citizen_name=appointment.citizen_name or "",
                staff_name=staff.display_name if staff else "",
            )
        )
    return described


def stranded_by_hours(
    session: Session,
    staff: StaffMember,
    service: Service,
    new: Sequence[Range],
    now: datetime,
    *,
    old: Sequence[Range] | None = None,
) -> list[Appointment]:
    """Booked future appointments that fit the current hours but would not fit ``new``.

    ``old``: the standing weekly hours to compare with instead of the stored ones (the check
    after the change has replaced them).
    """
    tz = _time_zone(session, staff.organisation_id)
    current = list(
        session.exec(
            select(OpeningHours).where(
                OpeningHours.staff_id == staff.id, OpeningHours.service_id == service.id
            )
        ).all()
    )
    dated = [row for row in current if row.valid_from is not None or row.valid_until is not None]
    before: list[OpeningHours | Range] = current if old is None else [*old, *dated]
    candidates = _booked_future(
        session, now, Appointment.staff_id == staff.id, Appointment.service_id == service.id
    )
    return [
        appointment
        for appointment in candidates
        if _fits(appointment, before, tz) and not _fits(appointment, [*new, *dated], tz)
    ]


def stranded_by_period(
    session: Session,
    organisation_id: int,
    staff_id: int | None,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Appointment]:
    """Booked future appointments inside ``[start, end)``: of one staff member, or all."""
    conditions = [
        Appointment.organisation_id == organisation_id,
        Appointment.start_at < end,
        Appointment.end_at > start,
    ]
    if staff_id is not None:
        conditions.append(Appointment.staff_id == staff_id)
    return _booked_future(session, now, *conditions)


def _resolve(
    session: Session,
    actor: StaffMember,
    stranded: list[Appointment],
    resolution: Resolution | None,
    action: str,
    now: datetime,
) -> list[str]:
    """Refuse (Stranded), or cancel exactly the confirmed appointments; their references."""
    if not stranded:
        return []
    tz = _time_zone(session, actor.organisation_id)
    if resolution is None:
        raise Stranded(_describe(session, stranded, tz))
    if not is_admin(actor):
        raise PermissionError("only administrators cancel appointments to change hours")
    if not isinstance(resolution, Resolution) or not isinstance(
        resolution.appointment_ids, frozenset
    ):
        raise Stranded(_describe(session, stranded, tz))
    reason = _check_reason(resolution.reason, CANCEL_REASON_MAX, "cancel_reason", required=True)
    if any(appointment.id not in resolution.appointment_ids for appointment in stranded):
        # Someone booked meanwhile: the administrator has not seen these yet.
        raise Stranded(_describe(session, stranded, tz))
    references = []
    for appointment in stranded:
        staff_auth.audit(
            session,
            actor,
            "appointment.cancel",
            "appointment",
            appointment.id,
            at=now,
            reference=appointment.reference,
            reason=reason,
            because=action,
        )
        # Committed together with the change itself (see _commit_unless_stranded).
        booking.cancel(session, appointment, reason, now, commit=False)
        references.append(appointment.reference)
    return references


def _commit_unless_stranded(
    session: Session, organisation_id: int, stranded_now: Callable[[], list[Appointment]]
) -> None:
    """Commit the change, unless a booking made meanwhile would be stranded: then undo it all.

    Once this transaction has written, SQLite lets no other writer in until it ends, so the
    second look is the final word there; on PostgreSQL a booking can still commit in the
    moments between this look and the commit.
    """
    session.flush()
    late = stranded_now()
    if late:
        session.rollback()
        # Undone, the appointments this change cancelled are booked again: list them too.
        everything = stranded_now() or late
        raise Stranded(_describe(session, everything, _time_zone(session, organisation_id)))
    session.commit()


# --- changes -----------------------------------------------------------------------------------


def _ranges_json(ranges: Iterable[Range]) -> list[list[object]]:
    """Ranges as JSON for the audit log."""
    return [[item.weekday, clock(item.start), clock(item.end)] for item in sorted(ranges)]


def replace_weekly_hours(
    session: Session,
    actor: StaffMember,
    staff_id: int,
    service_id: int,
    ranges: Sequence[Range],
    *,
    now: datetime,
    resolution: Resolution | None = None,
) -> list[str]:
    """Replace the standing weekly hours of (staff, service); the references cancelled.

    Raises PermissionError, Invalid (per row) or Stranded; nothing changes then.
    """
    target = _target(session, actor, staff_id)
    service = _own_service(session, target, service_id)
    if not isinstance(ranges, Sequence) or not all(isinstance(r, Range) for r in ranges):
        raise Invalid({"form": "hours_error_time"})
    others = [
        Range(row.weekday, row.start_time, row.end_time)
        for row in session.exec(
            select(OpeningHours).where(
                OpeningHours.staff_id == target.id, OpeningHours.service_id != service.id
            )
        ).all()
    ]
    errors = check_ranges(ranges, service.appointment_minutes, others)
    if errors:
        raise Invalid(errors)
    before = weekly_hours(session, target.id, service.id)
    stranded = stranded_by_hours(session, target, service, ranges, now)
    cancelled = _resolve(session, actor, stranded, resolution, "hours.replace", now)
    session.exec(
        delete(OpeningHours).where(
            OpeningHours.staff_id == target.id,
            OpeningHours.service_id == service.id,
            OpeningHours.valid_from.is_(None),
            OpeningHours.valid_until.is_(None),
        )
    )
    for item in sorted(set(ranges)):
        session.add(
            OpeningHours(
                staff_id=target.id,
                service_id=service.id,
                weekday=item.weekday,
                start_time=item.start,
                end_time=item.end,
            )
        )
    staff_auth.audit(
        session,
        actor,
        "hours.replace",
        "staff",
        target.id,
        at=now,
        service_id=service.id,
        service=service.slug,
        before=_ranges_json(before),
        after=_ranges_json(set(ranges)),
        cancelled=cancelled,
    )
    _commit_unless_stranded(
        session,
        actor.organisation_id,
        lambda: stranded_by_hours(session, target, service, ranges, now, old=before),
    )
    return cancelled


def _period_json(exception: AvailabilityException) -> dict[str, object]:
    """A leave or closure as JSON for the audit log."""
    return {
        "staff_id": exception.staff_id,
        "start": exception.start_at.astimezone(UTC).isoformat(),
        "end": exception.end_at.astimezone(UTC).isoformat(),
        "reason": exception.reason,
    }


def _add_period(
    session: Session,
    actor: StaffMember,
    staff_id: int | None,
    period: tuple[datetime, datetime],
    reason: object,
    action: str,
    now: datetime,
    resolution: Resolution | None,
) -> tuple[AvailabilityException, list[str]]:
    """Add leave (staff_id) or a closure (None) after the checks; the row and cancellations."""
    if not isinstance(period, tuple) or len(period) != 2:
        raise Invalid({"date_from": "hours_error_date"})
    start, end = period
    _check_period(start, end, now)
    reason = _check_reason(reason, REASON_MAX, "reason", required=False)
    stranded = stranded_by_period(session, actor.organisation_id, staff_id, start, end, now)
    cancelled = _resolve(session, actor, stranded, resolution, action, now)
    exception = AvailabilityException(
        organisation_id=actor.organisation_id,
        staff_id=staff_id,
        start_at=start.astimezone(UTC),
        end_at=end.astimezone(UTC),
        reason=reason,
    )
    session.add(exception)
    session.flush()
    staff_auth.audit(
        session,
        actor,
        action,
        "availability_exception",
        exception.id,
        at=now,
        before=None,
        after=_period_json(exception),
        cancelled=cancelled,
    )
    _commit_unless_stranded(
        session,
        actor.organisation_id,
        lambda: stranded_by_period(session, actor.organisation_id, staff_id, start, end, now),
    )
    return exception, cancelled


def add_leave(
    session: Session,
    actor: StaffMember,
    staff_id: int,
    period: tuple[datetime, datetime],
    reason: str = "",
    *,
    now: datetime,
    resolution: Resolution | None = None,
) -> AvailabilityException:
    """Add leave for a staff member over the aware ``period``; raises like the others."""
    target = _target(session, actor, staff_id)
    exception, _cancelled = _add_period(
        session, actor, target.id, period, reason, "leave.add", now, resolution
    )
    return exception


def add_closure(
    session: Session,
    actor: StaffMember,
    period: tuple[datetime, datetime],
    reason: str = "",
    *,
    now: datetime,
    resolution: Resolution | None = None,
) -> AvailabilityException:
    """Close the whole organisation over the aware ``period`` (administrators only)."""
    if not is_admin(actor):
        raise PermissionError("only administrators close the organisation")
    exception, _cancelled = _add_period(
        session, actor, None, period, reason, "closure.add", now, resolution
    )
    return exception


def _remove(
    session: Session,
    actor: StaffMember,
    exception: AvailabilityException,
    action: str,
    now: datetime,
) -> None:
    """Delete a leave or closure row, with its audit entry."""
    before = _period_json(exception)
    exception_id = exception.id
    session.delete(exception)
    staff_auth.audit(
        session,
        actor,
        action,
        "availability_exception",
        exception_id,
        at=now,
        before=before,
        after=None,
    )
    session.commit()


def remove_leave(
    session: Session, actor: StaffMember, staff_id: int, leave_id: object, *, now: datetime
) -> None:
    """Remove one leave period of a staff member (more free time never strands anything)."""
    target = _target(session, actor, staff_id)
    valid = row_id(leave_id) is not None
    exception = session.get(AvailabilityException, leave_id) if valid else None
    if exception is None or exception.staff_id != target.id:
        raise PermissionError("no such leave")
    _remove(session, actor, exception, "leave.remove", now)


def remove_closure(
    session: Session, actor: StaffMember, closure_id: object, *, now: datetime
) -> None:
    """Remove a closure of the organisation (administrators only)."""
    if not is_admin(actor):
        raise PermissionError("only administrators change closures")
    valid = row_id(closure_id) is not None
    exception = session.get(AvailabilityException, closure_id) if valid else None
    if (
        exception is None
        or exception.staff_id is not None
        or exception.organisation_id != actor.organisation_id
    ):
        raise PermissionError("no such closure")
    _remove(session, actor, exception, "closure.remove", now)
