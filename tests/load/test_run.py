"""The load test's wait for the bookings' background jobs (tests/load/run.py)."""

import threading
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, SQLModel, create_engine

from balie.db_types import utcnow
from balie.models import Job, JobState
from tests.load.run import wait_for_jobs


def _database(tmp_path: Path, *jobs: Job) -> str:
    """A SQLite file with the app's tables and these jobs; its URL."""
    url = f"sqlite:///{tmp_path / 'load.db'}"
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(jobs)
        session.commit()
    engine.dispose()
    return url


def _job(key: str, state: JobState, run_after_minutes: float = 0) -> Job:
    """A job of ``state``, due ``run_after_minutes`` from now."""
    return Job(
        kind="confirmation",
        dedupe_key=key,
        state=state,
        run_after=utcnow() + timedelta(minutes=run_after_minutes),
    )


def test_jobs_due_or_running_are_waited_for_and_reported_when_left(tmp_path: Path) -> None:
    """A due e-mail and a running meeting count; a reminder for next week, a done or failed job
    do not; what is left after the limit is reported, not hidden."""
    url = _database(
        tmp_path,
        _job("mail", JobState.PENDING),
        _job("meeting", JobState.RUNNING),
        _job("reminder", JobState.PENDING, run_after_minutes=7 * 24 * 60),
        _job("sent", JobState.DONE),
        _job("gave-up", JobState.FAILED),
    )
    _waited, left = wait_for_jobs(url, limit=0.2)
    assert left == 2


def test_the_wait_ends_when_the_worker_has_done_the_jobs(tmp_path: Path) -> None:
    """Jobs finished while the load test waits: nothing left, long before the limit."""
    url = _database(tmp_path, _job("mail", JobState.PENDING))

    def worker() -> None:
        engine = create_engine(url)
        with Session(engine) as session:
            job = session.query(Job).one()
            job.state = JobState.DONE
            session.add(job)
            session.commit()
        engine.dispose()

    timer = threading.Timer(0.3, worker)
    timer.start()
    try:
        waited, left = wait_for_jobs(url, limit=60)
    finally:
        timer.join()
    assert left == 0
    assert waited < 60


def test_the_machine_wide_figure_counts_cpu_the_process_list_can_miss() -> None:
    """CPU spent by a process that then ends (as a closed database connection does) is in the
    machine's busy time and, for the load generators, in what this process has waited for."""
    import subprocess
    import sys

    from tests.load.run import _generator_cpu, _machine_busy

    machine, generator = _machine_busy(), _generator_cpu()
    burn = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", burn], check=True)
    assert _generator_cpu() - generator >= 0.25
    assert _machine_busy() - machine >= 0.25
