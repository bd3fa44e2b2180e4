"""Backup and restore drill: pg_dump a database with demo data, pg_restore it into a new one,
and find the same schema version, the same rows and the same dashboard figures.

The commands are the README's (Production → Backup and restore), run for real.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session

from balie.services.catalogue import get_organisation
from balie.services.insight import statistics
from tests.deploy import stack

NOW = datetime.now(UTC)


def libpq_url(url: str) -> str:
    """The URL pg_dump and pg_restore understand (no SQLAlchemy driver part)."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def row_counts(url: str) -> dict[str, int]:
    """Rows per table."""
    engine = create_engine(url)
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        counts = {
            table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            for table in tables
        }
    engine.dispose()
    return counts


def dashboard_figures(url: str) -> statistics.Dashboard:
    """The managers' dashboard over the whole period, at a fixed moment."""
    engine = create_engine(url)
    with Session(engine) as session:
        gent = get_organisation(session, "gent")
        period = statistics.default_period(session, gent.id, NOW.date())
        figures = statistics.dashboard(session, gent.id, period, None, NOW)
    engine.dispose()
    return figures


def test_a_dump_restores_into_an_identical_database() -> None:
    prefix = os.environ.get("BALIE_DEPLOY_DB_PREFIX", "balie_deploy")
    source_name, copy_name = f"{prefix}_src_{os.getpid()}", f"{prefix}_copy_{os.getpid()}"
    dump = Path(tempfile.mkdtemp(prefix="balie-backup-")) / "balie.dump"
    try:
        source = stack.create_database(source_name)
        env = stack.instance_env(source, dump.parent / "outbox", stack.PROXY_PORT, {})
        stack.run([str(stack.BIN / "alembic"), "upgrade", "head"], env)
        stack.load_demo(env, history=True)

        # Back up: custom format, without owners, so it restores under any role.
        stack.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", libpq_url(source)], env
        )
        # Restore into a new, empty database.
        copy = stack.create_database(copy_name)
        stack.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={libpq_url(copy)}",
                str(dump),
            ],
            env,
        )

        copy_env = {**env, "BALIE_DATABASE_URL": copy}
        current = stack.run([str(stack.BIN / "alembic"), "current"], copy_env).stdout
        heads = stack.run([str(stack.BIN / "alembic"), "heads"], copy_env).stdout
        assert current.split()[0] == heads.split()[0]
        stack.run([str(stack.BIN / "alembic"), "check"], copy_env)

        counts = row_counts(source)
        assert counts["appointment"] > 100  # the demo history is there
        assert row_counts(copy) == counts
        assert dashboard_figures(copy) == dashboard_figures(source)
    finally:
        stack.drop_database(source_name)
        stack.drop_database(copy_name)
