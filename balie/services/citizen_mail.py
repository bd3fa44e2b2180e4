"""E-mails to the citizen about their appointment, built from the database, and the jobs
that send them (confirmation, change, cancellation, reminder; registered in jobs)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Literal
from urllib.parse import urlsplit

from sqlmodel import Session

from balie.i18n import pick
from balie.models import (
    Appointment,
    AppointmentStatus,
    Job,
    JobKind,
    MeetingState,
    Organisation,
    Service,
    Topic,
)
from balie.services import catalogue_cache, jobs, tenancy
from balie.services.booking import manage_token_matching
from balie.services.notifications import AppointmentMessage, Mailer, build_email, build_ics
from balie.services.privacy import mail_suppression
from balie.settings import Settings

log = logging.getLogger(__name__)

MailKind = Literal["confirmation", "change", "cancellation", "reminder"]
CONFIRMATION_WAIT = timedelta(minutes=10)  # how long the confirmation waits for the link
CONFIRMATION_POLL = timedelta(seconds=20)
LINK_POLL = timedelta(minutes=1)


def manage_url(settings: Settings, reference: str, stored_hash: str = "") -> str:
    """The citizen's personal link; after a secret rotation, still the one the booking got."""
    token = manage_token_matching(reference, stored_hash, settings.secret_keys())
    return f"{settings.public_base_url.rstrip('/')}/afspraak?ref={reference}&token={token}"


def settings_of(session: Session, appointment: Appointment, settings: Settings) -> Settings:
    """The settings as the appointment's organisation sees them (its host in every link)."""
    return tenancy.settings_for(settings, tenancy.slug_of(session, appointment.organisation_id))


def _catalogue_rows(
    session: Session, appointment: Appointment, settings: Settings
) -> tuple[Organisation, Service, Topic]:
    """Organisation, service and topic of the appointment: from the cached catalogue when it
    has them (no round trips), else from the database."""
    catalogue = catalogue_cache.current(session, settings.organisation)
    if catalogue is not None and catalogue.organisation.id == appointment.organisation_id:
        service = catalogue.services_by_id.get(appointment.service_id)
        topic = catalogue.topics_by_id.get(appointment.topic_id)
        if service is not None and topic is not None:
            return catalogue.organisation, service, topic
    return (
        session.get(Organisation, appointment.organisation_id),
        session.get(Service, appointment.service_id),
        session.get(Topic, appointment.topic_id),
    )


def appointment_message(
    session: Session, appointment: Appointment, settings: Settings
) -> AppointmentMessage:
    """Everything an e-mail about ``appointment`` says, in the citizen's language."""
    settings = settings_of(session, appointment, settings)
    organisation, service, topic = _catalogue_rows(session, appointment, settings)
    language = appointment.language
    secret, base = settings.secret_key.get_secret_value(), settings.public_base_url
    return AppointmentMessage(
        reference=appointment.reference,
        organisation_name=organisation.name,
        service_name=pick(service.name, language),
        topic_name=pick(topic.name, language),
        preparation=pick(topic.preparation, language),
        start=appointment.start_at,
        end=appointment.end_at,
        time_zone=organisation.time_zone,
        citizen_name=appointment.citizen_name or "",
        citizen_email=appointment.citizen_email or "",
        language=language,
        join_url=appointment.join_url,
        manage_url=manage_url(settings, appointment.reference, appointment.manage_token_hash),
        sequence=appointment.calendar_sequence,
        cancel_reason=appointment.cancel_reason or "",
        not_requested_url=mail_suppression.page_url(base, appointment.reference, secret),
        one_click_url=mail_suppression.one_click_url(base, appointment.reference, secret),
    )


def uid_domain(settings: Settings) -> str:
    """The domain in calendar UIDs: the public host name."""
    return urlsplit(settings.public_base_url).hostname or "localhost"


def calendar_file(session: Session, appointment_id: int, settings: Settings) -> str:
    """The appointment as an iCalendar file (a cancellation once it is cancelled)."""
    appointment = session.get(Appointment, appointment_id)
    settings = settings_of(session, appointment, settings)
    return build_ics(
        appointment_message(session, appointment, settings),
        cancelled=appointment.status == "cancelled",
        uid_domain=uid_domain(settings),
        sender=settings.mail_from,
    )


def build_appointment_mail(
    session: Session, appointment: Appointment, kind: MailKind, settings: Settings
) -> EmailMessage:
    """The e-mail of ``kind`` about ``appointment``; raises when it cannot be built."""
    settings = settings_of(session, appointment, settings)
    return build_email(
        kind,
        appointment_message(session, appointment, settings),
        sender=settings.mail_from,
        uid_domain=uid_domain(settings),
    )


def send_appointment_mail(
    session: Session,
    appointment: Appointment,
    kind: MailKind,
    settings: Settings,
    mailer: Mailer,
) -> bool:
    """Send one e-mail; a mail failure is logged and never undoes the appointment."""
    if not appointment.citizen_email:
        return False
    try:
        mailer.send(build_appointment_mail(session, appointment, kind, settings))
    except Exception:
        log.exception("could not send %s e-mail for %s", kind, appointment.reference)
        return False
    return True


# --- background jobs -------------------------------------------------------------------------


def suppressed(session: Session, appointment: Appointment, kind: str, settings: Settings) -> bool:
    """Whether the citizen's address asked for no more mail (the e-mail is then skipped, logged)."""
    secret = settings.secret_key.get_secret_value()
    if not mail_suppression.is_suppressed(session, appointment.citizen_email, secret):
        return False
    log.info("%s e-mail for %s skipped: the address is suppressed", kind, appointment.reference)
    return True


def _send(
    session: Session, appointment: Appointment, kind: MailKind, context: jobs.JobContext
) -> None:
    """Build and send one e-mail; errors propagate so the job is retried."""
    if suppressed(session, appointment, kind, context.settings):
        return
    message = build_appointment_mail(session, appointment, kind, context.settings)
    jobs.end_read(session)
    context.mailer.send(message)


def _mailable(appointment: Appointment | None) -> bool:
    """Whether there is a booked appointment with an address to write to."""
    return (
        appointment is not None
        and appointment.status == AppointmentStatus.BOOKED
        and bool(appointment.citizen_email)
    )


def send_confirmation(session: Session, job: Job, context: jobs.JobContext) -> None:
    """Send the confirmation, after waiting a little for the meeting link."""
    if job.dedupe_key.endswith(jobs.LINK_SUFFIX):
        _send_link(session, job, context)
        return
    appointment = jobs.appointment_of(session, job)
    if not _mailable(appointment):
        return
    waited = context.now() - job.created_at
    pending = appointment.meeting_state == MeetingState.PENDING
    if pending and waited < CONFIRMATION_WAIT:
        raise jobs.Defer(CONFIRMATION_POLL, "waiting for the meeting link")
    _send(session, appointment, "confirmation", context)
    if pending and not appointment.join_url:
        # This e-mail says the link follows in a separate e-mail: plan that e-mail.
        now = context.now()
        key = f"{job.dedupe_key}{jobs.LINK_SUFFIX}"
        jobs.enqueue(session, job.kind, appointment.id, run_after=now, dedupe_key=key, now=now)


def _send_link(session: Session, job: Job, context: jobs.JobContext) -> None:
    """The promised follow-up: the confirmation again, once the meeting link exists."""
    appointment = jobs.appointment_of(session, job)
    if not _mailable(appointment) or appointment.start_at <= context.now():
        return
    if appointment.meeting_state == MeetingState.PENDING:
        raise jobs.Defer(LINK_POLL, "waiting for the meeting link")
    if appointment.join_url:
        _send(session, appointment, "confirmation", context)


def send_change(session: Session, job: Job, context: jobs.JobContext) -> None:
    """Tell the citizen the new time (a cancellation mail follows instead when cancelled)."""
    appointment = jobs.appointment_of(session, job)
    if _mailable(appointment):
        _send(session, appointment, "change", context)


def send_cancellation(session: Session, job: Job, context: jobs.JobContext) -> None:
    """Tell the citizen the appointment is cancelled."""
    appointment = jobs.appointment_of(session, job)
    if appointment is not None and appointment.citizen_email:
        _send(session, appointment, "cancellation", context)


def _planned_start(job: Job) -> datetime:
    """The start time a reminder was planned for (kept in its dedupe key)."""
    return datetime.fromisoformat(job.dedupe_key.split(":", 3)[3])


def send_reminder(session: Session, job: Job, context: jobs.JobContext) -> None:
    """Remind the citizen, unless the appointment was cancelled, moved or has begun."""
    appointment = jobs.appointment_of(session, job)
    if not _mailable(appointment):
        return
    if appointment.start_at != _planned_start(job) or appointment.start_at <= context.now():
        return
    _send(session, appointment, "reminder", context)


jobs.register(JobKind.MAIL_CONFIRMATION, send_confirmation)
jobs.register(JobKind.MAIL_CHANGE, send_change)
jobs.register(JobKind.MAIL_CANCELLATION, send_cancellation)
jobs.register(JobKind.MAIL_REMINDER, send_reminder)
