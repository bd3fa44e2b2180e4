"""``make loadtest``: start the app, load it through the API and the wizard, measure, check.

Not a test: it prints figures and fails (exit 1) only on a double booking, a 201 without its
row, or an app that does not start. Bounded in time and count. It runs, for each set-up asked:

1. a fresh database (SQLite file, or a throwaway PostgreSQL database that is dropped after),
   migrated and filled with the demo data;
2. ``reflex run --env prod`` on a loopback port (backend only by default: the load never asks
   for the compiled pages; ``--frontend`` serves them too, with ``--single-port``);
3. locust, headless, for the API mix (services → slots for 14 days → book → read), or with
   ``--rate`` the same mix in an open loop (tests/load/open_loop.py);
4. the socket.io wizard client (tests/load/wizard.py);
5. CPU time of every server process (the app's process tree, the PostgreSQL backends of the
   load test's database, Redis) before and after each part, and the app's RSS;
6. the database check: no overlapping active appointments per staff member, and every 201
   (API) and every confirmation (wizard) has its row.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import resource
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import and_, create_engine, func, make_url, or_, select, text

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
DATA = ROOT / "data"
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
DOUBLE_BOOKINGS_SQL = text(
    "SELECT count(*) FROM appointment AS a JOIN appointment AS b "
    "ON a.staff_id = b.staff_id AND a.id < b.id "
    "WHERE a.status <> 'cancelled' AND b.status <> 'cancelled' "
    "AND a.start_at < b.busy_until AND b.start_at < a.busy_until"
)


def say(line: str = "") -> None:
    """Print a line at once (the runs are long)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# --- processes -------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds, RSS bytes) of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICKS
    return int(fields[1]), cpu, int(fields[21]) * PAGE


def _tree(root: int) -> list[int]:
    """``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[0], []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _pids_named(name: str) -> list[int]:
    """Processes whose command is ``name``."""
    pids = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == name:
                pids.append(int(entry.name))
    return pids


@dataclass
class Snapshot:
    """CPU seconds per process of each group, the app's RSS and that of its child processes."""

    cpu: dict[str, dict[int, float]]
    app_rss: int
    worker_rss: list[int]
    machine: float = 0.0  # busy CPU seconds of all cores (_machine_busy)
    generator: float = 0.0  # CPU seconds of the load test and its finished load generators


def _machine_busy() -> float:
    """CPU seconds all cores were busy since boot (/proc/stat): every process, also those that
    ended meanwhile (a database connection closed during the run takes its CPU time along)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(value) for value in fields)
    return (user + nice + system + irq + softirq + steal) / TICKS


def _generator_cpu() -> float:
    """CPU seconds of this process and of the children it has waited for (locust, the wizard
    client): the load generators, which share the machine with the app."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Server:
    """The app under load, and the processes whose CPU counts."""

    def __init__(self, args: argparse.Namespace, env: dict[str, str], database: str) -> None:
        """Remember how to start it."""
        self.args, self.env, self.database = args, env, database
        self.process: subprocess.Popen | None = None
        self.log = DATA / f"loadtest-server-{args.port}.log"

    def start(self) -> None:
        """Start ``reflex run --env prod`` and wait until /api/healthz answers."""
        port = str(self.args.port)
        command = [str(BIN / "reflex"), "run", "--env", "prod", "--loglevel", "warning"]
        if self.args.frontend:
            command += ["--single-port", "--backend-port", port, "--frontend-port", port]
        else:
            command += ["--backend-only", "--backend-port", port]
        say(f"starting: {' '.join(command)}")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + self.args.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app stopped at start; see {self.log}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/api/healthz", timeout=2) as answer,
            ):
                if answer.status == 200:
                    return
            time.sleep(1)
        raise RuntimeError(f"the app did not answer within {self.args.start_timeout} s")

    @property
    def url(self) -> str:
        """Where the app listens."""
        return f"http://127.0.0.1:{self.args.port}"

    def stop(self) -> None:
        """Stop the app's process group."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def _database_pids(self) -> list[int]:
        """PostgreSQL backends connected to the load test's database."""
        if not self.database:
            return []
        with psycopg.connect(self.args.pg_admin_url, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)
            ).fetchall()
        return [pid for (pid,) in rows]

    def snapshot(self) -> Snapshot:
        """CPU of the app's processes, of PostgreSQL (this database) and of Redis; the RSS."""
        app = {pid: stat for pid in _tree(self.process.pid) if (stat := _stat(pid))}
        groups = {
            "app": {pid: stat[1] for pid, stat in app.items()},
            "postgresql": {pid: stat[1] for pid in self._database_pids() if (stat := _stat(pid))},
            "redis": {
                pid: stat[1]
                for pid in (_pids_named("redis-server") if self.args.redis else [])
                if (stat := _stat(pid))
            },
        }
        workers = [stat[2] for pid, stat in app.items() if pid != self.process.pid]
        total_rss = sum(stat[2] for stat in app.values())
        return Snapshot(groups, total_rss, workers, _machine_busy(), _generator_cpu())


def cpu_used(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """CPU seconds per group between two snapshots (a process born meanwhile counts from 0)."""
    used = {}
    for group, processes in after.cpu.items():
        earlier = before.cpu.get(group, {})
        used[group] = sum(cpu - earlier.get(pid, 0.0) for pid, cpu in processes.items())
    return used


def _mib(size: int) -> str:
    """Bytes as MiB."""
    return f"{size / 2**20:.0f} MiB"


def report_resources(label: str, before: Snapshot, after: Snapshot, bookings: int) -> dict:
    """Print CPU per booking and RSS before/after; return them."""
    used = cpu_used(before, after)
    total = sum(used.values())
    per = 1000 * total / bookings if bookings else float("nan")
    parts = ", ".join(f"{group} {seconds:.1f} s" for group, seconds in used.items())
    say(f"{label}: server CPU {total:.1f} s ({parts}) = {per:.1f} ms per booking")
    machine = (after.machine - before.machine) - (after.generator - before.generator)
    machine_per = 1000 * machine / bookings if bookings else float("nan")
    say(
        f"{label}: whole machine without the load generator {machine:.1f} s = {machine_per:.1f} ms "
        "per booking (also processes that ended meanwhile, and anything else running)"
    )
    say(
        f"{label}: app RSS {_mib(before.app_rss)} -> {_mib(after.app_rss)}; workers "
        f"{[_mib(rss) for rss in before.worker_rss]} -> {[_mib(rss) for rss in after.worker_rss]}"
    )
    return {
        "cpu_seconds": used,
        "cpu_ms_per_booking": per,
        "machine_cpu_ms_per_booking": machine_per,
        "rss_before": before.app_rss,
        "rss_after": after.app_rss,
        "worker_rss_after": after.worker_rss,
    }


# --- the loads -------------------------------------------------------------------------------


def run_api(args: argparse.Namespace, server: Server) -> tuple[int, set[str], dict]:
    """Locust, headless (open loop: tests/load/open_loop.py); the 201s, their references and
    the figures."""
    prefix = DATA / f"loadtest-api-{args.port}"
    booked_file = DATA / f"loadtest-booked-{args.port}.txt"
    booked_file.unlink(missing_ok=True)
    if args.rate:
        figures = _open_loop(args, server, booked_file, Path(f"{prefix}.json"))
    else:
        figures = _closed_loop(args, server, booked_file, prefix)
    references = set(booked_file.read_text().split()) if booked_file.exists() else set()
    booked = len(references)
    say(f"API: {booked} bookings (201) = {booked / args.seconds:.1f} bookings/s")
    return booked, references, figures


def _open_loop(args: argparse.Namespace, server: Server, booked: Path, result: Path) -> dict:
    """``--rate`` mixes per second from one asyncio client; its figures."""
    say(f"== API mix: open loop {args.rate}/s, {args.seconds} s (tests/load/open_loop.py)")
    command = [
        str(BIN / "python"),
        "-m",
        "tests.load.open_loop",
        "--url",
        server.url,
        "--rate",
        str(args.rate),
        "--seconds",
        str(args.seconds),
        "--booked",
        str(booked),
        "--json",
        str(result),
    ]
    subprocess.run(command, cwd=ROOT, check=False)
    figures = json.loads(result.read_text()) if result.exists() else {}
    _print_figures(figures)
    return figures


def _closed_loop(args: argparse.Namespace, server: Server, booked: Path, prefix: Path) -> dict:
    """``--users`` locust users, each doing mixes one after the other; their figures."""
    env = {**os.environ, "LOADTEST_BOOKED": str(booked)}
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "tests/load/locustfile.py"),
        "--headless",
        "--only-summary",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.users),
        "--run-time",
        f"{args.seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        server.url,
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
    ]
    say(f"== API mix: {args.users} clients, {args.seconds} s, closed loop")
    subprocess.run(command, cwd=ROOT, env=env, check=False)
    figures = _locust_figures(Path(f"{prefix}_stats.csv"), args.seconds)
    _print_figures(figures)
    if figures.get("mix: no free time left", {}).get("count"):
        say("NOTE: the free times of the demo data ran out: bookings/s is capped by them.")
        say("      Run fewer --seconds for a throughput figure.")
    return figures


def _locust_figures(stats: Path, seconds: float) -> dict:
    """Per endpoint: count, failures, requests/s, p50/p95/p99 (ms), from locust's CSV."""
    figures = {}
    with stats.open() as source:
        for row in csv.DictReader(source):
            count = int(row["Request Count"])
            figures[row["Name"]] = {
                "count": count,
                "failures": int(row["Failure Count"]),
                "rps": count / seconds,
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "p99": float(row["99%"] or 0),
            }
    return figures


def _print_figures(figures: dict) -> None:
    """The per-endpoint table."""
    say(f"{'endpoint':<22}{'count':>7}{'fail':>6}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}")
    for name, f in figures.items():
        say(
            f"{name:<22}{f['count']:>7}{f['failures']:>6}{f['rps']:>8.1f}"
            f"{f['p50']:>7.0f}{f['p95']:>7.0f}{f['p99']:>7.0f}"
        )


def run_wizard(args: argparse.Namespace, server: Server) -> tuple[int, set[str], dict]:
    """The socket.io wizard client; returns bookings, their references and the figures."""
    booked_file = DATA / f"loadtest-wizard-booked-{args.port}.txt"
    figures_file = DATA / f"loadtest-wizard-{args.port}.json"
    say(
        f"== wizard: {args.citizens} citizens at once, at most {args.sessions} sessions "
        f"started within {args.wizard_seconds} s, think time {args.think} s per step"
    )
    command = [
        str(BIN / "python"),
        "-m",
        "tests.load.wizard",
        "--url",
        server.url,
        "--citizens",
        str(args.citizens),
        "--sessions",
        str(args.sessions),
        "--seconds",
        str(args.wizard_seconds),
        "--booked",
        str(booked_file),
        "--json",
        str(figures_file),
        "--think",
        str(args.think),
    ]
    subprocess.run(command, cwd=ROOT, check=False)
    references = set(booked_file.read_text().split()) if booked_file.exists() else set()
    figures = json.loads(figures_file.read_text()) if figures_file.exists() else {}
    return len(references), references, figures


# --- the database ----------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """A migrated database with the demo data: (SQLAlchemy URL, PostgreSQL name or "")."""
    DATA.mkdir(exist_ok=True)
    if args.database == "sqlite":
        path = DATA / f"loadtest-{args.port}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url, name = f"sqlite:///{path}", ""
    else:
        name = args.pg_database or f"balie_loadtest_{os.getpid()}"
        admin = args.pg_admin_url
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        url = (
            make_url(admin)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )
    env = {**os.environ, "BALIE_DATABASE_URL": url}
    try:
        subprocess.run([str(BIN / "alembic"), "upgrade", "head"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [str(BIN / "python"), "-m", "balie.seed"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        yield url, name
    finally:
        if name and not args.keep_database:
            with psycopg.connect(args.pg_admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _due_jobs(now: datetime) -> Any:
    """Count the jobs running or due at ``now`` (later ones, such as reminders, wait)."""
    from balie.models import Job, JobState  # the app's own column types (UTC on SQLite too)

    due = and_(Job.state == JobState.PENDING, Job.run_after <= now)
    return select(func.count()).select_from(Job).where(or_(Job.state == JobState.RUNNING, due))


def wait_for_jobs(url: str, limit: float) -> tuple[float, int]:
    """Wait until the background jobs due now (the bookings' e-mails and meetings) are done, at
    most ``limit`` s, so the CPU measured afterwards includes them; the wait and what is left."""
    engine = create_engine(url)
    began = time.monotonic()
    try:
        while True:
            with engine.connect() as connection:
                left = connection.execute(_due_jobs(datetime.now(UTC))).scalar_one()
            if not left or time.monotonic() - began >= limit:
                return time.monotonic() - began, left
            time.sleep(0.5)
    finally:
        engine.dispose()


def measured_until_jobs_done(args: argparse.Namespace, server: Server, url: str) -> Snapshot:
    """The snapshot taken once the jobs of the part just run are done (or ``--drain`` passed)."""
    waited, left = wait_for_jobs(url, args.drain)
    say(
        f"background jobs: done {waited:.1f} s after the load"
        if not left
        else f"background jobs: {left} still due after {waited:.0f} s (not in the CPU figure)"
    )
    return server.snapshot()


def check_database(url: str, references: set[str]) -> bool:
    """No overlap per staff member, and every confirmed booking has its row."""
    engine = create_engine(url)
    with engine.connect() as connection:
        double = connection.execute(DOUBLE_BOOKINGS_SQL).scalar_one()
        stored = {
            reference
            for (reference,) in connection.execute(text("SELECT reference FROM appointment"))
        }
    engine.dispose()
    missing = references - stored
    say(
        f"database check: {double} overlapping pairs, {len(references)} confirmed bookings, "
        f"{len(missing)} without their row"
    )
    return double == 0 and not missing


# --- main ------------------------------------------------------------------------------------


def run_setup(args: argparse.Namespace) -> tuple[bool, dict]:
    """One set-up: fresh database, app, the loads, the check."""
    with fresh_database(args) as (url, name):
        env = {
            **os.environ,
            "BALIE_DATABASE_URL": url,
            "BALIE_PUBLIC_BASE_URL": f"http://127.0.0.1:{args.port}",
            "REFLEX_API_URL": f"http://127.0.0.1:{args.port}",
            "BALIE_OUTBOX_DIR": str(DATA / f"loadtest-outbox-{args.port}"),
            # Every simulated citizen comes from 127.0.0.1 and solves no puzzle: this measures
            # what a booking costs, not the abuse protection (which would rightly refuse it).
            "BALIE_PROOF_OF_WORK": "false",
            "BALIE_BOOKINGS_PER_ADDRESS_PER_HOUR": "10000000",
            "BALIE_BOOKINGS_PER_EMAIL_PER_HOUR": "10000000",
            "BALIE_BOOKINGS_PER_PHONE_PER_HOUR": "10000000",
            "BALIE_ACTIVE_BOOKINGS_PER_SERVICE": "10000000",
            "BALIE_ACTIVE_BOOKINGS_TOTAL": "10000000",
        }
        env.pop("BALIE_REDIS_URL", None)
        if args.redis:
            env["BALIE_REDIS_URL"] = args.redis
        if args.workers:
            env["GRANIAN_WORKERS"] = env["REFLEX_GUNICORN_WORKERS"] = str(args.workers)
        server = Server(args, env, name)
        result: dict = {"database": args.database, "redis": bool(args.redis)}
        references: set[str] = set()
        try:
            server.start()
            time.sleep(2)  # let the start-up work (first jobs round) settle
            if args.users:
                before = server.snapshot()
                booked, refs, result["api"] = run_api(args, server)
                after = measured_until_jobs_done(args, server, url)
                result["api_resources"] = report_resources("API", before, after, booked)
                references |= refs
            if args.citizens and args.sessions:
                before = server.snapshot()
                booked, refs, result["wizard"] = run_wizard(args, server)
                after = measured_until_jobs_done(args, server, url)
                result["wizard_resources"] = report_resources("wizard", before, after, booked)
                references |= refs
        finally:
            server.stop()
        ok = check_database(url, references)
    return ok, result


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, print; exit 1 on a correctness failure."""
    parser = argparse.ArgumentParser(description="Load test of Digitale Balie (not a test).")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get(
            "BALIE_LOADTEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--pg-database", default="", help="throwaway database name (dropped)")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--redis", default="", help="Redis URL for Reflex state (e.g. …/15)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="app workers (default with Redis: one per core, as deploy/ runs it; without Redis "
        "one; 0: Reflex's own default)",
    )

    parser.add_argument("--port", type=int, default=8600)
    parser.add_argument("--frontend", action="store_true", help="serve the pages too")
    parser.add_argument("--start-timeout", type=float, default=600)
    parser.add_argument("--users", type=int, default=10, help="API clients (0: no API load)")
    parser.add_argument("--seconds", type=int, default=25, help="API load duration")
    parser.add_argument(
        "--rate", type=float, default=0, help="open loop: API mixes per second (not locust)"
    )
    parser.add_argument("--citizens", type=int, default=10, help="wizard citizens at once")
    parser.add_argument("--sessions", type=int, default=300, help="wizard sessions at most")
    parser.add_argument("--wizard-seconds", type=float, default=25)
    parser.add_argument(
        "--think", type=float, default=0, help="wizard: seconds a citizen reads before each step"
    )
    parser.add_argument(
        "--drain",
        type=float,
        default=120,
        help="after each part, wait at most this long for its e-mails and meetings to be sent "
        "before measuring CPU (they are part of a booking's cost)",
    )
    parser.add_argument("--json", default="", help="also write the figures here")
    args = parser.parse_args(argv)
    if args.workers is None:  # state in the process without Redis: one worker only
        args.workers = (os.cpu_count() or 1) if args.redis else 0
    say(f"load average before: {Path('/proc/loadavg').read_text().strip()}")
    ok, result = run_setup(args)
    say(f"load average after: {Path('/proc/loadavg').read_text().strip()}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    say("OK" if ok else "FAILED: double booking or a confirmed booking without its row")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
