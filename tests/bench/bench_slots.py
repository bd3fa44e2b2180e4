"""Benchmark of the slot engine: free_slots over 8 weeks, 10 staff, 2,000 appointments.

Run it from the project folder (it is not a pytest test):

    .venv/bin/python -m tests.bench.bench_slots
    .venv/bin/python -m tests.bench.bench_slots --database-url postgresql+psycopg://…/throwaway

Without --database-url it builds a SQLite database in a temporary folder. With it, the given
database is RESET (alembic downgrade base, upgrade head), so point it at a throwaway one.

The world: Europe/Brussels, one service of 30 minutes plus a 10-minute buffer (the Ghent demo
default), 120 minutes notice and a 60-day horizon; 10 counsellors on weekdays 09:00-12:00 and
13:30-16:30; the 56 days from Monday 2 March 2026, which include the spring DST change and
Easter Monday. Appointments are placed at random (fixed seed) on a 10-minute lattice inside
the opening windows on working days, only where the overlap rule allows: four in five of this
service (30 + 10 minutes), one in five of another service (20 + 5 minutes), which blocks the
same counsellor. There are also six days of leave and one closing afternoon.
Each timed call uses a fresh session, as a request would; one untimed call warms up first.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time as clock
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# Lets `python tests/bench/bench_slots.py` find the balie and tests packages too.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import holidays
from sqlalchemy import Engine
from sqlmodel import Session

from balie.db import make_engine
from balie.models import (
    Appointment,
    AvailabilityException,
    OpeningHours,
    Organisation,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.services.slots import free_slots
from tests.conftest import run_alembic

FIRST_DAY = date(2026, 3, 2)
DAYS = 56
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Brussels")
WINDOWS = ((time(9, 0), time(12, 0)), (time(13, 30), time(16, 30)))
STAFF = 10
LATTICE_MINUTES = 10
# (appointment minutes, buffer minutes) of the benchmarked service and of another one.
MAIN, OTHER = (30, 10), (20, 5)


@dataclass(frozen=True)
class World:
    """Ids of the benchmark's rows."""

    organisation: int
    service: int
    topic: int
    other_service: int
    other_topic: int
    staff: tuple[int, ...]


def _add_service(
    session: Session, organisation: Organisation, slug: str, size: tuple[int, int]
) -> Service:
    """A service with its appointment and buffer minutes."""
    service = Service(
        organisation_id=organisation.id,
        slug=slug,
        name={"nl": slug},
        description={"nl": slug},
        live_from=date(2025, 1, 1),
        appointment_minutes=size[0],
        buffer_minutes=size[1],
        min_notice_minutes=120,
        horizon_days=60,
    )
    session.add(service)
    session.flush()
    return service


def _add_topic(session: Session, service: Service) -> Topic:
    """One topic for ``service``."""
    topic = Topic(
        service_id=service.id, slug="t", name={"nl": "T"}, channel_reason={}, preparation={}
    )
    session.add(topic)
    session.flush()
    return topic


def _add_staff(session: Session, organisation: Organisation, service: Service) -> list[int]:
    """Ten counsellors with weekday hours for ``service``."""
    ids = []
    for number in range(STAFF):
        staff = StaffMember(
            organisation_id=organisation.id,
            display_name=f"Counsellor {number}",
            email=f"c{number}@bench.invalid",
        )
        session.add(staff)
        session.flush()
        session.add(StaffService(staff_id=staff.id, service_id=service.id))
        for weekday in range(5):
            for start, end in WINDOWS:
                session.add(
                    OpeningHours(
                        staff_id=staff.id,
                        service_id=service.id,
                        weekday=weekday,
                        start_time=start,
                        end_time=end,
                    )
                )
        ids.append(staff.id)
    return ids


def build_world(session: Session) -> World:
    """The organisation, the two services and the ten counsellors."""
    organisation = Organisation(slug="bench", name="Benchstad", time_zone="Europe/Brussels")
    session.add(organisation)
    session.flush()
    service = _add_service(session, organisation, "main", MAIN)
    other = _add_service(session, organisation, "other", OTHER)
    topic, other_topic = _add_topic(session, service), _add_topic(session, other)
    staff = _add_staff(session, organisation, service)
    session.commit()
    return World(organisation.id, service.id, topic.id, other.id, other_topic.id, tuple(staff))


def _working_days() -> list[date]:
    """Weekdays of the benchmark range that are not Belgian public holidays."""
    closed = holidays.country_holidays("BE", years=FIRST_DAY.year)
    days = (FIRST_DAY + timedelta(days=offset) for offset in range(DAYS))
    return [day for day in days if day.weekday() < 5 and day not in closed]


def _lattice() -> list[datetime]:
    """Every 10-minute start on working days at which this service's appointment fits."""
    starts = []
    for day in _working_days():
        for window_start, window_end in WINDOWS:
            wall = datetime.combine(day, window_start)
            end = datetime.combine(day, window_end)
            while wall + timedelta(minutes=MAIN[0]) <= end:
                starts.append(wall.replace(tzinfo=TZ).astimezone(UTC))
                wall += timedelta(minutes=LATTICE_MINUTES)
    return starts


def _fits(taken: list[tuple[datetime, datetime]], start: datetime, until: datetime) -> bool:
    """Whether ``[start, until)`` overlaps nothing in ``taken`` (the database's overlap rule)."""
    return not any(other < until and start < other_until for other, other_until in taken)


def place_appointments(world: World, count: int, rng: random.Random) -> list[Appointment]:
    """Up to ``count`` appointments at random lattice times, where the overlap rule allows."""
    lattice = _lattice()
    attempts = [(staff, start) for staff in world.staff for start in lattice]
    rng.shuffle(attempts)
    taken: dict[tuple[int, date], list[tuple[datetime, datetime]]] = {}
    appointments: list[Appointment] = []
    for staff_id, start in attempts:
        if len(appointments) >= count:
            break
        main = rng.random() < 0.8
        minutes, buffer = MAIN if main else OTHER
        end = start + timedelta(minutes=minutes)
        until = end + timedelta(minutes=buffer)
        day_taken = taken.setdefault((staff_id, start.date()), [])
        if not _fits(day_taken, start, until):
            continue
        day_taken.append((start, until))
        reference = f"B{len(appointments):06d}"
        appointments.append(
            Appointment(
                reference=reference,
                organisation_id=world.organisation,
                service_id=world.service if main else world.other_service,
                topic_id=world.topic if main else world.other_topic,
                staff_id=staff_id,
                start_at=start,
                end_at=end,
                busy_until=until,
                manage_token_hash=f"hash-{reference}",
            )
        )
    return appointments


def add_exceptions(session: Session, world: World, rng: random.Random) -> None:
    """Six days of leave for random counsellors and one closing afternoon."""
    days = _working_days()
    for day in rng.sample(days, 6):
        start = datetime.combine(day, time(0), tzinfo=TZ)
        session.add(
            AvailabilityException(
                organisation_id=world.organisation,
                staff_id=rng.choice(world.staff),
                start_at=start,
                end_at=start + timedelta(days=1),
                reason="leave",
            )
        )
    closing = datetime.combine(days[len(days) // 2], time(13, 0), tzinfo=TZ)
    session.add(
        AvailabilityException(
            organisation_id=world.organisation,
            staff_id=None,
            start_at=closing,
            end_at=closing + timedelta(hours=5),
            reason="staff meeting",
        )
    )


def populate(engine: Engine, appointments: int, seed: int) -> tuple[World, int]:
    """Fill an empty migrated database; returns the world and the appointments stored."""
    rng = random.Random(seed)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        rows = place_appointments(world, appointments, rng)
        session.add_all(rows)
        add_exceptions(session, world, rng)
        session.commit()
    return world, len(rows)


def time_free_slots(engine: Engine, service: Service, runs: int) -> tuple[list[float], int, int]:
    """Milliseconds of each timed call (after one warm-up), the slot count and total capacity."""
    last_day = FIRST_DAY + timedelta(days=DAYS - 1)
    with Session(engine) as session:
        slots = free_slots(session, service, FIRST_DAY, last_day, NOW)
    timings = []
    for _ in range(runs):
        with Session(engine) as session:
            began = clock.perf_counter()
            free_slots(session, service, FIRST_DAY, last_day, NOW)
            timings.append((clock.perf_counter() - began) * 1000)
    return timings, len(slots), sum(slot.capacity for slot in slots)


def run(url: str, runs: int, appointments: int, seed: int) -> None:
    """Migrate, populate and time ``url``; print the figures."""
    run_alembic(url, "downgrade", "base")
    run_alembic(url, "upgrade", "head")
    engine = make_engine(url)
    try:
        world, stored = populate(engine, appointments, seed)
        with Session(engine, expire_on_commit=False) as session:
            service = session.get(Service, world.service)
        timings, count, capacity = time_free_slots(engine, service, runs)
    finally:
        engine.dispose()
    p90 = statistics.quantiles(timings, n=10)[-1]
    median = statistics.median(timings)
    fastest = min(timings)
    sys.stdout.write(
        f"database      {engine.dialect.name}\n"
        f"world         {STAFF} staff, {stored} appointments, {DAYS} days from {FIRST_DAY}\n"
        f"slots         {count} starts, total capacity {capacity}\n"
        f"free_slots    median {median:.2f} ms, p90 {p90:.2f} ms, min {fastest:.2f} ms "
        f"({runs} runs)\n"
    )


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a THROWAWAY database (it is reset)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--appointments", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20260302)
    args = parser.parse_args(argv)
    if args.runs < 2:
        parser.error("--runs must be at least 2 (for the p90)")
    if args.database_url:
        run(args.database_url, args.runs, args.appointments, args.seed)
        return
    with tempfile.TemporaryDirectory(prefix="balie-bench-") as folder:
        run(f"sqlite:///{folder}/bench.db", args.runs, args.appointments, args.seed)


if __name__ == "__main__":
    main()
