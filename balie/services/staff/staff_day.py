"""What counsellors see and do on a working day: their list, the team's list, outcomes.

Every read of a list of citizens' details and every change is written to the audit log.
Times are stored in UTC and shown in the organisation's time zone.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlmodel import Session, func, select

from balie.i18n import format_moment, pick
from balie.models import (
    Appointment,
    AppointmentStatus,
    AvailabilityException,
    BookingChannel,
    Job,
    MeetingState,
    OpeningHours,
    Organisation,
    Outcome,
    Role,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.services import booking, jobs
from balie.services.booking import Booked, BookingRequest, NotChangeable
from balie.services.feedback import enqueue_survey
from balie.services.identity.levels import required_level
from balie.services.identity.signin import mask_number
from balie.services.staff.staff_auth import audit, has_role
from balie.services.validation import QUESTION_MAX, CitizenDetails, row_id
from balie.services.wizard import DayChoice, bookable_days

NOTE_MAX = 2000
FOLLOW_UP_DAYS = 10  # a compact picker: the first days that still have free times
LEADS = (Role.MANAGER, Role.ADMIN)


@dataclass(frozen=True)
class DayRow:
    """One appointment as a counsellor's day list shows it (times in local time)."""

    appointment_id: int
    reference: str
    start: datetime
    end: datetime
    time_label: str
    service_name: str
    topic_name: str
    preparation: str
    citizen_name: str
    language: str
    question: str
    status: str
    meeting_state: str
    join_url: str
    outcome: str
    staff_note: str
    staff_name: str = ""
    staff_id: int = 0
    # Identification: needed by the topic; "identiteit geverifieerd (itsme, niveau hoog) op …"
    # per language when verified; the verified person; whether the counsellor confirmed them.
    identity_needed: bool = False
    identity_line: dict[str, str] = field(default_factory=dict)
    identity_name: str = ""
    identity_birth_date: str = ""
    identity_number: str = ""
    identity_confirmed: bool = False


class IdentityNotConfirmed(ValueError):
    """A call that needed identification gets no outcome before the person is confirmed."""


LEVEL_WORDS = {
    "substantial": {"nl": "niveau substantieel", "en": "level substantial"},
    "high": {"nl": "niveau hoog", "en": "level high"},
}
VERIFIED_WORDS = {"nl": "identiteit geverifieerd", "en": "identity verified"}


def identity_line(appointment: Appointment, tz: ZoneInfo) -> dict[str, str]:
    """'identiteit geverifieerd (itsme, niveau hoog) op <tijd>' per language ({} if none)."""
    if appointment.identity_verified_at is None or not appointment.identity_level:
        return {}
    moment = appointment.identity_verified_at.astimezone(tz)
    method = appointment.identity_method or ""
    words = LEVEL_WORDS.get(appointment.identity_level, {})
    line = {}
    for lang, on in (("nl", "op"), ("en", "on")):
        level = words.get(lang, appointment.identity_level)
        when = format_moment(moment, lang)
        line[lang] = f"{VERIFIED_WORDS[lang]} ({method}, {level}) {on} {when}"
    return line


def _time_zone(session: Session, staff: StaffMember) -> ZoneInfo:
    """The time zone of the staff member's organisation."""
    return ZoneInfo(session.get(Organisation, staff.organisation_id).time_zone)


def _bounds(first: date, days: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """From local midnight of ``first`` to local midnight ``days`` later (DST-aware)."""
    start = datetime.combine(first, time.min, tz)
    return start, datetime.combine(first + timedelta(days=days), time.min, tz)


def _row(
    appointment: Appointment,
    service: Service,
    topic: Topic,
    tz: ZoneInfo,
    lang: str,
    staff_name: str = "",
    staff_id: int = 0,
    show_number: bool = False,
) -> DayRow:
    """The list row of one appointment (the national register number masked unless
    ``show_number``)."""
    start, end = appointment.start_at.astimezone(tz), appointment.end_at.astimezone(tz)
    number = appointment.identity_number or ""
    return DayRow(
        appointment_id=appointment.id,
        reference=appointment.reference,
        start=start,
        end=end,
        time_label=f"{start:%H:%M}–{end:%H:%M}",
        service_name=pick(service.name, lang),
        topic_name=pick(topic.name, lang),
        preparation=pick(topic.preparation, lang),
        citizen_name=appointment.citizen_name or "",
        language=appointment.language,
        question=appointment.question or "",
        status=str(appointment.status),
        meeting_state=str(appointment.meeting_state),
        join_url=appointment.join_url or "",
        outcome=str(appointment.outcome or ""),
        staff_note=appointment.staff_note or "",
        staff_name=staff_name,
        staff_id=staff_id,
        identity_needed=required_level(topic) != "none",
        identity_line=identity_line(appointment, tz),
        identity_name=appointment.identity_name or "",
        identity_birth_date=appointment.identity_birth_date or "",
        identity_number=number if show_number else mask_number(number),
        identity_confirmed=appointment.identity_confirmed_at is not None,
    )


def _rows(
    session: Session,
    condition: ColumnElement[bool],
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    lang: str,
    show_number: bool = False,
) -> list[DayRow]:
    """Rows of the non-cancelled appointments matching ``condition`` in ``[start, end)``."""
    found = session.exec(
        select(Appointment, Service, Topic, StaffMember.display_name, StaffMember.id)
        .join(Service, Service.id == Appointment.service_id)
        .join(Topic, Topic.id == Appointment.topic_id)
        .join(StaffMember, StaffMember.id == Appointment.staff_id)
        .where(
            condition,
            Appointment.status != AppointmentStatus.CANCELLED,
            Appointment.start_at >= start,
            Appointment.start_at < end,
        )
        .order_by(Appointment.start_at, Appointment.id)
    ).all()
    return [
        _row(appointment, service, topic, tz, lang, staff_name, staff_id, show_number)
        for appointment, service, topic, staff_name, staff_id in found
    ]


def service_ids_of(session: Session, staff: StaffMember) -> set[int]:
    """The services this staff member serves."""
    return set(
        session.exec(select(StaffService.service_id).where(StaffService.staff_id == staff.id))
    )


def day_rows(
    session: Session,
    staff: StaffMember,
    day: date,
    language: str = "nl",
    *,
    audited: bool = True,
    number_roles: tuple[str, ...] = (),
) -> list[DayRow]:
    """The staff member's own appointments on that local day, cancelled ones left out.

    Audited when the page opens; its periodic refresh (``audited=False``) is not logged again.
    The national register number (if the city stores it) shows unmasked only to
    ``number_roles``.
    """
    tz = _time_zone(session, staff)
    show = bool(number_roles) and has_role(staff, *number_roles)
    own = Appointment.staff_id == staff.id
    rows = _rows(session, own, *_bounds(day, 1, tz), tz, language, show)
    if audited:
        audit(session, staff, "read_day_list", "day", None, day=day.isoformat(), count=len(rows))
        session.commit()
    return rows


def team_services(session: Session, staff: StaffMember) -> list[Service]:
    """Services whose day list ``staff`` may see: all for managers and admins, else their own."""
    if not staff.active:
        return []
    query = select(Service).where(Service.organisation_id == staff.organisation_id)
    if not has_role(staff, *LEADS):
        query = query.where(Service.id.in_(sorted(service_ids_of(session, staff))))
    return list(session.exec(query.order_by(Service.sort_order, Service.id)))


def team_rows(
    session: Session, staff: StaffMember, service_id: int, day: date, language: str = "nl"
) -> list[DayRow]:
    """A service's appointments that day, for managers, admins and the service's own staff."""
    service = session.get(Service, service_id) if isinstance(service_id, int) else None
    if service is None or service.organisation_id != staff.organisation_id:
        raise LookupError(f"no service {service_id!r}")
    if not staff.active or not (
        has_role(staff, *LEADS) or service_id in service_ids_of(session, staff)
    ):
        raise PermissionError("only managers, admins and the service's staff see its day list")
    tz = _time_zone(session, staff)
    condition = Appointment.service_id == service_id
    rows = _rows(session, condition, *_bounds(day, 1, tz), tz, language)
    audit(
        session,
        staff,
        "team_day.view",
        "service",
        service_id,
        day=day.isoformat(),
        count=len(rows),
    )
    session.commit()
    return rows


def week_rows(
    session: Session, staff: StaffMember, monday: date, language: str = "nl"
) -> dict[date, list[DayRow]]:
    """Own appointments of the week (Monday to Sunday) that holds ``monday``, per day; audited."""
    monday -= timedelta(days=monday.weekday())
    tz = _time_zone(session, staff)
    rows = _rows(session, Appointment.staff_id == staff.id, *_bounds(monday, 7, tz), tz, language)
    week: dict[date, list[DayRow]] = {monday + timedelta(days=n): [] for n in range(7)}
    for row in rows:
        week[row.start.date()].append(row)
    audit(session, staff, "week.view", "week", None, day=monday.isoformat(), count=len(rows))
    session.commit()
    return week


Span = tuple[datetime, datetime]


def _away_rows(
    session: Session, staff: StaffMember, staff_ids: list[int], first: datetime, last: datetime
) -> list[AvailabilityException]:
    """Leave of ``staff_ids`` and closures of the organisation that touch ``[first, last)``."""
    return list(
        session.exec(
            select(AvailabilityException).where(
                AvailabilityException.organisation_id == staff.organisation_id,
                AvailabilityException.staff_id.in_(staff_ids)
                | AvailabilityException.staff_id.is_(None),
                AvailabilityException.start_at < last,
                AvailabilityException.end_at > first,
            )
        )
    )


def _day_spans(
    day: date, hours: list[OpeningHours], away: list[AvailabilityException], tz: ZoneInfo
) -> tuple[list[Span], list[Span]]:
    """The opening hours and the leave (clipped to the day) on ``day``, as naive local times."""
    opened = sorted(
        {
            (datetime.combine(day, row.start_time), datetime.combine(day, row.end_time))
            for row in hours
            if row.weekday == day.weekday()
            and (row.valid_from is None or row.valid_from <= day)
            and (row.valid_until is None or day <= row.valid_until)
        }
    )
    midnight = datetime.combine(day, time.min)
    off = []
    for period in away:
        start = max(period.start_at.astimezone(tz).replace(tzinfo=None), midnight)
        end = min(period.end_at.astimezone(tz).replace(tzinfo=None), midnight + timedelta(1))
        if start < end:
            off.append((start, end))
    return opened, sorted(off)


def week_availability(
    session: Session, staff: StaffMember, monday: date
) -> dict[date, tuple[list[Span], list[Span]]]:
    """Per day of the week: the person's opening hours and their leave or closures (local).

    Times are naive local wall times of that day; leave is clipped to the day.
    """
    monday -= timedelta(days=monday.weekday())
    tz = _time_zone(session, staff)
    first, last = _bounds(monday, 7, tz)
    hours = list(session.exec(select(OpeningHours).where(OpeningHours.staff_id == staff.id)))
    away = _away_rows(session, staff, [staff.id], first, last)
    return {
        day: _day_spans(day, hours, away, tz)
        for day in (monday + timedelta(days=n) for n in range(7))
    }


@dataclass(frozen=True)
class TeamColumn:
    """A counsellor in a service's day: their opening hours for the service, and their leave."""

    staff_id: int
    name: str
    opened: list[Span]
    away: list[Span]


def team_availability(
    session: Session, staff: StaffMember, service_id: int, day: date, rows: list[DayRow]
) -> list[TeamColumn]:
    """The service's active counsellors and everyone with one of ``rows``, by name, with shading.

    Call it after ``team_rows`` (which checks that ``staff`` may see the service's day).
    """
    members = session.exec(
        select(StaffMember.id, StaffMember.display_name)
        .join(StaffService, StaffService.staff_id == StaffMember.id)
        .where(
            StaffService.service_id == service_id,
            StaffMember.organisation_id == staff.organisation_id,
            StaffMember.active,
        )
    ).all()
    names = dict(members) | {row.staff_id: row.staff_name for row in rows}
    if not names:
        return []
    tz = _time_zone(session, staff)
    first, last = _bounds(day, 1, tz)
    hours = session.exec(
        select(OpeningHours).where(
            OpeningHours.service_id == service_id, OpeningHours.staff_id.in_(list(names))
        )
    ).all()
    away = _away_rows(session, staff, list(names), first, last)
    columns = []
    for staff_id, name in sorted(names.items(), key=lambda item: (item[1], item[0])):
        opened, off = _day_spans(
            day,
            [row for row in hours if row.staff_id == staff_id],
            [row for row in away if row.staff_id in (staff_id, None)],
            tz,
        )
        columns.append(TeamColumn(staff_id, name, opened, off))
    return columns


def _may_handle(session: Session, staff: StaffMember, appointment: Appointment) -> bool:
    """The assigned staff member, the service's staff, and managers or admins may record results."""
    if not staff.active or appointment.organisation_id != staff.organisation_id:
        return False
    return (
        appointment.staff_id == staff.id
        or has_role(staff, *LEADS)
        or appointment.service_id in service_ids_of(session, staff)
    )


def _appointment_to_handle(
    session: Session, staff: StaffMember, appointment_id: int
) -> Appointment:
    """The appointment, locked for the update, when ``staff`` may record its result."""
    appointment = None
    if row_id(appointment_id) is not None:
        appointment = session.get(
            Appointment, appointment_id, with_for_update=True, populate_existing=True
        )
    if appointment is None:
        raise LookupError(f"no appointment {appointment_id!r}")
    if not _may_handle(session, staff, appointment):
        session.rollback()  # release the row lock
        raise PermissionError("not your appointment or your service")
    if appointment.status == AppointmentStatus.CANCELLED:
        session.rollback()
        raise NotChangeable(appointment.reference)
    return appointment


def _clean_note(note: object) -> str:
    """The note without control characters (newlines and tabs kept); ValueError when too long."""
    if note is None:
        return ""
    if not isinstance(note, str):
        raise ValueError("the note must be text")
    kept = "".join(ch for ch in note if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    kept = kept.replace("\r\n", "\n").strip()
    if len(kept) > NOTE_MAX:
        raise ValueError(f"the note may have at most {NOTE_MAX} characters")
    return kept


def _valid_outcome(outcome: object) -> Outcome:
    """The outcome as the enum; ValueError for anything else."""
    try:
        return Outcome(outcome)
    except ValueError:
        choices = ", ".join(item.value for item in Outcome)
        raise ValueError(f"unknown outcome {outcome!r}; choose from {choices}") from None


def record_outcome(
    session: Session,
    staff: StaffMember,
    appointment_id: int,
    outcome: str,
    note: str,
    now: datetime,
) -> Appointment:
    """Mark the appointment completed with an outcome and an internal note; audited; commits."""
    chosen = _valid_outcome(outcome)
    clean_note = _clean_note(note)
    appointment = _appointment_to_handle(session, staff, appointment_id)
    topic = session.get(Topic, appointment.topic_id)
    if required_level(topic) != "none" and appointment.identity_confirmed_at is None:
        session.rollback()  # release the row lock
        raise IdentityNotConfirmed(appointment.reference)
    previous = str(appointment.status)
    if appointment.status != AppointmentStatus.COMPLETED or appointment.completed_at is None:
        appointment.completed_at = now  # a correction keeps the time of the first completion
    appointment.status = AppointmentStatus.COMPLETED
    appointment.outcome = chosen
    appointment.staff_note = clean_note or None
    appointment.updated_at = now
    session.add(appointment)
    enqueue_survey(session, appointment, now)  # once per appointment (dedupe key)
    audit(
        session,
        staff,
        "record_outcome",
        "appointment",
        appointment.id,
        at=now,
        outcome=chosen.value,
        previous_status=previous,
    )
    session.commit()
    return appointment


def confirm_identity(
    session: Session, staff: StaffMember, appointment_id: int, now: datetime
) -> Appointment:
    """The counsellor confirms the person on screen is the person identified; audited."""
    appointment = _appointment_to_handle(session, staff, appointment_id)
    if appointment.identity_verified_at is None:
        session.rollback()
        raise NotChangeable(appointment.reference)
    if appointment.identity_confirmed_at is None:
        appointment.identity_confirmed_at = now
        appointment.identity_confirmed_by = staff.id
        appointment.updated_at = now
        session.add(appointment)
        # The audit entry says who confirmed which appointment at what level, not who the person is.
        audit(
            session,
            staff,
            "confirm_identity",
            "appointment",
            appointment.id,
            at=now,
            level=appointment.identity_level,
            method=appointment.identity_method,
        )
    session.commit()
    return appointment


def mark_no_show(
    session: Session, staff: StaffMember, appointment_id: int, now: datetime
) -> Appointment:
    """Record that the citizen did not come (only once the call has started); audited; commits."""
    appointment = _appointment_to_handle(session, staff, appointment_id)
    if now < appointment.start_at:
        session.rollback()
        raise NotChangeable(appointment.reference)
    previous = str(appointment.status)
    appointment.status = AppointmentStatus.NO_SHOW
    appointment.outcome = None
    appointment.completed_at = None
    appointment.updated_at = now
    session.add(appointment)
    audit(
        session,
        staff,
        "mark_no_show",
        "appointment",
        appointment.id,
        at=now,
        previous_status=previous,
    )
    session.commit()
    return appointment


def _local_day(session: Session, staff: StaffMember, moment: datetime) -> date:
    """The date of ``moment`` in the organisation's time zone."""
    return moment.astimezone(_time_zone(session, staff)).date()


def retry_meeting(
    session: Session, staff: StaffMember, appointment_id: int, now: datetime
) -> Appointment:
    """Try again to make the meeting link that failed; audited; commits.

    Only for booked appointments of today or later whose link failed. The meeting state goes
    back to pending and a new create job (with its own key) runs in the background; a
    confirmation with the link follows once it exists (the first e-mail promised it).
    """
    appointment = _appointment_to_handle(session, staff, appointment_id)
    if (
        appointment.status != AppointmentStatus.BOOKED
        or appointment.meeting_state != MeetingState.FAILED
        or _local_day(session, staff, appointment.start_at) < _local_day(session, staff, now)
    ):
        session.rollback()
        raise NotChangeable(appointment.reference)
    earlier = session.exec(
        select(func.count())
        .select_from(Job)
        .where(Job.appointment_id == appointment.id, Job.kind == "meeting.create")
    ).one()
    attempt = earlier + 1
    appointment.meeting_state = MeetingState.PENDING
    appointment.updated_at = now
    session.add(appointment)
    create_key = f"meeting.create:{appointment.id}:retry:{attempt}"
    mail_key = f"mail.confirmation:{appointment.id}:retry:{attempt}{jobs.LINK_SUFFIX}"
    jobs.enqueue(
        session, "meeting.create", appointment.id, run_after=now, dedupe_key=create_key, now=now
    )
    jobs.enqueue(
        session, "mail.confirmation", appointment.id, run_after=now, dedupe_key=mail_key, now=now
    )
    audit(session, staff, "retry_meeting", "appointment", appointment.id, at=now, attempt=attempt)
    session.commit()
    return appointment


def _follow_up_source(session: Session, staff: StaffMember, appointment_id: int) -> Appointment:
    """The completed call with outcome 'follow-up needed' that ``staff`` may book a sequel for."""
    appointment = None
    if row_id(appointment_id) is not None:
        appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        raise LookupError(f"no appointment {appointment_id!r}")
    if not _may_handle(session, staff, appointment):
        raise PermissionError("not your appointment or your service")
    if (
        appointment.status != AppointmentStatus.COMPLETED
        or appointment.outcome != Outcome.FOLLOW_UP
        or not appointment.citizen_email  # erased after the retention period
    ):
        raise NotChangeable(appointment.reference)
    return appointment


def follow_up_days(
    session: Session,
    staff: StaffMember,
    appointment_id: int,
    now: datetime,
    max_days: int = FOLLOW_UP_DAYS,
) -> list[DayChoice]:
    """The first days with free times of the same service, for a follow-up appointment."""
    source = _follow_up_source(session, staff, appointment_id)
    organisation = session.get(Organisation, source.organisation_id)
    service = session.get(Service, source.service_id)
    return bookable_days(session, organisation, service, now)[:max_days]


def _follow_up_question(source: Appointment) -> str:
    """'Vervolg op <reference>', then the first question, within the question's limit."""
    question = f"Vervolg op {source.reference}"
    if source.question:
        question += f": {source.question}"
    return question[:QUESTION_MAX]


def book_follow_up(
    session: Session,
    staff: StaffMember,
    appointment_id: int,
    start: datetime,
    *,
    meeting_provider: str,
    secret_key: str,
    idempotency_key: str | None,
    now: datetime,
) -> Booked:
    """Book a follow-up for the same citizen, service and topic; audited; commits.

    The same counsellor gets it when they are free then. The citizen gets the usual
    confirmation with the manage link (book() plans it). Booking errors propagate.
    """
    source = _follow_up_source(session, staff, appointment_id)
    service = session.get(Service, source.service_id)
    topic = session.get(Topic, source.topic_id)
    organisation = session.get(Organisation, source.organisation_id)
    details = CitizenDetails(
        name=source.citizen_name or "",
        email=source.citizen_email or "",
        phone=source.citizen_phone,
        language=source.language,
        question=_follow_up_question(source),
        consent=True,
    )
    request = BookingRequest(
        service_slug=service.slug,
        topic_slug=topic.slug,
        start=start,
        details=details,
        channel=BookingChannel.WEB,
        idempotency_key=idempotency_key,
    )
    booked = booking.book(
        session,
        organisation,
        request,
        meeting_provider=meeting_provider,
        secret_key=secret_key,
        now=now,
        preferred_staff_id=source.staff_id,
    )
    if not booked.replayed:
        audit(
            session,
            staff,
            "book_follow_up",
            "appointment",
            booked.appointment.id,
            at=now,
            follow_up_of=source.id,
        )
        session.commit()
    return booked


LATE_AFTER = timedelta(minutes=5)  # a call not started (no result) 5 minutes after its start


def phase(row: DayRow, now: datetime) -> str:
    """Where a call of today stands: 'done', 'upcoming', 'in_progress' or 'late'.

    'late': still booked (no result recorded) more than LATE_AFTER after its end.
    """
    if row.status != AppointmentStatus.BOOKED:
        return "done"
    if now < row.start:
        return "upcoming"
    if now < row.end + LATE_AFTER:
        return "in_progress"
    return "late"


def next_call(rows: list[DayRow], now: datetime) -> DayRow | None:
    """The first call still to start (booked, start after ``now``), or None."""
    return min(
        (row for row in rows if row.status == AppointmentStatus.BOOKED and row.start > now),
        key=lambda row: row.start,
        default=None,
    )
