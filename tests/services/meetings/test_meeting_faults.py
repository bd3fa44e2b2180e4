"""Fifty bookings while the fake Graph fails 30 % of its calls: no link lost, none made twice.

The whole path is real: booking → outbox jobs → Teams provider → HTTP → fake Entra and Graph
servers on loopback. Only the clock is simulated (moved, never slept).
"""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from balie.models import Appointment, Job, MeetingState
from balie.services import booking, jobs
from balie.services.catalogue import get_organisation
from balie.services.demo_data import load_demo_data
from balie.services.meetings.teams import TeamsProvider
from balie.services.slots import free_slots
from balie.services.validation import CitizenDetails
from tests.conftest import RecordingMailer
from tests.fakes.microsoft import (
    commit_then_504,
    gateway_timeout,
    running_fakes,
    throttle,
    unavailable,
)

NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
# Fixed seeds keep the run reproducible; BALIE_FAULT_SEED lets a developer try others.
FAULT_SEED = int(os.environ.get("BALIE_FAULT_SEED", "7"))
JITTER_SEED = FAULT_SEED + 1
SERVICES = [
    ("energiecentrale", "renovatieadvies"),
    ("oog", "zaak-starten"),
    ("gas-boetes", "vraag-boete"),
    ("woonwijzer", "huurvragen"),
]


def book_fifty(session: Session) -> list[int]:
    """Fifty appointments spread over four services (meetings still to be made)."""
    gent = get_organisation(session, "gent")
    ids: list[int] = []
    for index in range(50):
        slug, topic = SERVICES[index % len(SERVICES)]
        service = booking.find_live_service(session, gent, slug, NOW)
        start = free_slots(session, service, NOW.date(), (NOW + timedelta(days=20)).date(), NOW)
        details = CitizenDetails(f"Burger {index}", f"b{index}@example.be", None, "nl", None, True)
        request = booking.BookingRequest(slug, topic, start[0].start, details)
        booked = booking.book(
            session, gent, request, meeting_provider="teams", secret_key="s", now=NOW
        )
        ids.append(booked.appointment.id)
    return ids


def test_fifty_bookings_survive_thirty_percent_graph_faults(session: Session) -> None:
    load_demo_data(session)
    ids = book_fifty(session)
    engine = session.get_bind()

    def factory() -> Session:
        return Session(engine, expire_on_commit=False)

    with running_fakes() as fakes:
        start = fakes.clock()

        def now() -> datetime:
            return NOW + timedelta(seconds=fakes.clock() - start)

        provider = TeamsProvider(fakes.settings(), sleep=fakes.clock.advance)
        context = jobs.JobContext(
            provider=provider,
            mailer=RecordingMailer(),
            settings=fakes.settings(),
            now=now,
            rng=random.Random(JITTER_SEED),
        )
        faults = (throttle(), unavailable(), gateway_timeout(), commit_then_504())
        fakes.random_faults(0.3, faults=faults, seed=FAULT_SEED)
        for _round in range(400):
            jobs.run_due_jobs(factory, context, limit=50)
            open_jobs = session.exec(
                select(Job).where(Job.kind == "meeting.create", Job.state != "done")
            ).all()
            session.expire_all()
            if not open_jobs:
                break
            fakes.clock.advance(30)
        fakes.stop_random_faults()

        session.expire_all()
        appointments = [session.get(Appointment, i) for i in ids]
        assert all(a.meeting_state == MeetingState.READY for a in appointments)
        events = fakes.graph.events_in(fakes.organiser)
        assert len(events) == 50  # exactly one event per appointment, none lost, none twice
        assert len({e.transaction_id for e in events}) == 50
        for appointment in appointments:
            assert appointment.join_url.startswith("https://teams.microsoft.com/l/meetup-join/")
            matching = [e for e in events if e.join_url == appointment.join_url]
            assert len(matching) == 1
            assert matching[0].start == appointment.start_at
        faulted = [r for r in fakes.requests if r.route == "create_event"]
        assert len(faulted) > 50  # faults really happened and were retried
