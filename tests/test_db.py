"""The engine's pooled connections: an idle one that died is replaced before anyone uses it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

from balie import db


def engine_pinging_after_idle(path: Path):
    """A one-connection SQLite engine with the app's ping-after-idle listeners."""
    engine = create_engine(f"sqlite:///{path}", poolclass=QueuePool, pool_size=1, max_overflow=0)
    db._ping_after_idle(engine)
    return engine


def kill_pooled_connection(engine) -> None:
    """Close the pooled connection under the pool's feet (as a server restart would)."""
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
    raw.close()


def test_an_idle_connection_that_died_is_replaced_at_checkout(tmp_path, monkeypatch) -> None:
    engine = engine_pinging_after_idle(tmp_path / "a.db")
    kill_pooled_connection(engine)
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
    engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged(tmp_path, monkeypatch) -> None:
    engine = engine_pinging_after_idle(tmp_path / "b.db")
    kill_pooled_connection(engine)
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 3600.0)
    with pytest.raises(Exception, match="closed"), engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    engine.dispose()
