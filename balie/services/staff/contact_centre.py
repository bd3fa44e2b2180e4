"""Gentinfo's contact centre: book for a caller, and find, move or cancel a caller's appointment.

An agent works in the same slot engine and booking service as the citizen's wizard; what is
different is who may act (agents and admins), the channel (contact centre), that an agent only
ever reaches one appointment by its reference together with the citizen's e-mail address, and
that every look-up and change is written to the audit log without the citizen's details.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from balie.i18n import LANGUAGES
from balie.models import (
    Appointment,
    AppointmentStatus,
    AuditEntry,
    BookingChannel,
    Organisation,
    Service,
    StaffMember,
)
from balie.services import booking
from balie.services.catalogue import ServiceView, live_services
from balie.services.privacy import mail_suppression
from balie.services.staff.staff_auth import audit, require_role
from balie.services.validation import row_id
from balie.services.wizard import DayChoice, bookable_days, summarise

AGENT_ROLES = ("agent", "admin")
LOOKUP_ACTION = "appointment.lookup"
LOOKUP_REFUSED_ACTION = "appointment.lookup_refused"
MISS_LIMIT = 20
MISS_WINDOW = timedelta(minutes=10)
EMAIL_MAX = 254
REASON_MAX = 500
_REFERENCE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")


class LookupRateLimited(Exception):
    """Too many look-ups without a match by this staff member in the last minutes."""


@dataclass(frozen=True)
class CallerAppointment:
    """One appointment as an agent sees it for the caller, in both languages."""

    appointment_id: int
    reference: str
    status: str
    service_name: dict[str, str]
    topic_name: dict[str, str]
    when: dict[str, str]
    citizen_name: str
    language: str
    can_change: bool


def _organisation(session: Session, staff: StaffMember | None) -> Organisation:
    """The organisation of an agent or admin; PermissionError for anyone else."""
    member = require_role(staff, *AGENT_ROLES)
    return session.get(Organisation, member.organisation_id)


def _today(organisation: Organisation, now: datetime) -> date:
    """The local date in the organisation's time zone."""
    return now.astimezone(ZoneInfo(organisation.time_zone)).date()


def offered_services(
    session: Session, staff: StaffMember | None, now: datetime
) -> list[ServiceView]:
    """The live services (with all their active topics) an agent can book for a caller."""
    organisation = _organisation(session, staff)
    return live_services(session, organisation.id, _today(organisation, now))


def free_days(
    session: Session, staff: StaffMember | None, service_slug: str, now: datetime
) -> list[DayChoice]:
    """Days with free times of a live service, from the same slot engine as the wizard."""
    organisation = _organisation(session, staff)
    service = booking.find_live_service(session, organisation, service_slug, now)
    return bookable_days(session, organisation, service, now)


def book_for_caller(
    session: Session,
    staff: StaffMember | None,
    request: booking.BookingRequest,
    *,
    meeting_provider: str,
    secret_key: str,
    now: datetime,
) -> booking.Booked:
    """Book on the contact-centre channel for a caller; audited once, without their details."""
    organisation = _organisation(session, staff)
    contact = booking.BookingRequest(
        service_slug=request.service_slug,
        topic_slug=request.topic_slug,
        start=request.start,
        details=request.details,
        channel=BookingChannel.CONTACT_CENTRE,
        idempotency_key=request.idempotency_key,
    )
    booked = booking.book(
        session,
        organisation,
        contact,
        meeting_provider=meeting_provider,
        secret_key=secret_key,
        now=now,
    )
    if not booked.replayed:
        # booking.book commits itself (and retries with a rollback), so the entry follows it.
        appointment = booked.appointment
        # A caller who asks a person for a booking asks for its mail: lift a suppression.
        mail_suppression.lift(session, appointment.citizen_email, secret_key)
        audit(
            session,
            staff,
            "appointment.book_for_citizen",
            "appointment",
            appointment.id,
            at=now,
            reference=appointment.reference,
            service=request.service_slug,
        )
        session.commit()
    return booked


def normalise_reference(value: object) -> str:
    """A reference as read out on the phone ('k7qx 3mpa') in its stored form ('K7QX-3MPA')."""
    if not isinstance(value, str) or "\x00" in value or len(value) > 64:
        return ""
    compact = re.sub(r"[\s\-_.]", "", value).upper()
    return f"{compact[:4]}-{compact[4:]}" if len(compact) == 8 else compact[:16]


def normalise_email(value: object) -> str:
    """The e-mail address as compared: trimmed and lower case ('' when it cannot be one)."""
    if not isinstance(value, str) or "\x00" in value:
        return ""
    email = value.strip().lower()
    return email if 0 < len(email) <= EMAIL_MAX else ""


def find_for_caller(
    session: Session, organisation: Organisation, reference: object, email: object
) -> Appointment | None:
    """The organisation's appointment with this reference AND this e-mail address, else None.

    One query with both conditions, so a wrong reference and a wrong address look the same.
    """
    wanted_reference, wanted_email = normalise_reference(reference), normalise_email(email)
    if not wanted_reference or not wanted_email:
        return None
    return session.exec(
        select(Appointment).where(
            Appointment.organisation_id == organisation.id,
            Appointment.reference == wanted_reference,
            func.lower(Appointment.citizen_email) == wanted_email,
        )
    ).first()


def recent_misses(session: Session, staff_id: int, now: datetime) -> int:
    """Look-ups without a match by this staff member within the miss window."""
    return session.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.staff_id == staff_id,
            AuditEntry.action == LOOKUP_ACTION,
            AuditEntry.target_id.is_(None),
            AuditEntry.at > now - MISS_WINDOW,
            AuditEntry.at <= now,
        )
    ).one()


def lookup(
    session: Session, staff: StaffMember | None, reference: object, email: object, now: datetime
) -> Appointment | None:
    """Find a caller's appointment for an agent; every attempt is audited; commits.

    The audit log is also the rate limiter: a miss is a look-up entry without a target, and
    after MISS_LIMIT of them within MISS_WINDOW the agent must wait. Refused attempts get their
    own action, so they are logged but do not prolong the wait.
    """
    organisation = _organisation(session, staff)
    wanted = normalise_reference(reference)
    logged_reference = wanted if _REFERENCE.match(wanted) else ""
    if recent_misses(session, staff.id, now) >= MISS_LIMIT:
        audit(session, staff, LOOKUP_REFUSED_ACTION, "appointment", None, at=now)
        session.commit()
        raise LookupRateLimited(str(staff.id))
    appointment = find_for_caller(session, organisation, reference, email)
    audit(
        session,
        staff,
        LOOKUP_ACTION,
        "appointment",
        appointment.id if appointment else None,
        at=now,
        found=appointment is not None,
        reference=logged_reference,
    )
    session.commit()
    return appointment


def caller_view(session: Session, appointment: Appointment, now: datetime) -> CallerAppointment:
    """What the agent sees of the appointment they found or booked."""
    summaries = {lang: summarise(session, appointment, lang) for lang in LANGUAGES}
    return CallerAppointment(
        appointment_id=appointment.id,
        reference=appointment.reference,
        status=str(appointment.status),
        service_name={lang: s.service_name for lang, s in summaries.items()},
        topic_name={lang: s.topic_name for lang, s in summaries.items()},
        when={lang: s.when for lang, s in summaries.items()},
        citizen_name=appointment.citizen_name or "",
        language=appointment.language,
        can_change=appointment.status == AppointmentStatus.BOOKED and appointment.start_at > now,
    )


def appointment_for_agent(
    session: Session, staff: StaffMember | None, appointment_id: object
) -> Appointment:
    """An appointment of the agent's organisation by id; LookupError when there is none."""
    organisation = _organisation(session, staff)
    appointment = None
    if row_id(appointment_id) is not None:
        appointment = session.get(Appointment, appointment_id, populate_existing=True)
    if appointment is None or appointment.organisation_id != organisation.id:
        raise LookupError(f"no appointment {appointment_id!r}")
    return appointment


def free_days_for_move(
    session: Session, staff: StaffMember | None, appointment_id: object, now: datetime
) -> list[DayChoice]:
    """Free times of the appointment's own service, to move it to."""
    appointment = appointment_for_agent(session, staff, appointment_id)
    organisation = session.get(Organisation, appointment.organisation_id)
    service = session.get(Service, appointment.service_id)
    return bookable_days(session, organisation, service, now)


def cancel_for_caller(
    session: Session,
    staff: StaffMember | None,
    appointment_id: object,
    reason: object,
    now: datetime,
) -> Appointment:
    """Cancel for a caller (the citizen gets the e-mail); audited in the same transaction."""
    appointment = appointment_for_agent(session, staff, appointment_id)
    text = reason.strip()[:REASON_MAX] if isinstance(reason, str) else ""
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    # booking.cancel commits once, so the audit entry added first is committed with it.
    audit(
        session,
        staff,
        "appointment.cancel",
        "appointment",
        appointment.id,
        at=now,
        reference=appointment.reference,
        channel=BookingChannel.CONTACT_CENTRE.value,
    )
    try:
        return booking.cancel(session, appointment, text, now)
    except booking.BookingError:
        session.rollback()  # drops the audit entry: nothing changed
        raise


def reschedule_for_caller(
    session: Session,
    staff: StaffMember | None,
    appointment_id: object,
    new_start: datetime,
    now: datetime,
) -> Appointment:
    """Move for a caller to a free time of the same service; audited once it has moved."""
    appointment = appointment_for_agent(session, staff, appointment_id)
    old_start = appointment.start_at
    # booking.reschedule may roll back and retry, so the entry is written after its commit.
    moved = booking.reschedule(session, appointment, new_start, now)
    audit(
        session,
        staff,
        "appointment.reschedule",
        "appointment",
        moved.id,
        at=now,
        reference=moved.reference,
        channel=BookingChannel.CONTACT_CENTRE.value,
        previous_start=old_start.isoformat(),
        new_start=moved.start_at.isoformat(),
    )
    session.commit()
    return moved
