"""The background jobs that make, move and cancel an appointment's meeting (registered in jobs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
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
    organiser = (staff.entra_object_id if staff else None) or ""
    return _request_for(NewMeeting.of(appointment, service, topic), organiser, settings)


def _request_for(new: NewMeeting, organiser: str, settings: Settings) -> MeetingRequest:
    """The provider's request for the appointment ``new`` describes, with its organiser."""
    service_name, topic_name = pick(new.service_name, "nl"), pick(new.topic_name, "nl")
    body = (
        "Videogesprek via de Digitale Balie.\n"
        f"Dienst: {service_name}\nOnderwerp: {topic_name}\nReferentie: {new.reference}"
    )
    if settings.share_question_with_meeting_provider and new.question:
        body += f"\nVraag: {new.question}"
    return MeetingRequest(
        reference=new.reference,
        subject=f"{service_name} – {topic_name}",
        start=new.start_at,
        end=new.end_at,
        body=body,
        organiser=organiser,
        transaction_id=transaction_id_for(new.reference),
    )


@dataclass(frozen=True)
class NewMeeting:
    """What making an appointment's meeting needs, as plain values (safe to pass to a thread).

    For a booking being answered, its meeting.create job was claimed at birth until
    ``claimed_until``; the names come from the catalogue the booking used, so making the
    meeting reads none of them again.
    """

    appointment_id: int
    organisation_id: int
    staff_id: int | None
    reference: str
    start_at: datetime
    end_at: datetime
    question: str
    service_name: dict[str, str]
    topic_name: dict[str, str]
    claimed_until: datetime | None = None

    @classmethod
    def of(
        cls,
        appointment: Appointment,
        service: Service,
        topic: Topic,
        claimed_until: datetime | None = None,
    ) -> NewMeeting:
        """The values of ``appointment`` with its service's and topic's names."""
        return cls(
            appointment_id=appointment.id,
            organisation_id=appointment.organisation_id,
            staff_id=appointment.staff_id,
            reference=appointment.reference,
            start_at=appointment.start_at,
            end_at=appointment.end_at,
            question=appointment.question or "",
            service_name=dict(service.name),
            topic_name=dict(topic.name),
            claimed_until=claimed_until,
        )


# --- the meeting of a booking being answered -------------------------------------------------


@dataclass(frozen=True)
class MeetingMade:
    """What the answer shows after making a new booking's meeting."""

    join_url: str | None
    meeting_state: MeetingState


_ORGANISER = select(StaffMember.entra_object_id).where(StaffMember.id == bindparam("id"))
_APPOINTMENT = Appointment.__table__
_MEETING_MADE = (
    update(_APPOINTMENT)
    .where(_APPOINTMENT.c.id == bindparam("appointment"))
    .values(
        meeting_external_id=bindparam("made_id"),
        join_url=bindparam("made_url"),
        meeting_state=MeetingState.READY,
        meeting_provider=bindparam("made_by"),
    )
)


def create_new(
    session_factory: jobs.SessionFactory, context: jobs.JobContext, new: NewMeeting
) -> MeetingMade:
    """Make the meeting of a booking being answered; record it and its job's end together.

    The same outcome as the meeting.create job run by a worker (``create_meeting``), without
    claiming the job or reading the appointment back: the booking claimed the job when it
    wrote it (``new.claimed_until``). A failure is recorded on the job, which a worker then
    retries as usual.
    """
    if new.claimed_until is None:
        raise ValueError("create_new needs a meeting job claimed at birth")
    key = jobs.meeting_create_key(new.appointment_id)
    with session_factory() as session:
        context = jobs.context_for_organisation(session, new.organisation_id, context)
        organiser = session.connection().execute(_ORGANISER, {"id": new.staff_id}).scalar()
        request = _request_for(new, organiser or "", context.settings)
        jobs.end_read(session)
        try:
            meeting = context.provider.create(request)
        except Exception as error:  # noqa: BLE001 - recorded on the job and retried
            jobs.fail_claimed(session, key, new.claimed_until, error, context)
            return MeetingMade(None, _state_now(session, new.appointment_id))
        session.connection().execute(
            _MEETING_MADE,
            {
                "appointment": new.appointment_id,
                "made_id": meeting.external_id,
                "made_url": meeting.join_url,
                "made_by": meeting.provider,
            },
        )
        jobs.finish_claimed(session, key, new.claimed_until, context.now())
        session.commit()
    return MeetingMade(meeting.join_url, MeetingState.READY)


# What the meeting job (another session) changes: read back in one prebuilt column query, as
# Core with the appointment's organisation named (the session's scoping would only add cost).
_MEETING_COLUMNS = select(
    Appointment.status, Appointment.join_url, Appointment.meeting_state
).where(Appointment.id == bindparam("id"), Appointment.organisation_id == bindparam("org"))


def reload_meeting(session: Session, appointment: Appointment) -> None:
    """Refresh status, link and meeting state of ``appointment`` after its meeting job ran."""
    parameters = {"id": appointment.id, "org": appointment.organisation_id}
    row = session.connection().execute(_MEETING_COLUMNS, parameters).one()
    show_meeting(appointment, *row)


def show_meeting(appointment: Appointment, status: str, join_url: str | None, state: str) -> None:
    """Put the stored meeting columns on ``appointment`` without marking it changed."""
    set_committed_value(appointment, "status", status)
    set_committed_value(appointment, "join_url", join_url)
    set_committed_value(appointment, "meeting_state", state)


def _state_now(session: Session, appointment_id: int) -> MeetingState:
    """The appointment's meeting state as stored (failed when the provider refused for good)."""
    state = session.exec(
        select(Appointment.meeting_state).where(Appointment.id == appointment_id)
    ).one()
    session.commit()
    return MeetingState(state)


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
