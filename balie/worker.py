"""The app's background worker: runs the outbox jobs (meetings, e-mails, reminders).

It runs inside the web app as a Reflex lifespan task, and the booking pages call
``run_appointment_jobs`` right after a change so the citizen rarely has to wait for the worker.
"""

from __future__ import annotations

import asyncio
import logging

from balie.db import session_scope
from balie.db_types import utcnow
from balie.services import booking, jobs, retention
from balie.services.meetings import provider_from_settings
from balie.services.notifications import mailer_from_settings
from balie.settings import get_settings

log = logging.getLogger(__name__)


def job_context() -> jobs.JobContext:
    """The configured provider, mailer and the real clock."""
    settings = get_settings()
    return jobs.JobContext(
        provider=provider_from_settings(settings),
        mailer=mailer_from_settings(settings),
        settings=settings,
        now=utcnow,
    )


def run_appointment_jobs(appointment_id: int) -> None:
    """Run the due jobs of one appointment now; failures stay queued for the worker."""
    try:
        jobs.run_due_jobs(session_scope, job_context(), appointment_id=appointment_id)
    except Exception:
        log.exception("jobs of appointment %s left to the background worker", appointment_id)


async def background_worker() -> None:
    """Run due jobs every second for as long as the app runs."""
    await jobs.worker_loop(session_scope, job_context, interval=1.0)


RETENTION_INTERVAL = 3600  # seconds between two erasure rounds


def erase_expired_personal_data() -> int:
    """Erase personal data of appointments past the retention period; returns how many."""
    with session_scope() as session:
        booking.expire_idempotency_keys(session, utcnow())  # a hash of personal data: 24 h only
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
