"""The app's background worker: runs the outbox jobs (meetings, e-mails, reminders).

It runs inside the web app as a Reflex lifespan task, and the booking pages call
``run_appointment_jobs`` right after a change so the citizen rarely has to wait for the worker.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import WorkerHeartbeat
from balie.services import jobs, retention
from balie.services.meetings import provider_from_settings
from balie.services.metrics import timed_call
from balie.services.notifications import mailer_from_settings
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
    """The configured provider, mailer and the real clock."""
    settings = get_settings()
    provider = provider_from_settings(settings)
    return jobs.JobContext(
        provider=Timed(provider, provider.name),
        mailer=Timed(mailer_from_settings(settings), "mail"),
        settings=settings,
        now=utcnow,
    )


def run_appointment_jobs(appointment_id: int) -> None:
    """Run the due jobs of one appointment now; failures stay queued for the worker."""
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


async def background_worker() -> None:
    """Run due jobs every second for as long as the app runs; beat after every round."""
    await jobs.worker_loop(session_scope, job_context, interval=1.0, after_round=beat)


RETENTION_INTERVAL = 3600  # seconds between two erasure rounds


def erase_expired_personal_data() -> int:
    """Erase personal data of appointments past the retention period; returns how many."""
    with session_scope() as session:
        return retention.erase_due(session, utcnow(), get_settings().retention_days)


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
