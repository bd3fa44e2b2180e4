"""The app's background worker: runs the outbox jobs (meetings, e-mails, reminders).

It runs inside the web app as a Reflex lifespan task. Right after a booking or a change the
answer waits only for the meeting link (``make_meeting_now``, at most
BALIE_MEETING_WAIT_SECONDS; pages call it through ``run_appointment_jobs``) and wakes the
worker, which sends the e-mails.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session

from balie.db import fit_thread_pool, session_scope
from balie.db_types import utcnow
from balie.models import Appointment, WorkerHeartbeat
from balie.services import booking, composition, documents, jobs, org_settings
from balie.services.catalogue_cache import Catalogue
from balie.services.insight.metrics import timed_call
from balie.services.meetings import handlers
from balie.services.meetings.interface import provider_from_settings
from balie.services.notifications import mailer_from_settings
from balie.services.privacy import retention
from balie.services.request_context import current_request_id, reset_request_id, set_request_id
from balie.settings import get_settings

log = logging.getLogger(__name__)


class Timed:
    """Wraps a meeting provider or mailer: every outside call is timed and its errors counted."""

    CALLS = frozenset({"create", "update", "cancel", "send"})

    def __init__(self, inner: Any, target: str) -> None:
        self._inner = inner
        self._target = target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if name not in self.CALLS:
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            with timed_call(self._target, name):
                return value(*args, **kwargs)

        return call


def job_context() -> jobs.JobContext:
    """The configured provider, mailer and the real clock; organisations' own where they have."""
    composition.check_registered()
    settings = get_settings()
    provider = provider_from_settings(settings)
    return jobs.JobContext(
        provider=Timed(provider, provider.name),
        mailer=Timed(mailer_from_settings(settings), "mail"),
        settings=settings,
        now=utcnow,
        for_organisation=organisation_context,
    )


def organisation_context(
    session: Session, organisation_id: int, base: jobs.JobContext
) -> jobs.JobContext:
    """``base`` with the organisation's own sender, SMTP server and meeting provider."""
    settings = org_settings.effective_settings(session, organisation_id, base.settings)
    if settings is base.settings:
        return base
    provider = provider_from_settings(settings)
    return dataclasses.replace(
        base,
        provider=Timed(provider, provider.name),
        mailer=Timed(mailer_from_settings(settings), "mail"),
        settings=settings,
        for_organisation=None,
    )


def run_appointment_jobs(appointment_id: int) -> None:
    """After a change: the meeting now (bounded wait), the e-mails by the woken worker.

    The e-mail jobs are in the database already, so they go out exactly once, also when the
    app restarts before the worker's round. Without a worker in this process (a script, a
    unit test) they are sent here.
    """
    make_meeting_now(appointment_id)
    if _wake is not None:
        return
    try:
        jobs.run_due_jobs(session_scope, job_context(), appointment_id=appointment_id)
    except Exception:
        log.exception("jobs of appointment %s left to the background worker", appointment_id)


INSTANCE = f"{socket.gethostname()}:{os.getpid()}"  # one heartbeat row per worker process
HEARTBEAT_STALE = timedelta(seconds=30)


def beat(now: datetime | None = None) -> None:
    """Record that this process's background worker finished a round."""
    with session_scope() as session:
        row = session.get(WorkerHeartbeat, INSTANCE) or WorkerHeartbeat(instance=INSTANCE)
        row.beat_at = now or utcnow()
        session.add(row)
        # Rows of processes that stopped (every restart has a new pid) go after a day.
        gone = row.beat_at - timedelta(days=1)
        session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < gone))
        session.commit()


def heartbeat_fresh(now: datetime | None = None) -> bool:
    """Whether this process's background worker beat within HEARTBEAT_STALE."""
    with session_scope() as session:
        row = session.get(WorkerHeartbeat, INSTANCE)
    return row is not None and (now or utcnow()) - row.beat_at <= HEARTBEAT_STALE


MEETING_KINDS = ("meeting.create", "meeting.update", "meeting.cancel")
MEETING_THREADS = 8  # meetings made while an answer waits; more wait for the worker instead
_meetings = ThreadPoolExecutor(MEETING_THREADS, thread_name_prefix="meeting")
_meeting_places = threading.BoundedSemaphore(MEETING_THREADS)
_wake: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None


def wake_worker() -> None:
    """Ask this process's background worker for a round now (from any thread)."""
    if _wake is None:
        return
    loop, event = _wake
    with suppress(RuntimeError):  # the loop has closed: the app is stopping
        loop.call_soon_threadsafe(event.set)


def _make_meeting(appointment_id: int) -> None:
    """Run the appointment's meeting jobs now; a failure stays queued for the worker."""
    try:
        jobs.run_due_jobs(
            session_scope, job_context(), appointment_id=appointment_id, kinds=MEETING_KINDS
        )
    except Exception:
        log.exception("meeting of appointment %s left to the background worker", appointment_id)
    finally:
        _meeting_places.release()


def make_meeting_now(appointment_id: int, wait: float | None = None) -> None:
    """Make (move, cancel) the appointment's meeting, waiting at most ``wait`` s; wake the worker.

    The e-mails are the worker's: they never delay the answer. A slow provider does not hold
    the answer longer than ``wait`` (BALIE_MEETING_WAIT_SECONDS): the meeting is still made,
    and the page says the link follows.
    """
    wait = get_settings().meeting_wait_seconds if wait is None else wait
    if wait > 0 and _meeting_places.acquire(blocking=False):
        future = _meetings.submit(_make_meeting, appointment_id)
        try:
            future.result(timeout=wait)
        except FutureTimeout:
            log.info("meeting of appointment %s still being made after %s s", appointment_id, wait)
    wake_worker()


def meeting_claim() -> datetime | None:
    """Until when a booking about to be answered claims its meeting job (None: no wait is set).

    The answer then makes the meeting itself (``meeting_for_new_booking``): no second claim,
    no reading the appointment back. If it never does (the process stops), the claim runs
    out and a worker takes the job as any other.
    """
    settings = get_settings()
    if settings.meeting_wait_seconds <= 0:
        return None
    return utcnow() + timedelta(seconds=settings.job_lease_seconds)


def meeting_for_new_booking(
    session: Session,
    appointment: Appointment,
    catalogue: Catalogue,
    claimed_until: datetime | None,
) -> None:
    """Make a just-booked (committed) appointment's meeting, waiting a bounded time, and show
    the outcome on ``appointment``: the link, or a pending (failed) meeting the worker goes on
    with. ``claimed_until`` is the booking's claim of its meeting job (``meeting_claim``)."""
    made = None
    if claimed_until is None:
        make_meeting_now(appointment.id)
        handlers.reload_meeting(session, appointment)
        return
    service = catalogue.services_by_id[appointment.service_id]
    topic = catalogue.topics_by_id[appointment.topic_id]
    new = handlers.NewMeeting.of(appointment, service, topic, claimed_until)
    if _meeting_places.acquire(blocking=False):
        made = _wait_for_new(new)
    else:  # every meeting thread is busy: the worker makes it, as soon as it can
        key = jobs.meeting_create_key(appointment.id)
        jobs.release_claimed(session, key, claimed_until, utcnow())
        session.commit()
        wake_worker()
    if made is None:
        handlers.reload_meeting(session, appointment)
    else:
        handlers.show_meeting(appointment, appointment.status, made.join_url, made.meeting_state)


def _wait_for_new(new: handlers.NewMeeting) -> handlers.MeetingMade | None:
    """Make the meeting of ``new`` in a meeting thread; None when it takes longer than the
    wait (it goes on) or fails (the job keeps the failure for the worker)."""
    try:
        future = _meetings.submit(_make_new_meeting, new, current_request_id())
    except RuntimeError:  # the pool has shut down: the app is stopping; the lease runs out
        _meeting_places.release()
        return None
    try:
        return future.result(timeout=get_settings().meeting_wait_seconds)
    except FutureTimeout:
        log.info("meeting of appointment %s still being made", new.appointment_id)
    except Exception:
        log.exception("meeting of appointment %s left to the worker", new.appointment_id)
    finally:
        wake_worker()
    return None


def _make_new_meeting(new: handlers.NewMeeting, request_id: str | None) -> handlers.MeetingMade:
    """Make a new booking's meeting in a meeting thread, with the request's id in the log."""
    token = set_request_id(request_id)
    try:
        return handlers.create_new(session_scope, job_context(), new)
    finally:
        reset_request_id(token)
        _meeting_places.release()


async def background_worker() -> None:
    """Run due jobs every second (sooner when woken) while the app runs; beat after rounds."""
    global _wake
    fit_thread_pool()  # runs in the app's event loop, whose thread limiter it sizes
    wake = asyncio.Event()
    _wake = (asyncio.get_running_loop(), wake)
    try:
        await jobs.worker_loop(
            session_scope, job_context, interval=1.0, wake=wake, after_round=beat
        )
    finally:
        _wake = None


RETENTION_INTERVAL = 3600  # seconds between two erasure rounds


def erase_expired_personal_data() -> int:
    """Erase personal data of appointments past the retention period; returns how many."""
    with session_scope() as session:
        booking.expire_idempotency_keys(session, utcnow())  # a hash of personal data: 24 h only
        settings = get_settings()
        store = documents.Vault.from_settings(settings)
        documents.purge_stale_quarantine(session, store, utcnow())
        own_days = org_settings.retention_days_by_organisation(session)
        return retention.erase_due(session, utcnow(), settings.retention_days, store, own_days)


async def retention_worker() -> None:
    """Erase expired personal data once an hour for as long as the app runs."""
    while True:
        try:
            erased = await asyncio.to_thread(erase_expired_personal_data)
            if erased:
                log.info("erased personal data of %s appointment(s)", erased)
        except Exception:
            log.exception("retention round failed; trying again in an hour")
        await asyncio.sleep(RETENTION_INTERVAL)
