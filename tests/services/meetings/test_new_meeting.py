"""A booking's answer makes its meeting from a job claimed at birth: once, and safe to lose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from balie.models import Appointment, Job, JobState, MeetingState, Service, Topic
from balie.services import booking, jobs
from balie.services.catalogue import get_organisation
from balie.services.demo_data import load_demo_data
from balie.services.meetings import handlers
from balie.services.meetings.interface import Meeting, MeetingError, MeetingRequest
from balie.services.validation import CitizenDetails
from balie.settings import Settings
from tests.conftest import RecordingMailer

NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
MONDAY_NINE = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
LEASE = NOW + timedelta(minutes=2)
MEETING_KINDS = ("meeting.create",)


class CountingProvider:
    """A provider that makes a link per call, or raises the error it was given."""

    name = "jitsi"

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.created: list[MeetingRequest] = []

    def create(self, request: MeetingRequest) -> Meeting:
        """Record the request; a link, or the error."""
        self.created.append(request)
        if self.error is not None:
            raise self.error
        return Meeting(
            "jitsi", f"room-{len(self.created)}", f"https://meet.example/{request.reference}"
        )


def context(provider: CountingProvider, now: datetime = NOW) -> jobs.JobContext:
    """Jobs run against ``provider`` at ``now``."""
    return jobs.JobContext(
        provider=provider, mailer=RecordingMailer(), settings=Settings(), now=lambda: now
    )


def factory(session: Session):
    """Sessions of their own on the test database, like the app's thread does."""
    return lambda: Session(session.get_bind(), expire_on_commit=False)


def book(session: Session, claimed_until: datetime | None = LEASE) -> Appointment:
    """A GAS-fine booking whose meeting job the caller claims until ``claimed_until``."""
    load_demo_data(session)
    gent = get_organisation(session, "gent")
    details = CitizenDetails("Jan", "jan@example.be", None, "nl", "Een vraag", True)
    request = booking.BookingRequest("gas-boetes", "niet-akkoord", MONDAY_NINE, details)
    booked = booking.book(
        session,
        gent,
        request,
        meeting_provider="jitsi",
        secret_key="s",
        now=NOW,
        meeting_claimed_until=claimed_until,
    )
    return booked.appointment


def new_meeting(session: Session, appointment: Appointment) -> handlers.NewMeeting:
    """What the answer hands to its meeting thread."""
    service = session.get(Service, appointment.service_id)
    topic = session.get(Topic, appointment.topic_id)
    return handlers.NewMeeting.of(appointment, service, topic, LEASE)


def job(session: Session, kind: str) -> Job:
    """The appointment's job of ``kind`` as stored now."""
    session.expire_all()
    return session.exec(select(Job).where(Job.kind == kind)).one()


def test_the_meeting_job_is_born_claimed_and_no_worker_takes_it_meanwhile(
    session: Session,
) -> None:
    book(session)
    meeting = job(session, "meeting.create")
    assert (meeting.state, meeting.locked_until) == (JobState.RUNNING, LEASE)
    assert job(session, "mail.confirmation").state == JobState.PENDING
    claimed = jobs.claim_due(session, NOW + timedelta(minutes=1), limit=50)
    assert [j.kind for j in claimed] == ["mail.confirmation"]


def test_without_a_claim_the_meeting_job_waits_for_a_worker(session: Session) -> None:
    book(session, claimed_until=None)
    meeting = job(session, "meeting.create")
    assert (meeting.state, meeting.locked_until) == (JobState.PENDING, None)


def test_the_answer_makes_the_link_and_ends_the_job_in_one_go(session: Session) -> None:
    appointment = book(session)
    provider = CountingProvider()
    made = handlers.create_new(
        factory(session), context(provider), new_meeting(session, appointment)
    )
    assert made == handlers.MeetingMade(
        f"https://meet.example/{appointment.reference}", MeetingState.READY
    )
    session.expire_all()
    stored = session.get(Appointment, appointment.id)
    assert (stored.join_url, stored.meeting_state) == (made.join_url, MeetingState.READY)
    assert stored.meeting_external_id == "room-1"
    done = job(session, "meeting.create")
    assert (done.state, done.attempts, done.locked_until) == (JobState.DONE, 1, None)
    # Later worker rounds find nothing to make: one meeting per booking.
    later = context(provider, NOW + timedelta(hours=1))
    assert jobs.run_due_jobs(factory(session), later, kinds=MEETING_KINDS) == 0
    assert len(provider.created) == 1


def test_the_request_is_the_one_the_worker_job_would_send(session: Session) -> None:
    appointment = book(session)
    provider = CountingProvider()
    handlers.create_new(factory(session), context(provider), new_meeting(session, appointment))
    worker_request = handlers._meeting_request(session, appointment, Settings())
    assert provider.created == [worker_request]
    assert "Een vraag" not in worker_request.body  # the question stays with the city


def test_a_failed_create_is_left_to_the_worker_with_its_retry(session: Session) -> None:
    appointment = book(session)
    down = CountingProvider(MeetingError("Graph is down", retryable=True))
    made = handlers.create_new(factory(session), context(down), new_meeting(session, appointment))
    assert made == handlers.MeetingMade(None, MeetingState.PENDING)
    waiting = job(session, "meeting.create")
    assert (waiting.state, waiting.attempts) == (JobState.PENDING, 1)
    assert waiting.run_after > NOW and "Graph is down" in waiting.last_error
    up = CountingProvider()
    assert jobs.run_due_jobs(factory(session), context(up, NOW + timedelta(hours=1))) >= 1
    session.expire_all()
    assert session.get(Appointment, appointment.id).meeting_state == MeetingState.READY
    assert len(up.created) == 1


def test_a_refused_create_shows_the_failed_meeting_at_once(session: Session) -> None:
    appointment = book(session)
    refused = CountingProvider(MeetingError("no licence", retryable=False, code="denied"))
    made = handlers.create_new(
        factory(session), context(refused), new_meeting(session, appointment)
    )
    assert made == handlers.MeetingMade(None, MeetingState.FAILED)
    assert job(session, "meeting.create").state == JobState.FAILED


def test_a_claim_whose_answer_never_ran_goes_to_the_worker_after_its_lease(
    session: Session,
) -> None:
    """The process died between the booking's commit and the meeting: nothing is lost."""
    appointment = book(session)
    provider = CountingProvider()
    before = context(provider, LEASE - timedelta(seconds=1))
    assert jobs.run_due_jobs(factory(session), before, kinds=MEETING_KINDS) == 0
    after = context(provider, LEASE + timedelta(seconds=1))
    assert jobs.run_due_jobs(factory(session), after, kinds=MEETING_KINDS) == 1
    session.expire_all()
    assert session.get(Appointment, appointment.id).meeting_state == MeetingState.READY
    assert len(provider.created) == 1


def test_a_lease_a_worker_took_over_is_not_ended_by_the_late_answer(session: Session) -> None:
    book(session)
    later = LEASE + timedelta(seconds=1)
    taken = jobs.claim_due(session, later, kinds=MEETING_KINDS)
    assert len(taken) == 1  # a worker has the job now, with a lease of its own
    assert not jobs.finish_claimed(
        session, jobs.meeting_create_key(taken[0].appointment_id), LEASE, later
    )
    jobs.release_claimed(session, jobs.meeting_create_key(taken[0].appointment_id), LEASE, later)
    session.commit()
    error = MeetingError("late", retryable=True)
    key = jobs.meeting_create_key(taken[0].appointment_id)
    jobs.fail_claimed(session, key, LEASE, error, context(CountingProvider(), later))
    still = job(session, "meeting.create")
    assert (still.state, still.attempts, still.last_error) == (JobState.RUNNING, 0, None)


def test_create_new_refuses_a_job_that_was_not_claimed(session: Session) -> None:
    appointment = book(session, claimed_until=None)
    unclaimed = handlers.NewMeeting.of(
        appointment,
        session.get(Service, appointment.service_id),
        session.get(Topic, appointment.topic_id),
    )
    with pytest.raises(ValueError):
        handlers.create_new(factory(session), context(CountingProvider()), unclaimed)
