"""Background jobs: claimed once, retried per the policy, meetings made and e-mails sent."""

from __future__ import annotations

import asyncio
import random
import re
import smtplib
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, select

from balie.models import Appointment, Job, JobState, MeetingState, Organisation, StaffMember
from balie.services import booking, jobs
from balie.services.booking import BookingRequest
from balie.services.catalogue import get_organisation
from balie.services.demo_data import load_demo_data
from balie.services.jobs import JobContext
from balie.services.meetings.interface import Meeting, MeetingError, MeetingRequest
from balie.services.validation import CitizenDetails
from balie.settings import Settings

NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
# Monday 30 March 2026, 09:00 in Ghent.
MONDAY_NINE = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
SECRET = "test-secret"
QUESTION = "Mijn buurman parkeert altijd op mijn oprit"


class FakeProvider:
    """Records every call; raises the queued errors first, then succeeds."""

    name = "fake"

    def __init__(self, *errors: Exception, always: Exception | None = None) -> None:
        self.errors = list(errors)
        self.always = always
        self.calls: list[tuple[str, str | None, MeetingRequest]] = []

    def _maybe_fail(self) -> None:
        """Raise the next planned error, if any."""
        if self.always is not None:
            raise self.always
        if self.errors:
            raise self.errors.pop(0)

    def create(self, request: MeetingRequest) -> Meeting:
        self.calls.append(("create", None, request))
        self._maybe_fail()
        room = f"room-{request.reference}"
        return Meeting(self.name, room, f"https://meet.example/{room}")

    def update(self, external_id: str, request: MeetingRequest) -> None:
        self.calls.append(("update", external_id, request))
        self._maybe_fail()

    def cancel(self, external_id: str, request: MeetingRequest) -> None:
        self.calls.append(("cancel", external_id, request))
        self._maybe_fail()

    def made(self, operation: str) -> list[tuple[str | None, MeetingRequest]]:
        """The calls of one kind."""
        return [(ext, req) for op, ext, req in self.calls if op == operation]


class FakeMailer:
    """Keeps sent e-mails; raises the queued errors first."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> str:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(message)
        return f"id-{len(self.sent)}"

    def subjects(self) -> list[str]:
        """Subject lines of the sent e-mails, in order."""
        return [str(message["Subject"]) for message in self.sent]


class Clock:
    """A fixed time that tests move forward explicitly."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def body(message: EmailMessage) -> str:
    """The plain-text body of an e-mail."""
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def gent(session: Session) -> Organisation:
    """Demo data loaded; the organisation Stad Gent."""
    load_demo_data(session)
    return get_organisation(session, "gent")


@pytest.fixture
def settings() -> Settings:
    """Settings for links in e-mails."""
    return Settings(
        _env_file=None,
        secret_key=SECRET,
        public_base_url="https://balie.example",
        mail_from="Digitale Balie <noreply@balie.example>",
    )


@pytest.fixture
def clock() -> Clock:
    """The test clock, at NOW."""
    return Clock()


@pytest.fixture
def factory(engine: Engine) -> Callable[[], Session]:
    """New sessions, as the worker makes them."""
    return lambda: Session(engine, expire_on_commit=False)


def make_context(
    settings: Settings, clock: Clock, provider: FakeProvider | None = None, mailer=None
) -> JobContext:
    """A job context with fakes."""
    return JobContext(provider or FakeProvider(), mailer or FakeMailer(), settings, clock)


def book(session: Session, gent: Organisation, start: datetime = MONDAY_NINE) -> Appointment:
    """A booked appointment whose meeting is still to be made, with its jobs enqueued."""
    details = CitizenDetails("Jan Peeters", "jan@example.be", None, "nl", QUESTION, True)
    request = BookingRequest("gas-boetes", "vraag-boete", start, details)
    booked = booking.book(
        session, gent, request, meeting_provider="jitsi", secret_key=SECRET, now=NOW
    )
    appointment = booked.appointment
    # Booking may still make the meeting itself; the jobs must start from "pending".
    appointment.join_url = None
    appointment.meeting_external_id = None
    appointment.meeting_state = MeetingState.PENDING
    session.add(appointment)
    jobs.enqueue_for_booking(session, appointment, now=NOW)
    session.commit()
    return appointment


def job(session: Session, dedupe_key: str) -> Job:
    """The job with this key, fresh from the database."""
    found = session.exec(select(Job).where(Job.dedupe_key == dedupe_key)).one()
    session.refresh(found)
    return found


def fresh(session: Session, appointment: Appointment) -> Appointment:
    """The appointment as it is in the database now."""
    return session.get(Appointment, appointment.id, populate_existing=True)


# --- enqueue and claim -----------------------------------------------------------------------


def test_enqueue_with_a_known_key_does_nothing_and_keeps_the_transaction(
    session: Session, gent: Organisation
) -> None:
    appointment = book(session, gent)
    assert jobs.enqueue(
        session, "mail.change", appointment.id, run_after=NOW, dedupe_key="k1", now=NOW
    )
    session.commit()
    appointment.citizen_name = "Changed In The Same Transaction"
    session.add(appointment)
    again = jobs.enqueue(session, "mail.change", appointment.id, run_after=NOW, dedupe_key="k1")
    assert again is None
    session.commit()
    assert len(session.exec(select(Job).where(Job.dedupe_key == "k1")).all()) == 1
    assert fresh(session, appointment).citizen_name == "Changed In The Same Transaction"


def test_enqueueing_the_booking_twice_adds_no_jobs(session: Session, gent: Organisation) -> None:
    appointment = book(session, gent)
    before = len(session.exec(select(Job)).all())
    jobs.enqueue_for_booking(session, appointment, now=NOW)
    session.commit()
    assert len(session.exec(select(Job)).all()) == before == 4  # create, confirmation, 2 reminders


def test_queued_jobs_hold_the_defaults_of_a_fresh_job(session: Session) -> None:
    """enqueue_all writes plain rows: every column of Job, with the values a new Job has."""
    assert jobs.enqueue_all(session, [("mail.change", None, NOW, "plain")], NOW) == 1
    session.commit()
    row = session.exec(select(Job).where(Job.dedupe_key == "plain")).one()
    expected = Job(kind="mail.change", dedupe_key="plain", run_after=NOW, created_at=NOW)
    expected.updated_at = NOW
    columns = set(Job.__table__.columns.keys()) - {"id"}
    assert {c: getattr(row, c) for c in columns} == {c: getattr(expected, c) for c in columns}
    assert set(jobs._new_row("mail.change", None, NOW, "plain", NOW, None)) == columns


def test_unknown_kind_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="unknown job kind"):
        jobs.enqueue(session, "mail.spam", None, run_after=NOW, dedupe_key="x")
    with pytest.raises(ValueError, match="unknown job kind"):
        jobs.enqueue_all(session, [("mail.spam", None, NOW, "y")], NOW)


def test_a_booking_queues_its_jobs_in_one_statement(session: Session, gent: Organisation) -> None:
    """Meeting, confirmation and reminders: one INSERT (one round trip), known keys skipped."""
    appointment = book(session, gent)
    session.exec(select(Job)).all()  # the connection of this transaction is open already
    inserts: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO JOB"):
            inserts.append(statement)

    bind = session.connection()
    event.listen(bind, "before_cursor_execute", count)
    try:
        jobs.enqueue_for_change(session, appointment, now=NOW)
        assert jobs.enqueue_all(session, [("mail.change", appointment.id, NOW, "only")], NOW) == 1
        assert jobs.enqueue_all(session, [("mail.change", appointment.id, NOW, "only")], NOW) == 0
    finally:
        event.remove(bind, "before_cursor_execute", count)
    session.commit()
    assert len(inserts) == 3
    kinds = [j.kind for j in session.exec(select(Job).where(Job.dedupe_key.like("%:0")))]
    assert sorted(kinds) == ["mail.change", "meeting.update"]


def test_claim_marks_jobs_running_and_a_second_claim_gets_nothing(
    session: Session, gent: Organisation
) -> None:
    book(session, gent)
    claimed = jobs.claim_due(session, NOW)
    assert [j.kind for j in claimed] == ["meeting.create", "mail.confirmation"]  # not reminders
    for claimed_job in claimed:
        stored = job(session, claimed_job.dedupe_key)
        assert stored.state == JobState.RUNNING
        assert stored.locked_until == NOW + timedelta(minutes=2)
    assert jobs.claim_due(session, NOW + timedelta(minutes=1)) == []


def test_a_crashed_workers_job_is_claimed_again_after_its_lease(
    session: Session, gent: Organisation
) -> None:
    book(session, gent)
    first = jobs.claim_due(session, NOW, limit=1)
    assert len(first) == 1
    # The worker dies here: nothing is recorded. Before the lease ends nobody takes the job.
    assert [j.id for j in jobs.claim_due(session, NOW + timedelta(minutes=2))] != [first[0].id]
    again = jobs.claim_due(session, NOW + timedelta(minutes=2, seconds=1), limit=5)
    assert first[0].id in [j.id for j in again]
    assert job(session, first[0].dedupe_key).locked_until == NOW + timedelta(minutes=4, seconds=1)


def test_two_workers_claiming_at_once_never_get_the_same_job(
    session: Session, gent: Organisation, engine: Engine
) -> None:
    appointment = book(session, gent)
    for number in range(40):
        jobs.enqueue(
            session, "mail.change", appointment.id, run_after=NOW, dedupe_key=f"load-{number}"
        )
    session.commit()
    for _round in range(5):
        barrier = threading.Barrier(2)
        results: list[list[int]] = [[], []]
        errors: list[BaseException] = []

        def claim(slot: int, results=results, barrier=barrier, errors=errors) -> None:
            try:
                with Session(engine, expire_on_commit=False) as own:
                    barrier.wait()
                    results[slot] = [j.id for j in jobs.claim_due(own, NOW, limit=4)]
            except BaseException as problem:  # noqa: BLE001 - reported by the assert below
                errors.append(problem)

        threads = [threading.Thread(target=claim, args=(slot,)) for slot in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(results[0]) == len(results[1]) == 4
        assert not set(results[0]) & set(results[1])


# --- meetings --------------------------------------------------------------------------------


def test_create_makes_the_meeting_and_stores_the_link(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    provider, mailer = FakeProvider(), FakeMailer()
    assert jobs.run_due_jobs(factory, make_context(settings, clock, provider, mailer)) == 2
    stored = fresh(session, appointment)
    assert stored.meeting_state == MeetingState.READY
    assert stored.join_url == f"https://meet.example/room-{stored.reference}"
    assert stored.meeting_external_id == f"room-{stored.reference}"
    assert stored.meeting_provider == "fake"
    [(_, request)] = provider.made("create")
    assert request.subject == "GAS-boetes – Een vraag over je boete"
    assert (request.start, request.end) == (stored.start_at, stored.end_at)
    assert stored.reference in request.body and "GAS-boetes" in request.body
    assert QUESTION not in request.body
    assert request.organiser == ""
    assert len(request.transaction_id) == 36
    created = job(session, f"meeting.create:{appointment.id}")
    assert (created.state, created.attempts, created.finished_at) == (JobState.DONE, 1, NOW)
    # Created first, so the confirmation carries the link.
    [confirmation] = mailer.sent
    assert confirmation["Subject"].startswith("Bevestiging")
    assert stored.join_url in body(confirmation)


def test_the_transaction_id_is_stable_per_appointment(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    provider = FakeProvider(MeetingError("timeout", retryable=True))
    context = make_context(settings, clock, provider)
    jobs.run_due_jobs(factory, context)
    clock.advance(minutes=5)
    jobs.run_due_jobs(factory, context)
    first, second = (request for _, request in provider.made("create"))
    assert first.transaction_id == second.transaction_id
    assert fresh(session, appointment).meeting_state == MeetingState.READY


def test_the_organiser_is_the_counsellors_entra_account(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    staff = session.get(StaffMember, appointment.staff_id)
    staff.entra_object_id = "7c0e6a8e-0000-0000-0000-000000000001"
    session.add(staff)
    session.commit()
    provider = FakeProvider()
    jobs.run_due_jobs(factory, make_context(settings, clock, provider))
    [(_, request)] = provider.made("create")
    assert request.organiser == "7c0e6a8e-0000-0000-0000-000000000001"


def test_throttling_retries_exactly_after_retry_after(
    session: Session, gent: Organisation, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    provider = FakeProvider(MeetingError("throttled", retryable=True, retry_after=30, code="429"))
    [created] = jobs.claim_due(session, NOW, limit=1)
    jobs.run_job(session, created, make_context(settings, clock, provider))
    stored = job(session, created.dedupe_key)
    assert stored.state == JobState.PENDING
    assert stored.run_after == NOW + timedelta(seconds=30)
    assert stored.attempts == 0  # a server-advised wait is not a failed attempt
    assert stored.error_code == "429"
    assert "throttled" in stored.last_error
    assert stored.locked_until is None
    assert fresh(session, appointment).meeting_state == MeetingState.PENDING


def test_a_non_retryable_error_fails_at_once_and_marks_the_meeting_failed(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    denied = MeetingError("Access denied", retryable=False, code="ErrorAccessDenied")
    mailer = FakeMailer()
    jobs.run_due_jobs(factory, make_context(settings, clock, FakeProvider(denied), mailer))
    created = job(session, f"meeting.create:{appointment.id}")
    assert created.state == JobState.FAILED
    assert created.attempts == 1
    assert created.error_code == "ErrorAccessDenied"
    assert created.finished_at == NOW
    assert fresh(session, appointment).meeting_state == MeetingState.FAILED
    # No link is coming, so the confirmation does not wait for one.
    [confirmation] = mailer.sent
    assert "volgt in een aparte e-mail" in body(confirmation)


def test_after_max_attempts_the_job_fails(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    provider = FakeProvider(always=MeetingError("unavailable", retryable=True, code="503"))
    context = make_context(settings, clock, provider)
    for _attempt in range(jobs.MAX_ATTEMPTS):
        jobs.run_due_jobs(factory, context)
        clock.advance(hours=1)
    created = job(session, f"meeting.create:{appointment.id}")
    assert created.state == JobState.FAILED
    assert created.attempts == jobs.MAX_ATTEMPTS
    assert len(provider.made("create")) == jobs.MAX_ATTEMPTS
    assert fresh(session, appointment).meeting_state == MeetingState.FAILED
    jobs.run_due_jobs(factory, context)
    assert len(provider.made("create")) == jobs.MAX_ATTEMPTS


def test_a_failing_mail_server_is_retried_with_backoff(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    mailer = FakeMailer(smtplib.SMTPServerDisconnected("gone"), OSError("no route"))
    context = make_context(settings, clock, FakeProvider(), mailer)
    jobs.run_due_jobs(factory, context)
    confirmation = job(session, f"mail.confirmation:{appointment.id}")
    assert (confirmation.state, confirmation.attempts) == (JobState.PENDING, 1)
    assert "SMTPServerDisconnected" in confirmation.last_error
    assert NOW < confirmation.run_after <= NOW + timedelta(minutes=10)
    for _round in range(2):
        clock.set(job(session, confirmation.dedupe_key).run_after)
        jobs.run_due_jobs(factory, context)
    confirmation = job(session, confirmation.dedupe_key)
    assert (confirmation.state, confirmation.attempts) == (JobState.DONE, 3)
    assert len(mailer.sent) == 1


def test_update_moves_the_meeting_and_the_citizen_hears_of_it(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    provider, mailer = FakeProvider(), FakeMailer()
    context = make_context(settings, clock, provider, mailer)
    jobs.run_due_jobs(factory, context)
    new_start = MONDAY_NINE + timedelta(minutes=50)
    moved = booking.reschedule(session, fresh(session, appointment), new_start, now=NOW)
    jobs.enqueue_for_change(session, moved, now=NOW)
    session.commit()
    assert jobs.run_due_jobs(factory, context) == 2
    [(external_id, request)] = provider.made("update")
    assert external_id == f"room-{appointment.reference}"
    assert request.start == new_start
    assert request.end == new_start + timedelta(minutes=20)
    assert mailer.subjects()[-1].startswith("Gewijzigd")


def test_update_before_the_meeting_exists_leaves_it_to_the_create_job(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    provider = FakeProvider(MeetingError("throttled", retryable=True, retry_after=60))
    context = make_context(settings, clock, provider)
    jobs.run_due_jobs(factory, context)  # the create job now waits a minute
    new_start = MONDAY_NINE + timedelta(minutes=50)
    moved = booking.reschedule(session, fresh(session, appointment), new_start, now=NOW)
    jobs.enqueue_for_change(session, moved, now=NOW)
    session.commit()
    jobs.run_due_jobs(factory, context)
    update = job(session, f"meeting.update:{appointment.id}:{moved.calendar_sequence}")
    assert update.state == JobState.DONE
    assert provider.made("update") == []
    clock.advance(minutes=1)
    jobs.run_due_jobs(factory, context)
    assert [request.start for _, request in provider.made("create")] == [MONDAY_NINE, new_start]


def move_and_expect_the_update_to_wait(
    session: Session, appointment: Appointment, factory, settings: Settings, clock: Clock
) -> None:
    """Move the appointment; its meeting update is deferred, untried, while a create runs."""
    moved = booking.reschedule(
        session, fresh(session, appointment), MONDAY_NINE + timedelta(minutes=50), now=NOW
    )
    jobs.enqueue_for_change(session, moved, now=NOW)
    session.commit()
    jobs.run_due_jobs(factory, make_context(settings, clock))
    update = job(session, f"meeting.update:{appointment.id}:{moved.calendar_sequence}")
    assert (update.state, update.attempts) == (JobState.PENDING, 0)
    assert update.run_after == NOW + timedelta(seconds=20)


def test_update_waits_while_the_create_job_is_running(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    jobs.claim_due(session, NOW, limit=1)  # a worker is making the meeting right now
    move_and_expect_the_update_to_wait(session, appointment, factory, settings, clock)


def test_update_waits_while_a_staff_retry_of_the_create_job_is_running(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    first = job(session, f"meeting.create:{appointment.id}")
    first.state = JobState.FAILED  # the link failed; a counsellor asked to try again
    session.add(first)
    jobs.enqueue(
        session,
        "meeting.create",
        appointment.id,
        run_after=NOW,
        dedupe_key=f"meeting.create:{appointment.id}:retry:1",
        now=NOW,
    )
    session.commit()
    [claimed] = [j for j in jobs.claim_due(session, NOW, limit=5) if j.kind == "meeting.create"]
    assert claimed.dedupe_key.endswith(":retry:1")  # a worker is making the meeting right now
    move_and_expect_the_update_to_wait(session, appointment, factory, settings, clock)


def test_cancellation_cancels_the_meeting_and_tells_the_citizen(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    provider, mailer = FakeProvider(), FakeMailer()
    context = make_context(settings, clock, provider, mailer)
    jobs.run_due_jobs(factory, context)
    cancelled = booking.cancel(session, fresh(session, appointment), "Ziek", now=NOW)
    jobs.enqueue_for_cancellation(session, cancelled, now=NOW)
    session.commit()
    assert jobs.run_due_jobs(factory, context) == 2
    [(external_id, _)] = provider.made("cancel")
    assert external_id == f"room-{appointment.reference}"
    assert mailer.subjects()[-1].startswith("Geannuleerd")
    assert "Ziek" in body(mailer.sent[-1])


def test_cancelled_before_the_meeting_was_made_makes_no_meeting(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    cancelled = booking.cancel(session, fresh(session, appointment), now=NOW)
    jobs.enqueue_for_cancellation(session, cancelled, now=NOW)
    session.commit()
    provider, mailer = FakeProvider(), FakeMailer()
    jobs.run_due_jobs(factory, make_context(settings, clock, provider, mailer))
    assert provider.calls == []
    assert [subject.split(":")[0] for subject in mailer.subjects()] == ["Geannuleerd"]


# --- confirmation ----------------------------------------------------------------------------


def test_a_job_reads_the_appointment_with_its_service_topic_and_organisation_at_once(
    session: Session, engine: Engine, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    """One query for the appointment and the rows its meeting and e-mail need, not one each."""
    book(session, gent)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        mailer = FakeMailer()
        jobs.run_due_jobs(factory, make_context(settings, clock, FakeProvider(), mailer))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(mailer.sent) == 1
    one_by_one = re.compile(
        r"FROM (service|topic|organisation|staffmember|appointment) \nWHERE \1\.id ="
    )
    assert [s for s in statements if one_by_one.search(s)] == []
    assert len([s for s in statements if "JOIN service" in s and "JOIN topic" in s]) == 2


def test_confirmation_waits_for_the_link_without_counting_attempts(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    provider = FakeProvider(MeetingError("throttled", retryable=True, retry_after=30))
    mailer = FakeMailer()
    context = make_context(settings, clock, provider, mailer)
    jobs.run_due_jobs(factory, context)
    confirmation = job(session, f"mail.confirmation:{appointment.id}")
    assert (confirmation.state, confirmation.attempts) == (JobState.PENDING, 0)
    assert confirmation.run_after == NOW + timedelta(seconds=20)
    assert mailer.sent == []
    clock.advance(seconds=20)
    jobs.run_due_jobs(factory, context)  # still no link: waits again
    assert mailer.sent == []
    clock.advance(seconds=10)
    jobs.run_due_jobs(factory, context)  # the meeting is made
    clock.advance(seconds=10)
    jobs.run_due_jobs(factory, context)
    [confirmation_mail] = mailer.sent
    assert fresh(session, appointment).join_url in body(confirmation_mail)
    assert job(session, confirmation.dedupe_key).attempts == 1


def test_without_a_link_after_ten_minutes_the_confirmation_goes_and_the_link_follows(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    provider = FakeProvider(always=MeetingError("unavailable", retryable=True, retry_after=300))
    mailer = FakeMailer()
    context = make_context(settings, clock, provider, mailer)
    while not mailer.sent:
        jobs.run_due_jobs(factory, context)
        clock.advance(seconds=20)
    assert clock() - NOW >= timedelta(minutes=10)
    assert "volgt in een aparte e-mail" in body(mailer.sent[0])
    provider.always = None
    clock.advance(minutes=5)
    jobs.run_due_jobs(factory, context)  # the meeting is made …
    clock.advance(minutes=1)
    jobs.run_due_jobs(factory, context)  # … and the link follows
    assert len(mailer.sent) == 2
    assert fresh(session, appointment).join_url in body(mailer.sent[1])


# --- reminders -------------------------------------------------------------------------------


def run_at(factory, context: JobContext, clock: Clock, moment: datetime) -> None:
    """Move the clock to ``moment`` and run what is due."""
    clock.set(moment)
    jobs.run_due_jobs(factory, context)


def reminders(mailer: FakeMailer) -> int:
    """How many reminders were sent."""
    return sum(subject.startswith("Herinnering") for subject in mailer.subjects())


def test_reminders_go_24_hours_and_1_hour_before(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    book(session, gent)
    mailer = FakeMailer()
    context = make_context(settings, clock, FakeProvider(), mailer)
    jobs.run_due_jobs(factory, context)
    run_at(factory, context, clock, MONDAY_NINE - timedelta(hours=24, seconds=1))
    assert reminders(mailer) == 0
    run_at(factory, context, clock, MONDAY_NINE - timedelta(hours=24))
    assert reminders(mailer) == 1
    assert "meet.example" in body(mailer.sent[-1])
    run_at(factory, context, clock, MONDAY_NINE - timedelta(hours=1, seconds=1))
    assert reminders(mailer) == 1
    run_at(factory, context, clock, MONDAY_NINE - timedelta(hours=1))
    assert reminders(mailer) == 2
    run_at(factory, context, clock, MONDAY_NINE + timedelta(hours=1))
    assert reminders(mailer) == 2


def test_reminder_times_already_past_are_skipped(session: Session, gent: Organisation) -> None:
    appointment = book(session, gent)
    late = MONDAY_NINE - timedelta(hours=3)
    for existing in session.exec(select(Job).where(Job.kind == "mail.reminder")).all():
        session.delete(existing)
    session.commit()
    jobs.plan_reminders(session, appointment, late)
    session.commit()
    planned = session.exec(select(Job).where(Job.kind == "mail.reminder")).all()
    assert [reminder.run_after for reminder in planned] == [MONDAY_NINE - timedelta(hours=1)]


def test_no_reminders_for_a_cancelled_appointment(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    mailer = FakeMailer()
    context = make_context(settings, clock, FakeProvider(), mailer)
    jobs.run_due_jobs(factory, context)
    cancelled = booking.cancel(session, fresh(session, appointment), now=NOW)
    jobs.enqueue_for_cancellation(session, cancelled, now=NOW)
    session.commit()
    for lead in (24, 1):
        run_at(factory, context, clock, MONDAY_NINE - timedelta(hours=lead))
    assert reminders(mailer) == 0
    assert {j.state for j in session.exec(select(Job)).all()} == {JobState.DONE}


def test_a_moved_appointment_is_reminded_of_its_new_time_only(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    mailer = FakeMailer()
    context = make_context(settings, clock, FakeProvider(), mailer)
    jobs.run_due_jobs(factory, context)
    new_start = MONDAY_NINE + timedelta(minutes=50)
    moved = booking.reschedule(session, fresh(session, appointment), new_start, now=NOW)
    jobs.enqueue_for_change(session, moved, now=NOW)
    session.commit()
    jobs.run_due_jobs(factory, context)
    run_at(factory, context, clock, MONDAY_NINE - timedelta(hours=24))
    assert reminders(mailer) == 0  # the old time's reminder stays silent
    run_at(factory, context, clock, new_start - timedelta(hours=24))
    assert reminders(mailer) == 1
    run_at(factory, context, clock, MONDAY_NINE - timedelta(hours=1))
    assert reminders(mailer) == 1
    run_at(factory, context, clock, new_start - timedelta(hours=1))
    assert reminders(mailer) == 2
    assert "09:50" in body(mailer.sent[-1])


# --- retry policy ----------------------------------------------------------------------------


def test_retry_delay_follows_the_policy() -> None:
    rng = random.Random(7)
    throttled = MeetingError("429", retryable=True, retry_after=30)
    assert jobs.retry_delay(throttled, 1, rng) == timedelta(seconds=30)
    assert jobs.retry_delay(MeetingError("403", retryable=False), 1, rng) is None
    for attempts in range(1, jobs.MAX_ATTEMPTS + 1):
        for error in (MeetingError("503", retryable=True), OSError("down")):
            delay = jobs.retry_delay(error, attempts, rng)
            base = timedelta(seconds=2 ** (attempts + 2))
            assert min(base, jobs.MAX_BACKOFF) <= delay <= min(base * 1.5, jobs.MAX_BACKOFF)
    assert jobs.retry_delay(OSError("down"), 30, rng) == jobs.MAX_BACKOFF


# --- worker loop -----------------------------------------------------------------------------


def test_the_worker_loop_survives_errors_and_stops_when_asked(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    book(session, gent)

    async def scenario() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        failures = [RuntimeError("database away")]

        def flaky_factory() -> Session:
            if failures:
                raise failures.pop()
            return factory()

        class StoppingMailer(FakeMailer):
            def send(self, message: EmailMessage) -> str:
                loop.call_soon_threadsafe(stop.set)
                return super().send(message)

        mailer = StoppingMailer()
        context = make_context(settings, clock, FakeProvider(), mailer)
        await asyncio.wait_for(
            jobs.worker_loop(flaky_factory, lambda: context, interval=0, stop=stop), timeout=60
        )
        assert len(mailer.sent) == 1

    asyncio.run(scenario())


def test_throttling_with_retry_after_does_not_use_up_attempts(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    appointment = book(session, gent)
    throttled = MeetingError("429", retryable=True, retry_after=30, code="TooManyRequests")
    provider = FakeProvider(always=throttled)
    context = make_context(settings, clock, provider)
    for _round in range(jobs.MAX_ATTEMPTS + 3):
        jobs.run_due_jobs(factory, context)
        clock.advance(seconds=31)
    created = job(session, f"meeting.create:{appointment.id}")
    assert created.state == JobState.PENDING
    assert created.attempts == 0
    assert len(provider.made("create")) == jobs.MAX_ATTEMPTS + 3


# --- the survey e-mail after a completed call ------------------------------------------------


def complete_call(session: Session, gent: Organisation, clock: Clock) -> Appointment:
    """A booked call, completed half an hour after the start (which plans the survey)."""
    from balie.services.staff import staff_day

    appointment = book(session, gent)
    clock.set(MONDAY_NINE + timedelta(minutes=30))
    counsellor = session.get(StaffMember, appointment.staff_id)
    staff_day.record_outcome(session, counsellor, appointment.id, "resolved", "", clock.now)
    return appointment


def surveys(mailer: FakeMailer) -> list[EmailMessage]:
    """The survey e-mails sent."""
    return [m for m in mailer.sent if str(m["Subject"]).startswith("Hoe was je videogesprek")]


def test_the_survey_goes_once_after_a_short_delay(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    from balie.services import feedback

    appointment = complete_call(session, gent, clock)
    mailer = FakeMailer()
    context = make_context(settings, clock, FakeProvider(), mailer)
    jobs.run_due_jobs(factory, context)
    assert surveys(mailer) == []
    run_at(factory, context, clock, clock.now + feedback.SURVEY_DELAY)
    [message] = surveys(mailer)
    assert feedback.survey_link(settings, appointment.reference) in body(message)
    assert message["To"].addresses[0].addr_spec == "jan@example.be"
    assert job(session, f"mail.survey:{appointment.id}").state == JobState.DONE
    feedback.enqueue_survey(session, fresh(session, appointment), clock.now)
    session.commit()
    run_at(factory, context, clock, clock.now + timedelta(days=1))
    assert len(surveys(mailer)) == 1


@pytest.mark.parametrize("change", ["no_show", "answered", "erased"])
def test_no_survey_after_a_no_show_correction_an_answer_or_erasure(
    session: Session,
    gent: Organisation,
    factory,
    settings: Settings,
    clock: Clock,
    change: str,
) -> None:
    from balie.services import feedback
    from balie.services.privacy import retention
    from balie.services.staff import staff_day

    appointment = complete_call(session, gent, clock)
    if change == "no_show":
        counsellor = session.get(StaffMember, appointment.staff_id)
        staff_day.mark_no_show(session, counsellor, appointment.id, clock.now)
    elif change == "answered":
        token = feedback.survey_token_for(appointment.reference, SECRET)
        feedback.answer(
            session, appointment.reference, token, 5, None, clock.now, secret_key=SECRET
        )
    else:
        assert retention.erase_due(session, clock.now + timedelta(days=40), 30) == 1
    mailer = FakeMailer()
    context = make_context(settings, clock, FakeProvider(), mailer)
    run_at(factory, context, clock, clock.now + feedback.SURVEY_DELAY)
    assert surveys(mailer) == []
    assert job(session, f"mail.survey:{appointment.id}").state == JobState.DONE


def test_a_survey_that_cannot_be_sent_is_retried(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    from balie.services import feedback

    appointment = complete_call(session, gent, clock)
    mailer = FakeMailer(smtplib.SMTPServerDisconnected("gone"))
    context = make_context(settings, clock, FakeProvider(), mailer)
    run_at(factory, context, clock, clock.now + feedback.SURVEY_DELAY)
    survey = job(session, f"mail.survey:{appointment.id}")
    assert (survey.state, survey.attempts) == (JobState.PENDING, 1)
    run_at(factory, context, clock, survey.run_after)
    assert len(surveys(mailer)) == 1
    assert job(session, survey.dedupe_key).state == JobState.DONE


def test_the_worker_loop_ends_when_its_event_loop_no_longer_runs_threads() -> None:
    import asyncio

    async def scenario() -> None:
        await asyncio.get_running_loop().shutdown_default_executor()
        # Before: "round failed; trying again" every interval, for ever, keeping the app alive.
        await asyncio.wait_for(jobs.worker_loop(lambda: None, lambda: None, interval=0.01), 5)

    asyncio.run(scenario())


def test_an_organisations_own_sender_and_jitsi_server_are_used(
    session: Session, gent: Organisation, factory, settings: Settings, clock: Clock
) -> None:
    from balie import worker
    from balie.services import org_settings

    row = org_settings.settings_row(session, gent)
    row.mail_from_address, row.mail_from_name = "balie@stad.gent", "Stad Gent"
    row.meeting_provider, row.jitsi_server_url = "jitsi", "https://meet.stad.gent"
    session.add(row)
    session.commit()
    appointment = book(session, gent)
    base_provider, base_mailer = FakeProvider(), FakeMailer()
    own_mailer = FakeMailer()
    seen: list[str] = []

    def for_organisation(session: Session, organisation_id: int, base: JobContext) -> JobContext:
        own = worker.organisation_context(session, organisation_id, base)
        seen.append(own.provider._inner.base_url)  # the real Jitsi provider, made per city
        own.provider = base_provider  # the fakes stand in for the network
        own.mailer = own_mailer
        return own

    context = make_context(settings, clock, base_provider, base_mailer)
    context.for_organisation = for_organisation
    assert jobs.run_due_jobs(factory, context) == 2
    assert seen == ["https://meet.stad.gent", "https://meet.stad.gent"]
    assert base_mailer.sent == []
    [confirmation] = own_mailer.sent
    assert confirmation["From"] == "Stad Gent <balie@stad.gent>"
    assert fresh(session, appointment).meeting_state == MeetingState.READY


def test_without_own_settings_the_platform_context_is_kept(
    session: Session, gent: Organisation, settings: Settings, clock: Clock
) -> None:
    from balie import worker

    base = make_context(settings, clock)
    assert worker.organisation_context(session, gent.id, base) is base
