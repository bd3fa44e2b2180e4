"""The background jobs that make, move and cancel an appointment's meeting (registered in jobs)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from balie.i18n import pick
from balie.models import (
    Appointment,
    AppointmentStatus,
    Job,
    JobKind,
    JobState,
    MeetingState,
    Service,
    StaffMember,
    Topic,
)
from balie.services import jobs
from balie.services.meetings.interface import MeetingRequest, transaction_id_for
from balie.settings import Settings

IN_FLIGHT_POLL = timedelta(seconds=20)


def _meeting_request(
    session: Session, appointment: Appointment, settings: Settings
) -> MeetingRequest:
    """What the provider needs; the citizen's question goes along only if the city enables it."""
    service = session.get(Service, appointment.service_id)
    topic = session.get(Topic, appointment.topic_id)
    staff = session.get(StaffMember, appointment.staff_id)
    service_name, topic_name = pick(service.name, "nl"), pick(topic.name, "nl")
    body = (
        "Videogesprek via de Digitale Balie.\n"
        f"Dienst: {service_name}\nOnderwerp: {topic_name}\nReferentie: {appointment.reference}"
    )
    if settings.share_question_with_meeting_provider and appointment.question:
        body += f"\nVraag: {appointment.question}"
    return MeetingRequest(
        reference=appointment.reference,
        subject=f"{service_name} – {topic_name}",
        start=appointment.start_at,
        end=appointment.end_at,
        body=body,
        organiser=(staff.entra_object_id if staff else None) or "",
        transaction_id=transaction_id_for(appointment.reference),
    )


def _wait_for_create(session: Session, appointment: Appointment) -> None:
    """Defer while a create job (the first or a staff retry) is running: it read the old time
    or status before we did."""
    running = session.exec(
        select(Job.id).where(
            Job.appointment_id == appointment.id,
            Job.kind == JobKind.MEETING_CREATE,
            Job.state == JobState.RUNNING,
        )
    ).first()
    if running is not None:
        raise jobs.Defer(IN_FLIGHT_POLL, "meeting is being created")


def create_meeting(session: Session, job: Job, context: jobs.JobContext) -> None:
    """Make the meeting and store its link."""
    appointment = jobs.appointment_of(session, job)
    if appointment is None or appointment.status == AppointmentStatus.CANCELLED:
        return
    if appointment.join_url:
        return
    request = _meeting_request(session, appointment, context.settings)
    jobs.end_read(session)
    meeting = context.provider.create(request)
    appointment.meeting_external_id = meeting.external_id
    appointment.join_url = meeting.join_url
    appointment.meeting_state = MeetingState.READY
    appointment.meeting_provider = meeting.provider
    session.add(appointment)


def give_up_meeting(session: Session, job: Job) -> None:
    """A meeting that cannot be made: staff see the failed state and call the citizen."""
    appointment = jobs.appointment_of(session, job)
    if appointment is not None and not appointment.join_url:
        appointment.meeting_state = MeetingState.FAILED
        session.add(appointment)


def update_meeting(session: Session, job: Job, context: jobs.JobContext) -> None:
    """Move the meeting to the appointment's current time."""
    appointment = jobs.appointment_of(session, job)
    if appointment is None or appointment.status == AppointmentStatus.CANCELLED:
        return
    if not appointment.meeting_external_id:
        # A pending create job reads the new time itself; a running one may have the old one.
        _wait_for_create(session, appointment)
        return
    external_id = appointment.meeting_external_id
    request = _meeting_request(session, appointment, context.settings)
    jobs.end_read(session)
    context.provider.update(external_id, request)


def cancel_meeting(session: Session, job: Job, context: jobs.JobContext) -> None:
    """Cancel the meeting, if one was made."""
    appointment = jobs.appointment_of(session, job)
    if appointment is None:
        return
    if not appointment.meeting_external_id:
        _wait_for_create(session, appointment)
        return
    external_id = appointment.meeting_external_id
    request = _meeting_request(session, appointment, context.settings)
    jobs.end_read(session)
    context.provider.cancel(external_id, request)


jobs.register(JobKind.MEETING_CREATE, create_meeting, give_up=give_up_meeting)
jobs.register(JobKind.MEETING_UPDATE, update_meeting)
jobs.register(JobKind.MEETING_CANCEL, cancel_meeting)
