"""The migration history builds the schema the models describe, both ways."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from tests.conftest import run_alembic


def test_upgrade_downgrade_upgrade_and_check(engine: Engine, database_url: str) -> None:
    run_alembic(database_url, "downgrade", "base")
    assert "appointment" not in inspect(engine).get_table_names()
    run_alembic(database_url, "upgrade", "head")
    assert {"appointment", "service", "topic", "openinghours"} <= set(
        inspect(engine).get_table_names()
    )
    run_alembic(database_url, "check")  # raises when models and migrations differ
