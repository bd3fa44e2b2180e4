"""Benchmark of the managers' dashboard: one year of a large city, 200,000 appointments.

Run it from the project folder (it is not a pytest test):

    .venv/bin/python -m tests.bench.bench_dashboard --database-url postgresql+psycopg://…/throwaway
    .venv/bin/python -m tests.bench.bench_dashboard            # SQLite in a temporary folder

With --database-url the given database is RESET (alembic downgrade base, upgrade head), so
point it at a throwaway one. The budget the figures are held against is 300 ms of server time
(median) on PostgreSQL; the script prints figures and asserts no timings.

The world: Europe/Brussels; 15 services going live in three waves (3 March, 2 June and
1 September 2025) of 30 + 10 or 20 + 5 minutes; 12 counsellors per service on weekdays
09:00-12:00 and 13:30-16:30; 60 days of leave. The year is 1 March 2025 - 28 February 2026
(both clock changes of 2025 inside), seen on Friday 27 February 2026 12:00 local. 200,000
appointments lie in that year, at random (fixed seed) on the counsellors' grid on working days
after go-live: 78 % held (with outcomes, a third of them with a feedback score), 12 %
cancelled, 6 % no-shows, 4 % still booked; a quarter booked by the contact centre. Four more
weeks of bookings follow the year (upcoming). Rows go in with bulk inserts.

Each timed call of ``statistics.dashboard`` (the one function the page, its CSV export and this
benchmark share) uses a fresh session, as a request would; one untimed call warms up first.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time as clock
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# Lets `python tests/bench/bench_dashboard.py` find the balie and tests packages too.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import holidays
from sqlalchemy import Engine, func, insert, select, text
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
from balie.services.insight.statistics import Dashboard, Period, dashboard
from tests.conftest import run_alembic

TZ = ZoneInfo("Europe/Brussels")
YEAR = Period(date(2025, 3, 1), date(2026, 2, 28))
NOW = datetime(2026, 2, 27, 11, 0, tzinfo=UTC)
UPCOMING_DAYS = 28
UPCOMING_SHARE = 0.3
WAVES = (date(2025, 3, 3), date(2025, 6, 2), date(2025, 9, 1))
SERVICES = 15
STAFF_PER_SERVICE = 12
LEAVE_DAYS = 60
WINDOWS = ((time(9, 0), time(12, 0)), (time(13, 30), time(16, 30)))
SIZES = ((30, 10), (20, 5))  # (appointment, buffer) minutes, alternating per service
STATUSES = (("completed", 78), ("cancelled", 12), ("no_show", 6), ("booked", 4))
OUTCOMES = (("resolved", 60), ("follow_up", 20), ("referred", 12), ("in_person", 8))
SCORES = ((5, 40), (4, 35), (3, 15), (2, 6), (1, 4))
FEEDBACK_SHARE = 1 / 3
CONTACT_CENTRE_SHARE = 0.25
BATCH = 10_000

Candidate = tuple[int, int, int, datetime]
"""(service index, staff id, topic id, UTC start) of a free place on the grid."""


def _pick(rng: random.Random, weighted: tuple[tuple, ...]) -> object:
    """One value of ``(value, weight)`` pairs."""
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def build_world(session: Session) -> tuple[int, list[Service], dict[int, list[int]], list[int]]:
    """The organisation, its services and counsellors; ids of the staff and topics per service."""
    organisation = Organisation(slug="bench", name="Benchstad", time_zone=TZ.key)
    session.add(organisation)
    session.flush()
    services, staff_of, topics = [], {}, []
    for index in range(SERVICES):
        minutes, buffer = SIZES[index % 2]
        service = Service(
            organisation_id=organisation.id,
            slug=f"dienst-{index + 1:02d}",
            name={"nl": f"Dienst {index + 1}", "en": f"Service {index + 1}"},
            description={},
            live_from=WAVES[index // 5],
            appointment_minutes=minutes,
            buffer_minutes=buffer,
            horizon_days=60,
            sort_order=index,
        )
        session.add(service)
        session.flush()
        topic = Topic(service_id=service.id, slug="t", name={"nl": "T"}, channel_reason={})
        session.add(topic)
        session.flush()
        staff_of[index] = [
            _add_counsellor(session, organisation, service, n) for n in range(STAFF_PER_SERVICE)
        ]
        services.append(service)
        topics.append(topic.id)
    session.commit()
    return organisation.id, services, staff_of, topics


def _add_counsellor(
    session: Session, organisation: Organisation, service: Service, number: int
) -> int:
    """A counsellor of ``service`` with weekday hours; their id."""
    staff = StaffMember(
        organisation_id=organisation.id,
        display_name=f"{service.slug} {number}",
        email=f"{service.slug}-{number}@bench.invalid",
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
    return staff.id


def _working_days(first: date, last: date) -> Iterator[date]:
    """Weekdays from first to last that are not Belgian public holidays."""
    closed = holidays.country_holidays("BE", years=range(first.year, last.year + 1))
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        if day.weekday() < 5 and day not in closed:
            yield day


def _day_starts(day: date, minutes: int, buffer: int) -> list[datetime]:
    """UTC starts of the grid of one day (no clock change falls inside opening hours)."""
    starts = []
    for window_start, window_end in WINDOWS:
        wall = datetime.combine(day, window_start)
        while wall + timedelta(minutes=minutes) <= datetime.combine(day, window_end):
            starts.append(wall.replace(tzinfo=TZ).astimezone(UTC))
            wall += timedelta(minutes=minutes + buffer)
    return starts


def candidates(
    services: list[Service],
    staff_of: dict[int, list[int]],
    topics: list[int],
    leave: set[tuple[int, date]],
    first: date,
    last: date,
) -> list[Candidate]:
    """Every free grid place of every service from first to last (after go-live, off leave)."""
    found: list[Candidate] = []
    for index, service in enumerate(services):
        days = _working_days(max(first, service.live_from), last)
        for day in days:
            starts = _day_starts(day, service.appointment_minutes, service.buffer_minutes)
            for staff_id in staff_of[index]:
                if (staff_id, day) not in leave:
                    found.extend((index, staff_id, topics[index], start) for start in starts)
    return found


def _row(
    number: int, place: Candidate, services: list[Service], org: int, rng: random.Random
) -> dict:
    """The columns of appointment ``number`` at ``place``."""
    index, staff_id, topic_id, start = place
    service = services[index]
    end = start + timedelta(minutes=service.appointment_minutes)
    created = start - timedelta(minutes=rng.randint(60, 30 * 24 * 60))
    status = _pick(rng, STATUSES) if start < NOW else "booked"
    done = status == "completed"
    scored = done and rng.random() < FEEDBACK_SHARE
    reference = f"D{number:07d}"
    return {
        "reference": reference,
        "organisation_id": org,
        "service_id": service.id,
        "topic_id": topic_id,
        "staff_id": staff_id,
        "start_at": start,
        "end_at": end,
        "busy_until": end + timedelta(minutes=service.buffer_minutes),
        "status": status,
        "channel": "contact_centre" if rng.random() < CONTACT_CENTRE_SHARE else "web",
        "language": "nl",
        "manage_token_hash": f"hash-{reference}",
        "meeting_provider": "jitsi",
        "meeting_state": "ready",
        "outcome": _pick(rng, OUTCOMES) if done else None,
        "completed_at": end if done else None,
        "calendar_sequence": 0,
        "feedback_score": _pick(rng, SCORES) if scored else None,
        "feedback_at": end + timedelta(hours=1) if scored else None,
        "is_demo": False,
        "created_at": created,
        "updated_at": created,
    }


def add_leave(
    session: Session, org: int, staff_of: dict[int, list[int]], rng: random.Random
) -> set[tuple[int, date]]:
    """Whole days of leave for random counsellors; the (staff id, day) pairs."""
    days = list(_working_days(YEAR.first, YEAR.last))
    everyone = [staff_id for ids in staff_of.values() for staff_id in ids]
    leave = {(rng.choice(everyone), rng.choice(days)) for _ in range(LEAVE_DAYS)}
    for staff_id, day in sorted(leave):
        start = datetime.combine(day, time(0), TZ)
        session.add(
            AvailabilityException(
                organisation_id=org,
                staff_id=staff_id,
                start_at=start,
                end_at=start + timedelta(days=1),
                reason="leave",
            )
        )
    session.commit()
    return leave


def populate(engine: Engine, appointments: int, seed: int) -> tuple[int, int, int]:
    """Fill an empty migrated database; the organisation id and the rows in and after the year."""
    rng = random.Random(seed)
    with Session(engine, expire_on_commit=False) as session:
        org, services, staff_of, topics = build_world(session)
        leave = add_leave(session, org, staff_of, rng)
        year = candidates(services, staff_of, topics, leave, YEAR.first, YEAR.last)
        if appointments > len(year):
            raise SystemExit(f"only {len(year)} places for {appointments} appointments")
        after = candidates(
            services, staff_of, topics, leave,
            YEAR.last + timedelta(days=1), YEAR.last + timedelta(days=UPCOMING_DAYS),
        )  # fmt: skip
        places = rng.sample(year, appointments)
        places += rng.sample(after, int(len(after) * UPCOMING_SHARE))
        rows = [_row(n, place, services, org, rng) for n, place in enumerate(places)]
        for batch in range(0, len(rows), BATCH):
            session.execute(insert(Appointment), rows[batch : batch + BATCH])
        session.commit()
        if engine.dialect.name == "postgresql":
            # What autovacuum would have done by the time anyone looks at a year of figures.
            session.execute(text("ANALYZE"))
            session.commit()
    return org, appointments, len(places) - appointments


def _backend_seconds(session: Session) -> Callable[[], float | None]:
    """CPU seconds used so far by all PostgreSQL processes, when the server runs on this machine.

    All of them, not only the session's backend: the dashboard runs its large scans side by
    side on connections of their own.
    """
    if session.get_bind().dialect.name != "postgresql":
        return lambda: None
    ticks = os.sysconf("SC_CLK_TCK")

    def used() -> float | None:
        total, found = 0, False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                name, rest = stat.read_text().split(" (", 1)[1].rsplit(")", 1)
            except (OSError, ValueError):
                continue
            if name == "postgres":
                fields = rest.split()
                total += int(fields[11]) + int(fields[12])
                found = True
        return total / ticks if found else None

    return used


def time_dashboard(
    engine: Engine, org: int, service_id: int | None, runs: int
) -> tuple[list[float], list[float], Dashboard]:
    """Wall and CPU milliseconds (app + database) of each timed call, and the figures."""
    with Session(engine) as session:
        figures = dashboard(session, org, YEAR, service_id, NOW)
    timings, cpu = [], []
    for _ in range(runs):
        with Session(engine) as session:
            backend = _backend_seconds(session)
            database_before, app_before = backend(), clock.process_time()
            began = clock.perf_counter()
            dashboard(session, org, YEAR, service_id, NOW)
            timings.append((clock.perf_counter() - began) * 1000)
            app = clock.process_time() - app_before
            database_after = backend()
            if database_before is not None and database_after is not None:
                cpu.append((app + database_after - database_before) * 1000)
    return timings, cpu, figures


def time_reference(engine: Engine, runs: int) -> list[float]:
    """Milliseconds of one plain count of the year's appointments: how fast this machine scans."""
    low = datetime.combine(YEAR.first, time(0), TZ)
    high = datetime.combine(YEAR.last + timedelta(days=1), time(0), TZ)
    statement = (
        select(func.count())
        .select_from(Appointment)
        .where(Appointment.start_at >= low, Appointment.start_at < high)
    )
    timings = []
    for _ in range(runs):
        with Session(engine) as session:
            began = clock.perf_counter()
            session.execute(statement).scalar_one()
            timings.append((clock.perf_counter() - began) * 1000)
    return timings


def _line(name: str, timings: list[float], cpu: list[float], budget: float) -> str:
    """One line of figures: median, spread, the share of the budget, and the CPU used."""
    middle = statistics.median(timings)
    used = f", cpu app+db {statistics.mean(cpu):.0f} ms" if cpu else ""
    return (
        f"{name:<13} median {middle:.1f} ms ({middle / budget:.2f} of the {budget:.0f} ms "
        f"budget), min {min(timings):.1f} ms, max {max(timings):.1f} ms ({len(timings)} runs)"
        f"{used}\n"
    )


def run(url: str, runs: int, appointments: int, seed: int, budget: float) -> None:
    """Migrate, populate and time ``url``; print the figures."""
    run_alembic(url, "downgrade", "base")
    run_alembic(url, "upgrade", "head")
    engine = make_engine(url)
    try:
        began = clock.perf_counter()
        org, in_year, after = populate(engine, appointments, seed)
        built = clock.perf_counter() - began
        everything, everything_cpu, figures = time_dashboard(engine, org, None, runs)
        one, one_cpu, _ = time_dashboard(engine, org, figures.services[0].id, runs)
        reference = time_reference(engine, runs)
    finally:
        engine.dispose()
    top = figures.headline
    sys.stdout.write(
        f"database      {engine.dialect.name}\n"
        f"world         {SERVICES} services, {SERVICES * STAFF_PER_SERVICE} staff, "
        f"{in_year} appointments in {YEAR.first}..{YEAR.last} + {after} after it "
        f"(built in {built:.0f} s)\n"
        f"figures       held {top.held}, booked {top.booked}, cancelled {top.cancelled}, "
        f"no-shows {top.no_shows}, satisfaction {top.satisfaction:.2f} "
        f"({top.satisfaction_answers} answers), {len(figures.held_per_week)} weeks\n"
        + _line("dashboard", everything, everything_cpu, budget)
        + _line("one service", one, one_cpu, budget)
        + f"reference     one SELECT count(*) over the year's appointments: median "
        f"{statistics.median(reference):.1f} ms\n"
        + f"load          {' '.join(f'{value:.1f}' for value in os.getloadavg())} "
        f"(1, 5, 15 min) on {os.cpu_count()} cores\n"
    )


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a THROWAWAY database (it is reset)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--appointments", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20260227)
    parser.add_argument("--budget-ms", type=float, default=300.0)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    options = (args.runs, args.appointments, args.seed, args.budget_ms)
    if args.database_url:
        run(args.database_url, *options)
        return
    with tempfile.TemporaryDirectory(prefix="balie-bench-") as folder:
        run(f"sqlite:///{folder}/bench.db", *options)


if __name__ == "__main__":
    main()
