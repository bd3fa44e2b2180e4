"""CPU time per booking through the API, in one process, without a server: robust to a busy machine.

    .venv/bin/python -m tests.load.cpu_per_booking [--database-url URL] [--mixes 200]

Runs the API mix (services → slots for 14 days → book → read) ``--mixes`` times one after the
other through Starlette's test client, then runs the background jobs the bookings queued (the
e-mails) until none is due, and prints the CPU time of this process (all its threads) and of the
database's PostgreSQL backends per booking, and the wall time per request. Wall time suffers
from other work on the machine; CPU time much less, which makes it the figure to compare old and
new code with on a shared machine. Without --database-url it uses a fresh SQLite file; a
PostgreSQL database given is migrated and filled (point it at a throwaway one).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[2]


def _backend_cpu(url: str) -> float:
    """CPU seconds of the PostgreSQL backends connected to the database of ``url``."""
    if not url.startswith("postgresql"):
        return 0.0
    import psycopg
    from sqlalchemy import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        pids = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (parsed.database,)
        ).fetchall()
    total = 0.0
    for (pid,) in pids:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def main(argv: list[str] | None = None) -> int:
    """Prepare the database, run the mixes, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--mixes", type=int, default=200)
    parser.add_argument("--warm-up", type=int, default=20)
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="balie-cpu-"))
    url = args.database_url or f"sqlite:///{scratch / 'cpu.db'}"
    env = {
        **os.environ,
        "BALIE_DATABASE_URL": url,
        "BALIE_OUTBOX_DIR": str(scratch / "out"),
        # One address, one e-mail, no puzzle: measure what a booking costs, not the abuse limits.
        "BALIE_PROOF_OF_WORK": "false",
        "BALIE_BOOKINGS_PER_ADDRESS_PER_HOUR": "10000000",
        "BALIE_BOOKINGS_PER_EMAIL_PER_HOUR": "10000000",
        "BALIE_BOOKINGS_PER_PHONE_PER_HOUR": "10000000",
        "BALIE_ACTIVE_BOOKINGS_PER_SERVICE": "10000000",
        "BALIE_ACTIVE_BOOKINGS_TOTAL": "10000000",
    }
    os.environ.update(env)
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [sys.executable, "-m", "balie.seed"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    from starlette.testclient import TestClient

    from balie import db
    from balie.api import api
    from balie.services import jobs
    from balie.worker import job_context

    random.seed(7)
    walls: dict[str, list[float]] = {}

    def timed(name: str, call):
        began = time.perf_counter()
        answer = call()
        walls.setdefault(name, []).append(time.perf_counter() - began)
        return answer

    def mix(client: TestClient) -> bool:
        services = timed("GET services", lambda: client.get("/api/v1/services")).json()
        pairs = [
            (s["slug"], t["slug"])
            for s in services["services"]
            for t in s["topics"]
            if t["channel"] == "video"
        ]
        service, topic = random.choice(pairs)
        first = date.today()
        query = {"from": str(first), "to": str(first + timedelta(days=13))}
        slots = timed(
            "GET slots", lambda: client.get(f"/api/v1/services/{service}/slots", params=query)
        ).json()["slots"]
        if not slots:
            return False
        body = {
            "service": service,
            "topic": topic,
            "start": random.choice(slots)["start"],
            "name": "Load Test",
            "email": "cpu@example.org",
            "consent": True,
        }
        answer = timed("POST booking", lambda: client.post("/api/v1/appointments", json=body))
        if answer.status_code != 201:
            return False
        reference = answer.json()["reference"]
        token = parse_qs(urlsplit(answer.json()["manage_url"]).query)["token"][0]
        headers = {"Authorization": f"Bearer {token}"}
        timed(
            "GET appointment",
            lambda: client.get(f"/api/v1/appointments/{reference}", headers=headers),
        )
        return True

    with TestClient(api, base_url="http://localhost") as client:
        for _ in range(args.warm_up):
            mix(client)
        walls.clear()
        context = job_context()
        jobs.run_due_jobs(db.session_scope, context, limit=10_000)
        cpu_before, pg_before = time.process_time(), _backend_cpu(url)
        booked = sum(mix(client) for _ in range(args.mixes))
        cpu_requests = time.process_time() - cpu_before
        while jobs.run_due_jobs(db.session_scope, context, limit=100):
            pass  # the e-mails the worker would send
        cpu, pg = time.process_time() - cpu_before, _backend_cpu(url) - pg_before
    load = Path("/proc/loadavg").read_text().split()[:3]
    sys.stdout.write(
        f"{booked} bookings: app CPU {1000 * cpu / booked:.1f} ms + PostgreSQL "
        f"{1000 * pg / booked:.1f} ms per booking (e-mails included); load {' '.join(load)}\n"
        f"  of which requests {1000 * cpu_requests / booked:.1f} ms, "
        f"jobs (e-mail) {1000 * (cpu - cpu_requests) / booked:.1f} ms\n"
    )
    for name, values in walls.items():
        values.sort()
        p50 = 1000 * values[len(values) // 2]
        sys.stdout.write(f"  {name:<16} wall p50 {p50:.1f} ms ({len(values)} requests)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
