"""Background jobs from the outbox table: the queue, and dispatch by kind to registered handlers.

Booking writes an appointment and its jobs in one transaction (``enqueue_for_*``); a worker
claims due jobs (``claim_due``), runs them (``run_job``) through the handler its domain
registered for the job's kind (``register``) and records the outcome, retrying failures with
backoff. Pure Python without Reflex, so the app, a separate worker process and the tests all
use the same code.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from balie.db_types import UTCDateTime, utcnow
from balie.models import (
    Appointment,
    AppointmentStatus,
    Job,
    JobKind,
    JobState,
    Organisation,
    Service,
    StaffMember,
    Topic,
)
from balie.services.meetings.interface import MeetingError, MeetingProvider
from balie.services.notifications import Mailer
from balie.services.request_context import current_request_id, reset_request_id, set_request_id
from balie.settings import Settings

log = logging.getLogger(__name__)

KINDS = tuple(kind.value for kind in JobKind)
MAX_ATTEMPTS = 12  # with the backoff below: about an hour and a half of trying
# A server that says when to come back (429/503 with Retry-After) is not a failure of the job:
# such waits do not use up attempts, for at most this long after the job was made.
THROTTLE_PATIENCE = timedelta(hours=24)
MAX_BACKOFF = timedelta(minutes=10)
REMINDER_LEADS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}
# The follow-up of a confirmation sent before the meeting link existed (see citizen_mail).
LINK_SUFFIX = ":link"

SessionFactory = Callable[[], AbstractContextManager[Session]]


@dataclass
class JobContext:
    """What jobs need from the outside world; tests pass fakes and a fixed clock."""

    provider: MeetingProvider
    mailer: Mailer
    settings: Settings
    now: Callable[[], datetime]
    rng: random.Random = field(default_factory=random.Random)  # jitter; tests seed it
    # The context of one organisation (its own sender, SMTP server and meeting provider), made
    # from this one; None: every organisation uses this context.
    for_organisation: Callable[[Session, int, JobContext], JobContext] | None = None


def _context_for(
    session: Session, appointment: Appointment | None, context: JobContext
) -> JobContext:
    """The context of the organisation whose appointment the job is about."""
    if appointment is None:
        return context
    return context_for_organisation(session, appointment.organisation_id, context)


def context_for_organisation(
    session: Session, organisation_id: int, context: JobContext
) -> JobContext:
    """``context`` with the organisation's own sender, SMTP server and meeting provider."""
    if context.for_organisation is None:
        return context
    return context.for_organisation(session, organisation_id, context)


class Defer(Exception):
    """Ask to run the job again later without counting an attempt (waiting, not failing)."""

    def __init__(self, delay: timedelta, reason: str) -> None:
        super().__init__(reason)
        self.delay = delay


# --- enqueueing ------------------------------------------------------------------------------


def _insert(session: Session) -> Callable[..., Any]:
    """The INSERT of the session's dialect, which knows ON CONFLICT DO NOTHING."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"background jobs do not support the {dialect} database")


def enqueue(
    session: Session,
    kind: str,
    appointment_id: int | None,
    *,
    run_after: datetime,
    dedupe_key: str,
    now: datetime | None = None,
) -> Job | None:
    """Add a job in the caller's transaction; None when a job with ``dedupe_key`` exists."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    now = now or utcnow()
    job = Job(
        kind=kind,
        appointment_id=appointment_id,
        dedupe_key=dedupe_key,
        run_after=run_after,
        created_at=now,
        updated_at=now,
        request_id=current_request_id(),
    )
    # ON CONFLICT DO NOTHING never raises on a duplicate, so the caller's transaction survives
    # on PostgreSQL, and no SAVEPOINT is needed (pysqlite handles those badly).
    statement = (
        _insert(session)(Job)
        .values(**job.model_dump(exclude={"id"}))
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Job.id)
    )
    job_id = session.execute(statement).scalar_one_or_none()
    if job_id is None:
        return None
    job.id = job_id  # a transient copy of the row: no second round trip to read it back
    return job


Planned = tuple[str, int | None, datetime, str]  # kind, appointment id, run after, dedupe key


def enqueue_all(
    session: Session,
    planned: list[Planned],
    now: datetime,
    claimed: dict[str, datetime] | None = None,
) -> int:
    """Add several jobs in one statement (one round trip); how many were new.

    Jobs whose dedupe key exists are skipped, as in ``enqueue``. A job whose dedupe key is in
    ``claimed`` is born running, claimed by the caller until the time given (its lease).
    """
    if not planned:
        return 0
    unknown = [kind for kind, *_rest in planned if kind not in KINDS]
    if unknown:
        raise ValueError(f"unknown job kind {unknown[0]!r}")
    request_id = current_request_id()
    # Plain rows, not Job models: validating a model per job cost more than the INSERT itself.
    rows = [
        _new_row(kind, appointment_id, run_after, dedupe_key, now, request_id)
        for kind, appointment_id, run_after, dedupe_key in planned
    ]
    for row in rows:
        if claimed and row["dedupe_key"] in claimed:
            row.update(state=JobState.RUNNING, locked_until=claimed[row["dedupe_key"]])
    # One cached statement run with many parameter sets: SQLAlchemy sends it as one multi-row
    # INSERT (insertmanyvalues) without compiling it again for every booking.
    statement = _enqueue_statement(session.get_bind().dialect.name, _insert(session))
    return len(session.connection().execute(statement, rows).all())


def _new_row(
    kind: str,
    appointment_id: int | None,
    run_after: datetime,
    dedupe_key: str,
    now: datetime,
    request_id: str | None,
) -> dict[str, Any]:
    """The column values of a new pending job (the same as a fresh ``Job`` without its id)."""
    return {
        "kind": kind,
        "appointment_id": appointment_id,
        "dedupe_key": dedupe_key,
        "state": JobState.PENDING,
        "attempts": 0,
        "run_after": run_after,
        "locked_until": None,
        "last_error": None,
        "error_code": None,
        "created_at": now,
        "updated_at": now,
        "finished_at": None,
        "request_id": request_id,
    }


@lru_cache(maxsize=4)
def _enqueue_statement(_dialect: str, insert: Callable[..., Any]) -> Any:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, built once per dialect."""
    table = Job.__table__
    return insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)


def _moment(appointment: Appointment, now: datetime | None) -> datetime:
    """``now``, else the time the booking service recorded for the latest change."""
    return now or appointment.updated_at or utcnow()


def _reminders(appointment: Appointment, now: datetime) -> list[Planned]:
    """Reminder e-mails 24 h and 1 h before the start, unless that moment has passed."""
    if appointment.status != AppointmentStatus.BOOKED:
        return []
    start = appointment.start_at.astimezone(UTC)
    # The planned start is part of the key: a moved appointment gets new reminders and the
    # old ones see they are obsolete.
    return [
        (
            "mail.reminder",
            appointment.id,
            start - lead,
            f"mail.reminder:{appointment.id}:{label}:{start.isoformat()}",
        )
        for label, lead in REMINDER_LEADS.items()
        if start - lead > now
    ]


def plan_reminders(session: Session, appointment: Appointment, now: datetime) -> None:
    """Reminder e-mails 24 h and 1 h before the start, unless that moment has passed."""
    enqueue_all(session, _reminders(appointment, now), now)


def _once_per_appointment(kind: str, appointment_id: int) -> str:
    """The dedupe key of a job an appointment has only once (its meeting, its confirmation)."""
    return f"{kind}:{appointment_id}"


def meeting_create_key(appointment_id: int) -> str:
    """The dedupe key of an appointment's meeting.create job."""
    return _once_per_appointment("meeting.create", appointment_id)


def enqueue_for_booking(
    session: Session,
    appointment: Appointment,
    now: datetime | None = None,
    meeting_claimed_until: datetime | None = None,
) -> None:
    """Jobs for a new booking: the meeting, the confirmation and the reminders (one statement).

    With ``meeting_claimed_until`` the meeting job is born claimed by the caller, who makes the
    meeting at once (``finish_claimed``); if it never does, the lease runs out and a worker
    claims the job as any other.
    """
    now = _moment(appointment, now)
    planned: list[Planned] = [
        (kind, appointment.id, now, _once_per_appointment(kind, appointment.id))
        for kind in ("meeting.create", "mail.confirmation")
    ]
    claimed = None
    if meeting_claimed_until is not None:
        claimed = {meeting_create_key(appointment.id): meeting_claimed_until}
    enqueue_all(session, planned + _reminders(appointment, now), now, claimed)


def enqueue_for_change(
    session: Session, appointment: Appointment, now: datetime | None = None
) -> None:
    """Jobs for a moved appointment: move the meeting, tell the citizen, plan new reminders."""
    now = _moment(appointment, now)
    sequence = appointment.calendar_sequence
    planned: list[Planned] = [
        (kind, appointment.id, now, f"{kind}:{appointment.id}:{sequence}")
        for kind in ("meeting.update", "mail.change")
    ]
    enqueue_all(session, planned + _reminders(appointment, now), now)


def enqueue_for_cancellation(
    session: Session, appointment: Appointment, now: datetime | None = None
) -> None:
    """Jobs for a cancelled appointment: cancel the meeting and tell the citizen."""
    now = _moment(appointment, now)
    for kind in ("meeting.cancel", "mail.cancellation"):
        key = f"{kind}:{appointment.id}"
        enqueue(session, kind, appointment.id, run_after=now, dedupe_key=key, now=now)


# --- claiming --------------------------------------------------------------------------------


def claim_due(
    session: Session,
    now: datetime,
    *,
    limit: int = 10,
    lease: timedelta = timedelta(minutes=2),
    appointment_id: int | None = None,
    kinds: tuple[str, ...] | None = None,
) -> list[Job]:
    """Take due jobs (and jobs of crashed workers), mark them running until ``now + lease``.

    With ``appointment_id``, only that appointment's jobs (a citizen is waiting for them);
    with ``kinds``, only jobs of those kinds.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # The UPDATE must open its own transaction: an older read snapshot could not be
        # upgraded to a write (SQLITE_BUSY_SNAPSHOT) once another connection has written.
        session.commit()
    due = or_(
        and_(Job.state == JobState.PENDING, Job.run_after <= now),
        and_(Job.state == JobState.RUNNING, Job.locked_until < now),
    )
    if appointment_id is not None:
        due = and_(due, Job.appointment_id == appointment_id)
    if kinds is not None:
        due = and_(due, Job.kind.in_(kinds))
    candidates = select(Job.id).where(due).order_by(Job.run_after, Job.id).limit(limit)
    if dialect == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    # One UPDATE statement: SQLite takes its write lock before reading, PostgreSQL skips rows
    # another worker is claiming, so no job is ever handed to two workers.
    statement = (
        update(Job)
        .where(Job.id.in_(candidates.scalar_subquery()))
        .values(state=JobState.RUNNING, locked_until=now + lease, updated_at=now)
        .returning(Job)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    jobs = list(session.scalars(statement).all())
    session.commit()
    return sorted(jobs, key=lambda job: (job.run_after, job.id))


# The ends of a claim held by this process (see ``enqueue_for_booking``): prebuilt Core
# statements, matched on the job's key and on our lease so a job a worker took over is left.
_JOB = Job.__table__
_OUR_CLAIM = and_(
    _JOB.c.dedupe_key == bindparam("key"),
    _JOB.c.state == JobState.RUNNING,
    _JOB.c.locked_until == bindparam("lease", type_=UTCDateTime()),
)
_NOW = bindparam("now", type_=UTCDateTime())
_FINISH_CLAIMED = (
    update(_JOB)
    .where(_OUR_CLAIM)
    .values(
        state=JobState.DONE,
        attempts=_JOB.c.attempts + 1,
        locked_until=None,
        finished_at=_NOW,
        updated_at=_NOW,
        last_error=None,
        error_code=None,
    )
)
_RELEASE_CLAIMED = (
    update(_JOB)
    .where(_OUR_CLAIM)
    .values(state=JobState.PENDING, locked_until=None, run_after=_NOW, updated_at=_NOW)
)


def finish_claimed(session: Session, dedupe_key: str, lease_until: datetime, now: datetime) -> bool:
    """Mark a job this process claimed (born claimed) done, in the caller's transaction.

    False when the lease was no longer ours: the job ran out its lease and a worker took it.
    """
    parameters = {"key": dedupe_key, "lease": lease_until, "now": now}
    return session.connection().execute(_FINISH_CLAIMED, parameters).rowcount == 1


def release_claimed(
    session: Session, dedupe_key: str, lease_until: datetime, now: datetime
) -> None:
    """Give a job this process claimed (born claimed) back to the workers, due at once."""
    parameters = {"key": dedupe_key, "lease": lease_until, "now": now}
    session.connection().execute(_RELEASE_CLAIMED, parameters)


def fail_claimed(
    session: Session,
    dedupe_key: str,
    lease_until: datetime,
    error: Exception,
    context: JobContext,
) -> None:
    """Record a failed attempt of a job this process claimed: retried later or given up; commit.

    Nothing is recorded when the lease was no longer ours (a worker has the job now).
    """
    session.rollback()
    job = session.exec(select(Job).where(Job.dedupe_key == dedupe_key)).one()
    if job.state != JobState.RUNNING or job.locked_until != lease_until:
        return
    _retry_or_fail(session, job, error, context)
    session.add(job)
    session.commit()


# --- retry policy ----------------------------------------------------------------------------


def retry_delay(
    error: MeetingError | Exception, attempts: int, rng: random.Random
) -> timedelta | None:
    """How long to wait before the next attempt; None when trying again cannot help."""
    if isinstance(error, MeetingError):
        if not error.retryable:
            return None
        if error.retry_after is not None and error.retry_after > 0:
            return timedelta(seconds=error.retry_after)
    # 8 s, 16 s, 32 s … with up to 50 % jitter, so MAX_ATTEMPTS spans about twenty minutes.
    seconds = 2 ** (attempts + 2) * (1 + rng.uniform(0, 0.5))
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def _error_code(error: Exception) -> str | None:
    """The provider's or SMTP server's error code, when there is one."""
    if isinstance(error, MeetingError):
        return error.code[:80] or None
    smtp_code = getattr(error, "smtp_code", None)
    return f"smtp:{smtp_code}" if smtp_code else None


# --- handlers --------------------------------------------------------------------------------
# The domains register what each job kind does (meetings.handlers, citizen_mail, feedback);
# balie.services.composition imports them all, so every process that runs jobs has them.

Handler = Callable[[Session, Job, JobContext], None]
GiveUp = Callable[[Session, Job], None]
HANDLERS: dict[str, Handler] = {}
GIVE_UP: dict[str, GiveUp] = {}
# session.info while a job runs: (job id, its appointment, the rows loaded with it)
_LOADED = "balie.jobs.appointment"


def register(kind: JobKind, handler: Handler, *, give_up: GiveUp | None = None) -> None:
    """Run ``handler`` for jobs of ``kind``; ``give_up`` after its last failed attempt."""
    HANDLERS[kind] = handler
    if give_up is not None:
        GIVE_UP[kind] = give_up


def appointment_of(session: Session, job: Job) -> Appointment | None:
    """The job's appointment as it is in the database now (not a stale copy)."""
    loaded = session.info.get(_LOADED)
    if loaded is not None and loaded[0] == job.id:
        return loaded[1]
    if job.appointment_id is None:
        return None
    return session.get(Appointment, job.appointment_id, populate_existing=True)


def _load_appointment(session: Session, job: Job) -> tuple[Any, ...] | None:
    """The job's appointment fresh from the database with its organisation, service, topic and
    counsellor: one query, after which the handlers' ``session.get`` of those needs none (as
    long as the caller holds the row: the session keeps its objects by weak reference)."""
    if job.appointment_id is None:
        return None
    statement = (
        select(Appointment, Organisation, Service, Topic, StaffMember)
        .outerjoin(Organisation, Organisation.id == Appointment.organisation_id)
        .outerjoin(Service, Service.id == Appointment.service_id)
        .outerjoin(Topic, Topic.id == Appointment.topic_id)
        .outerjoin(StaffMember, StaffMember.id == Appointment.staff_id)
        .where(Appointment.id == job.appointment_id)
        .execution_options(populate_existing=True)
    )
    row = session.exec(statement).first()
    return tuple(row) if row is not None else None


def end_read(session: Session) -> None:
    """End the read transaction before a slow outside call."""
    # No transaction idles during the call, and SQLite writes the result from a fresh
    # snapshot (an old one cannot be upgraded to a write once someone else has written).
    session.commit()


# --- running ---------------------------------------------------------------------------------


def _finish(job: Job, state: JobState, now: datetime) -> None:
    """Mark the job done or failed."""
    job.state = state
    job.locked_until = None
    job.finished_at = now
    job.updated_at = now


def _server_asked_to_wait(error: Exception) -> bool:
    """Whether the provider throttled us and said when to come back."""
    return isinstance(error, MeetingError) and error.retryable and bool(error.retry_after)


def _retry_or_fail(session: Session, job: Job, error: Exception, context: JobContext) -> None:
    """Record a failed attempt: try again later per the retry policy, or give up."""
    now = context.now()
    if not _server_asked_to_wait(error) or now - job.created_at > THROTTLE_PATIENCE:
        job.attempts += 1
    job.last_error = f"{type(error).__name__}: {error}"[:1000]
    job.error_code = _error_code(error)
    delay = retry_delay(error, job.attempts, context.rng)
    if delay is None or job.attempts >= MAX_ATTEMPTS:
        log.warning("job %s %s failed for good: %s", job.id, job.dedupe_key, job.last_error)
        _finish(job, JobState.FAILED, now)
        give_up = GIVE_UP.get(job.kind)
        if give_up is not None:
            give_up(session, job)
        return
    log.info("job %s %s will retry in %s: %s", job.id, job.dedupe_key, delay, job.last_error)
    job.state = JobState.PENDING
    job.run_after = now + delay
    job.locked_until = None
    job.updated_at = now


def _defer(job: Job, wait: Defer, now: datetime) -> None:
    """Put the job back for later without counting an attempt."""
    job.state = JobState.PENDING
    job.run_after = now + wait.delay
    job.locked_until = None
    job.updated_at = now


def run_job(session: Session, job: Job, context: JobContext) -> None:
    """Run one claimed job and record its outcome (done, retried later, or failed); commit."""
    handler = HANDLERS.get(job.kind)
    token = set_request_id(job.request_id)  # the job's log lines carry its request's id
    try:
        if handler is None:
            raise MeetingError(f"unknown job kind {job.kind!r}", retryable=False, code="kind")
        loaded = _load_appointment(session, job)
        appointment = loaded[0] if loaded is not None else None
        session.info[_LOADED] = (job.id, appointment, loaded)
        try:
            handler(session, job, _context_for(session, appointment, context))
        finally:
            session.info.pop(_LOADED, None)
    except Defer as wait:
        session.rollback()
        job = session.get(Job, job.id, populate_existing=True)
        _defer(job, wait, context.now())
    except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
        session.rollback()
        job = session.get(Job, job.id, populate_existing=True)
        _retry_or_fail(session, job, error, context)
    else:
        job = session.get(Job, job.id)
        job.attempts += 1
        job.last_error = None
        job.error_code = None
        _finish(job, JobState.DONE, context.now())
    finally:
        reset_request_id(token)
    session.add(job)
    session.commit()


def run_due_jobs(
    session_factory: SessionFactory,
    context: JobContext,
    *,
    limit: int = 10,
    appointment_id: int | None = None,
    kinds: tuple[str, ...] | None = None,
) -> int:
    """Claim and run the jobs due now, once; returns how many ran.

    With ``appointment_id`` only that appointment's jobs run (of ``kinds``, when given): the
    booking pages call this right after a booking so the link is usually there on arrival;
    the worker runs the rest and retries what fails.
    """
    ran = 0
    with session_factory() as session:
        lease = timedelta(seconds=context.settings.job_lease_seconds)
        claimed = claim_due(
            session,
            context.now(),
            limit=limit,
            lease=lease,
            appointment_id=appointment_id,
            kinds=kinds,
        )
        for job in claimed:
            job_id = job.id
            if job.locked_until <= context.now():
                # Our lease ran out while earlier jobs ran; another worker may have it now.
                continue
            try:
                run_job(session, job, context)
                ran += 1
            except Exception:
                # The job stays running; it is claimed again when its lease runs out.
                log.exception("could not record the outcome of job %s", job_id)
                session.rollback()
    return ran


async def worker_loop(
    session_factory: SessionFactory,
    context_factory: Callable[[], JobContext],
    *,
    interval: float = 1.0,
    stop: asyncio.Event | None = None,
    limit: int = 10,
    wake: asyncio.Event | None = None,
    after_round: Callable[[], None] | None = None,
) -> None:
    """Run due jobs until ``stop`` is set, in a thread so the event loop is never blocked.

    Between rounds it waits ``interval`` seconds, or until ``wake`` is set (a booking just
    queued an e-mail: send it now rather than up to a second later). ``after_round`` (e.g. the
    heartbeat for /api/readyz) runs after every round that did not fail.
    """
    stop = stop or asyncio.Event()
    wake = wake or asyncio.Event()
    context: JobContext | None = None
    while not stop.is_set():
        ran = 0
        try:
            context = context or context_factory()
            ran = await asyncio.to_thread(run_due_jobs, session_factory, context, limit=limit)
            if after_round is not None:
                await asyncio.to_thread(after_round)
        except RuntimeError as problem:
            if "shutdown" in str(problem):
                return  # the event loop is stopping: no thread will run a round again
            log.exception("background jobs: round failed; trying again")
        except Exception:
            log.exception("background jobs: round failed; trying again")
        if ran >= limit:
            continue  # more may be due: no pause
        if not wake.is_set():
            await _first_of(stop, wake, interval)
        wake.clear()


async def _first_of(stop: asyncio.Event, wake: asyncio.Event, timeout: float) -> None:
    """Wait until ``stop`` or ``wake`` is set, or ``timeout`` seconds have passed."""
    waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
