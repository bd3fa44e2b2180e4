"""Prometheus metrics: counters and histograms the code updates, gauges read from the database.

Counters and histograms live in the process that counts. With several worker processes per
instance, set PROMETHEUS_MULTIPROC_DIR (an empty folder per instance, wiped at start) and the
scrape adds up every process's files; the job gauges come from the database at scrape time,
so they are the same whichever process answers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func
from sqlmodel import Session, select

from balie.models import Job, JobState

BOOKINGS = Counter("balie_bookings_total", "Appointments booked.", ["channel", "service"])
SLOT_TAKEN = Counter(
    "balie_slot_taken_total", "Bookings refused because the time was no longer free.", ["channel"]
)
OUTSIDE_CALL_SECONDS = Histogram(
    "balie_outside_call_seconds",
    "Duration of calls to the meeting provider (Graph/Jitsi) and the mailer.",
    ["target", "operation"],
)
OUTSIDE_CALL_ERRORS = Counter(
    "balie_outside_call_errors_total",
    "Failed calls to the meeting provider and the mailer.",
    ["target", "operation"],
)
SIGN_IN_FAILURES = Counter(
    "balie_sign_in_failures_total", "Refused staff sign-ins.", ["method", "reason"]
)
REFUSALS = Counter(
    "balie_refusals_total", "Requests refused by a limit (rate limits and the like).", ["kind"]
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


def count_booking(channel: str, service: str) -> None:
    """One appointment booked through ``channel`` for ``service`` (slug)."""
    BOOKINGS.labels(channel=channel, service=service).inc()


def count_slot_taken(channel: str) -> None:
    """One booking refused because the time was taken meanwhile."""
    SLOT_TAKEN.labels(channel=channel).inc()


def count_sign_in_failure(method: str, reason: str) -> None:
    """One refused staff sign-in."""
    SIGN_IN_FAILURES.labels(method=method, reason=reason).inc()


def count_refusal(kind: str) -> None:
    """One request refused by a limit of ``kind`` (e.g. "rate_limit:booking")."""
    REFUSALS.labels(kind=kind).inc()


@contextmanager
def timed_call(target: str, operation: str) -> Iterator[None]:
    """Measure one outside call; a raised error is counted and passed on."""
    started = time.perf_counter()
    try:
        yield
    except Exception:
        OUTSIDE_CALL_ERRORS.labels(target=target, operation=operation).inc()
        raise
    finally:
        OUTSIDE_CALL_SECONDS.labels(target=target, operation=operation).observe(
            time.perf_counter() - started
        )


class JobCollector:
    """Gauges for the outbox, read from the database when Prometheus scrapes."""

    def __init__(self, session_factory: Callable, now: Callable[[], datetime]) -> None:
        self._session_factory = session_factory
        self._now = now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Jobs due, running and failed, and the age of the oldest due job."""
        now = self._now()
        with self._session_factory() as session:
            figures = job_figures(session, now)
        counts = GaugeMetricFamily("balie_jobs", "Background jobs by state.", labels=["state"])
        for state in ("due", "running", "failed"):
            counts.add_metric([state], figures[state])
        yield counts
        yield GaugeMetricFamily(
            "balie_jobs_oldest_due_age_seconds",
            "Seconds the oldest due job has waited (0 when none).",
            value=figures["oldest_due_age_seconds"],
        )


def job_figures(session: Session, now: datetime) -> dict[str, float]:
    """Due (pending and due, or running with an expired lease), running and failed jobs."""
    due_pending = (Job.state == JobState.PENDING) & (Job.run_after <= now)
    lapsed = (Job.state == JobState.RUNNING) & (Job.locked_until < now)
    due, oldest = session.exec(
        select(func.count(Job.id), func.min(Job.run_after)).where(due_pending | lapsed)
    ).one()
    running = session.exec(
        select(func.count(Job.id)).where(Job.state == JobState.RUNNING, Job.locked_until >= now)
    ).one()
    failed = session.exec(select(func.count(Job.id)).where(Job.state == JobState.FAILED)).one()
    age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    return {"due": due, "running": running, "failed": failed, "oldest_due_age_seconds": age}


def render(session_factory: Callable, now: Callable[[], datetime]) -> bytes:
    """The exposition text: this process's (or every process's) metrics and the job gauges."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in _OWN:
            registry.register(collector)
    for extra in _EXTRA:
        registry.register(extra)
    registry.register(JobCollector(session_factory, now))
    return generate_latest(registry)


_OWN = (BOOKINGS, SLOT_TAKEN, OUTSIDE_CALL_SECONDS, OUTSIDE_CALL_ERRORS, SIGN_IN_FAILURES, REFUSALS)
_EXTRA: list = []  # collectors the app adds (e.g. websocket connections of this process)


def add_collector(collector: object) -> None:
    """Report ``collector`` on every scrape as well."""
    _EXTRA.append(collector)
