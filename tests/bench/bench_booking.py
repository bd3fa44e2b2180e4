"""Benchmark of booking.book() under concurrency: throughput of 50 clients, and a 100-client race.

Run it from the project folder (it is not a pytest test):

    .venv/bin/python -m tests.bench.bench_booking
    .venv/bin/python -m tests.bench.bench_booking --database-url postgresql+psycopg://…/throwaway

Without --database-url it builds a SQLite database in a temporary folder. With it, the given
database is RESET (alembic downgrade base, upgrade head) before each part, so point it at a
throwaway one.

Throughput. One service of 20 minutes without buffer, no minimum notice, a 60-day horizon;
50 counsellors on weekdays 08:00-12:00 and 13:00-18:00 (Europe/Brussels), so over a thousand
starts with 50 places each. ``now`` is fixed at Sunday 1 March 2026 12:00 UTC. 50 client
threads, each with its own Session, are released together and each books 20 appointments in
a row through booking.book(), as the wizard would. Two access patterns are measured, each on
a freshly reset database:

* distinct: every client books its own 20 starts (no two clients want the same start), so
  each booking goes to the first counsellor that fair_order() proposes;
* shared: every client books the SAME 20 starts in the same order, so 50 clients fight for
  the 50 places of each start. Everyone should still get a place (there are as many places
  as clients); the database refuses the losers of each counsellor and book() retries with
  the next one. This is the contention case.

After each run one SQL query counts pairs of active appointments of one counsellor whose
busy times overlap ("double bookings", must be 0).

Race. A fresh database with exactly one free place (one counsellor, one 20-minute window on
Monday 2 March 2026); 100 client threads are released by a threading.Barrier and all call
booking.book() for that start. Exactly one appointment must exist afterwards and the other
99 clients must get SlotTaken. Each client hands its connection back to the pool before the
barrier (PostgreSQL allows only 100 connections in all), so at most pool-size clients talk
to the database at the same moment. The script exits with status 1 when the race does not
end with exactly one appointment, or when a double booking is found.

Latency is the wall time of one book() call, pool waits included. "db refusals" counts the
inserts that the database refused and book() retried (its "booking refused" log lines);
"other errors" counts exceptions other than SlotTaken, which are listed by kind with the
slowest such call (a SQLite lock wait gives up after busy_timeout, 15 s).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time as clock
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

# Lets `python tests/bench/bench_booking.py` find the balie and tests packages too.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from balie.db import make_engine
from balie.models import (
    Appointment,
    OpeningHours,
    Organisation,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.services import booking
from balie.services.booking import BookingError, BookingRequest, SlotTaken
from balie.services.meetings.jitsi import JitsiProvider
from balie.services.slots import free_slots
from balie.services.validation import CitizenDetails
from tests.conftest import run_alembic

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WINDOWS = ((time(8, 0), time(12, 0)), (time(13, 0), time(18, 0)))
APPOINTMENT_MINUTES = 20
HORIZON_DAYS = 60
STAFF = 50
# Monday 2 March 2026, 09:00 in Ghent (winter time) is 08:00 UTC: the race's only place.
RACE_DAY = date(2026, 3, 2)
RACE_WINDOW = (time(9, 0), time(9, 20))
RACE_START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SECRET = "bench-secret"
PROVIDER = JitsiProvider("https://meet.jit.si")
# Pool for the client threads: the brief's PostgreSQL sizing, used for SQLite as well.
POOL_SIZE, MAX_OVERFLOW = 60, 10
PATTERNS = ("distinct", "shared")
DOUBLE_BOOKINGS_SQL = text(
    "SELECT count(*) FROM appointment AS a JOIN appointment AS b "
    "ON a.staff_id = b.staff_id AND a.id < b.id "
    "WHERE a.status <> 'cancelled' AND b.status <> 'cancelled' "
    "AND a.start_at < b.busy_until AND b.start_at < a.busy_until"
)


@dataclass
class Outcome:
    """What the client threads of one run experienced."""

    booked: int = 0
    taken: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    wall_s: float = 0.0
    refusals: int = 0

    @property
    def error_count(self) -> int:
        """How many calls ended in an error other than SlotTaken."""
        return sum(len(latencies) for latencies in self.errors.values())

    def add(self, other: Outcome) -> None:
        """Fold one client's outcome into this one."""
        self.booked += other.booked
        self.taken += other.taken
        self.latencies_ms.extend(other.latencies_ms)
        for kind, latencies in other.errors.items():
            self.errors[kind].extend(latencies)


class _RefusalCounter(logging.Handler):
    """Counts booking.py's "booking refused by the database" log records."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Count one refused insert (the handler's lock serialises the threads)."""
        if record.msg.startswith("booking refused"):
            self.count += 1


@contextmanager
def counting_refusals() -> Iterator[_RefusalCounter]:
    """A counter of the inserts the database refuses while the block runs."""
    logger = logging.getLogger(booking.__name__)
    counter, level = _RefusalCounter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.INFO)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


def make_bench_engine(url: str) -> Engine:
    """An engine with room in its pool for the client threads."""
    return make_engine(url, pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW)


def reset(url: str) -> None:
    """Give ``url`` an empty, freshly migrated schema."""
    run_alembic(url, "downgrade", "base")
    run_alembic(url, "upgrade", "head")


def _add_service(session: Session, organisation: Organisation) -> Service:
    """The benchmarked service: 20 minutes, no buffer, no notice, 60-day horizon."""
    service = Service(
        organisation_id=organisation.id,
        slug="bench",
        name={"nl": "Bench"},
        description={"nl": "Bench"},
        live_from=date(2025, 1, 1),
        appointment_minutes=APPOINTMENT_MINUTES,
        buffer_minutes=0,
        min_notice_minutes=0,
        horizon_days=HORIZON_DAYS,
    )
    session.add(service)
    session.flush()
    session.add(
        Topic(service_id=service.id, slug="t", name={"nl": "T"}, channel_reason={}, preparation={})
    )
    return service


def _add_staff(session: Session, organisation: Organisation, service: Service, number: int) -> int:
    """One counsellor who serves ``service``; returns the id."""
    staff = StaffMember(
        organisation_id=organisation.id,
        display_name=f"Counsellor {number}",
        email=f"c{number}@bench.invalid",
    )
    session.add(staff)
    session.flush()
    session.add(StaffService(staff_id=staff.id, service_id=service.id))
    return staff.id


def build_world(engine: Engine, hours: Callable[[int, int], list[OpeningHours]], staff: int) -> int:
    """An organisation, the service and ``staff`` counsellors with ``hours``; returns org id."""
    with Session(engine, expire_on_commit=False) as session:
        organisation = Organisation(slug="bench", name="Benchstad", time_zone="Europe/Brussels")
        session.add(organisation)
        session.flush()
        service = _add_service(session, organisation)
        for number in range(staff):
            staff_id = _add_staff(session, organisation, service, number)
            session.add_all(hours(staff_id, service.id))
        session.commit()
        return organisation.id


def weekday_hours(staff_id: int, service_id: int) -> list[OpeningHours]:
    """Monday to Friday, 08:00-12:00 and 13:00-18:00."""
    return [
        OpeningHours(
            staff_id=staff_id, service_id=service_id, weekday=day, start_time=start, end_time=end
        )
        for day in range(5)
        for start, end in WINDOWS
    ]


def race_hours(staff_id: int, service_id: int) -> list[OpeningHours]:
    """One 20-minute window on one day: a single place."""
    return [
        OpeningHours(
            staff_id=staff_id,
            service_id=service_id,
            weekday=RACE_DAY.weekday(),
            start_time=RACE_WINDOW[0],
            end_time=RACE_WINDOW[1],
            valid_from=RACE_DAY,
            valid_until=RACE_DAY,
        )
    ]


def offered_slots(engine: Engine) -> list[tuple[datetime, int]]:
    """(start, capacity) of every free slot of the service within its horizon."""
    with Session(engine) as session:
        service = session.scalars(select(Service)).one()
        last_day = NOW.date() + timedelta(days=HORIZON_DAYS)
        slots = free_slots(session, service, NOW.date(), last_day, NOW)
    return [(slot.start, slot.capacity) for slot in slots]


def citizen(client: int, number: int) -> CitizenDetails:
    """Valid details of one client's citizen."""
    return CitizenDetails(
        f"Burger {client}-{number}", f"burger{client}.{number}@example.be", None, "nl", None, True
    )


def _describe(error: Exception) -> str:
    """Type and first line of an error, enough to tell kinds apart."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__module__}.{type(error).__name__}: {first_line}"


def _book_once(session: Session, organisation: Organisation, request: BookingRequest) -> str:
    """Book one request; "booked", "taken" or a description of the unexpected error."""
    try:
        booking.book(
            session, organisation, request, meeting_provider="jitsi", secret_key=SECRET, now=NOW
        )
    except SlotTaken:
        return "taken"
    except (SQLAlchemyError, BookingError) as error:
        session.rollback()
        return _describe(error)
    return "booked"


def client(
    engine: Engine,
    organisation_id: int,
    index: int,
    starts: list[datetime],
    barrier: threading.Barrier,
) -> Outcome:
    """One client thread: wait for the start signal, then book ``starts`` one after another."""
    outcome = Outcome()
    with Session(engine, expire_on_commit=False) as session:
        organisation = session.get(Organisation, organisation_id)
        session.commit()  # back to the pool: only book() holds a connection
        barrier.wait()
        for number, start in enumerate(starts):
            request = BookingRequest("bench", "t", start, citizen(index, number))
            began = clock.perf_counter()
            result = _book_once(session, organisation, request)
            elapsed_ms = (clock.perf_counter() - began) * 1000
            outcome.latencies_ms.append(elapsed_ms)
            if result == "booked":
                outcome.booked += 1
            elif result == "taken":
                outcome.taken += 1
            else:
                outcome.errors[result].append(elapsed_ms)
    return outcome


def _collect(futures: list[Future[Outcome]]) -> Outcome:
    """The combined outcome of the clients; a crashed client counts as an error."""
    total = Outcome()
    for future in futures:
        error = future.exception()
        if error is None:
            total.add(future.result())
        else:
            total.errors[f"client crashed: {_describe(error)}"].append(0.0)
    return total


def run_clients(engine: Engine, organisation_id: int, plans: list[list[datetime]]) -> Outcome:
    """Release one thread per plan at once; time them until the last one is done."""
    barrier = threading.Barrier(len(plans) + 1)
    with counting_refusals() as refusals, ThreadPoolExecutor(max_workers=len(plans)) as pool:
        futures = [
            pool.submit(client, engine, organisation_id, index, plan, barrier)
            for index, plan in enumerate(plans)
        ]
        barrier.wait()
        began = clock.perf_counter()
        for future in futures:
            future.exception()
        wall_s = clock.perf_counter() - began
    outcome = _collect(futures)
    outcome.wall_s, outcome.refusals = wall_s, refusals.count
    return outcome


def plans_for(
    pattern: str, starts: list[datetime], clients: int, per_client: int
) -> list[list[datetime]]:
    """Each client's starts: its own ones (distinct) or the same ones for all (shared)."""
    if pattern == "shared":
        return [starts[:per_client] for _ in range(clients)]
    return [starts[number * per_client : (number + 1) * per_client] for number in range(clients)]


def double_bookings(engine: Engine) -> int:
    """Pairs of active appointments of one counsellor whose busy times overlap."""
    with engine.connect() as connection:
        return connection.execute(DOUBLE_BOOKINGS_SQL).scalar_one()


def stored_appointments(engine: Engine, start: datetime | None = None) -> int:
    """Appointments in the database (at ``start`` only, when given)."""
    query = select(func.count()).select_from(Appointment)
    if start is not None:
        query = query.where(Appointment.start_at == start)
    with Session(engine) as session:
        return session.scalar(query)


@dataclass(frozen=True)
class ThroughputRow:
    """One line of the throughput table."""

    pattern: str
    outcome: Outcome
    stored: int
    double: int
    expected_taken: int


def throughput(url: str, pattern: str, clients: int, per_client: int) -> ThroughputRow:
    """Reset the database, build the 50-counsellor world and run one access pattern."""
    reset(url)
    engine = make_bench_engine(url)
    try:
        organisation_id = build_world(engine, weekday_hours, STAFF)
        slots = offered_slots(engine)
        wanted = clients * per_client if pattern == "distinct" else per_client
        if len(slots) < wanted:
            raise SystemExit(f"only {len(slots)} free starts, {pattern} needs {wanted}")
        plans = plans_for(pattern, [start for start, _ in slots], clients, per_client)
        outcome = run_clients(engine, organisation_id, plans)
        stored, double = stored_appointments(engine), double_bookings(engine)
    finally:
        engine.dispose()
    expected = max(0, clients - STAFF) * per_client if pattern == "shared" else 0
    return ThroughputRow(pattern, outcome, stored, double, expected)


@dataclass(frozen=True)
class RaceResult:
    """What 100 clients racing for one place left behind."""

    clients: int
    offered: list[tuple[datetime, int]]
    outcome: Outcome
    at_start: int
    stored: int


def race(url: str, clients: int) -> RaceResult:
    """Reset the database to one free place and let ``clients`` threads book it at once."""
    reset(url)
    engine = make_bench_engine(url)
    try:
        organisation_id = build_world(engine, race_hours, 1)
        offered = offered_slots(engine)
        outcome = run_clients(engine, organisation_id, [[RACE_START] for _ in range(clients)])
        at_start, stored = stored_appointments(engine, RACE_START), stored_appointments(engine)
    finally:
        engine.dispose()
    return RaceResult(clients, offered, outcome, at_start, stored)


def _p90(values: list[float]) -> float:
    """The 90th percentile (the median of one value is that value)."""
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def throughput_table(rows: list[ThroughputRow], clients: int, per_client: int) -> str:
    """The throughput figures as a small table."""
    lines = [
        f"throughput: {clients} clients x {per_client} bookings, {STAFF} counsellors, "
        f"{APPOINTMENT_MINUTES}-minute slots",
        f"{'pattern':<9} {'booked':>6} {'stored':>6} {'wall s':>7} {'per s':>7} "
        f"{'median ms':>9} {'p90 ms':>8} {'max ms':>8} {'SlotTaken':>9} {'refusals':>8} "
        f"{'errors':>6} {'double':>6}",
    ]
    for row in rows:
        out = row.outcome
        rate = out.booked / out.wall_s if out.wall_s else 0.0
        lines.append(
            f"{row.pattern:<9} {out.booked:>6} {row.stored:>6} {out.wall_s:>7.2f} {rate:>7.1f} "
            f"{statistics.median(out.latencies_ms):>9.1f} {_p90(out.latencies_ms):>8.1f} "
            f"{max(out.latencies_ms):>8.1f} {out.taken:>9} {out.refusals:>8} "
            f"{out.error_count:>6} {row.double:>6}"
        )
    lines.append(f"double bookings: {sum(row.double for row in rows)}")
    for row in rows:
        if row.outcome.taken != row.expected_taken:
            lines.append(
                f"NOTE {row.pattern}: {row.outcome.taken} SlotTaken, {row.expected_taken} expected"
            )
        lines.extend(_error_lines(row.pattern, row.outcome))
    return "\n".join(lines)


def _error_lines(label: str, outcome: Outcome) -> list[str]:
    """One line per kind of unexpected error."""
    return [
        f"ERROR {label}: {len(latencies)} x {kind} (slowest call {max(latencies):.0f} ms)"
        for kind, latencies in sorted(outcome.errors.items(), key=lambda item: -len(item[1]))
    ]


def race_table(result: RaceResult) -> str:
    """The race figures as a small table."""
    out = result.outcome
    offered = ", ".join(f"{start:%Y-%m-%d %H:%M} UTC x{cap}" for start, cap in result.offered)
    lines = [
        f"race: {result.clients} clients, one place offered ({offered})",
        f"  appointments at that start  {result.at_start}  (must be 1; {result.stored} in all)",
        f"  clients booked              {out.booked}",
        f"  clients got SlotTaken       {out.taken}  (expected {result.clients - 1})",
        f"  other errors                {out.error_count}",
        f"  refusals (retried inserts)  {out.refusals}",
        f"  wall time                   {out.wall_s * 1000:.0f} ms",
        f"  latency per call            median {statistics.median(out.latencies_ms):.1f} ms, "
        f"p90 {_p90(out.latencies_ms):.1f} ms, max {max(out.latencies_ms):.1f} ms",
    ]
    lines.extend(_error_lines("race", out))
    return "\n".join(lines)


def run(url: str, clients: int, per_client: int, race_clients: int, patterns: list[str]) -> int:
    """Both parts against ``url``; the exit status (1 when a rule was broken)."""
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    sys.stdout.write(f"== booking benchmark on {dialect}\n")
    rows = [throughput(url, pattern, clients, per_client) for pattern in patterns]
    sys.stdout.write(throughput_table(rows, clients, per_client) + "\n")
    result = race(url, race_clients)
    sys.stdout.write(race_table(result) + "\n")
    failed = result.at_start != 1 or any(row.double for row in rows)
    if failed:
        sys.stdout.write("FAILED: a double booking, or the race did not end with one appointment\n")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a THROWAWAY database (it is reset)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--bookings", type=int, default=20, help="per client")
    parser.add_argument("--race-clients", type=int, default=100)
    parser.add_argument("--pattern", choices=[*PATTERNS, "both"], default="both")
    args = parser.parse_args(argv)
    patterns = list(PATTERNS) if args.pattern == "both" else [args.pattern]
    options = (args.clients, args.bookings, args.race_clients, patterns)
    if args.database_url:
        sys.exit(run(args.database_url, *options))
    with tempfile.TemporaryDirectory(prefix="balie-bench-") as folder:
        status = run(f"sqlite:///{folder}/bench.db", *options)
    sys.exit(status)


if __name__ == "__main__":
    main()
