"""Database engine and sessions for the app, the jobs and the commands."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Lock
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlmodel import Session

from balie.scoping import ORGANISATION_KEY
from balie.settings import get_settings


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Turn on foreign keys and WAL, and wait for locks instead of failing at once."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


IDLE_PING_SECONDS = 5.0  # a pooled connection idle longer than this is pinged before use
_CHECKED_IN = "balie_checked_in"


def _ping_after_idle(engine: Engine) -> None:
    """Ping a pooled connection at checkout only when it sat idle for a while.

    ``pool_pre_ping`` costs a round trip on every checkout (several per booking); a connection
    in steady use was fine a moment ago. An idle one may have been cut (server restart, a
    proxy's idle timeout): it is pinged and, when dead, replaced before the caller sees it.
    A connection broken while busy still fails that one statement, and SQLAlchemy then
    invalidates the whole pool so the next checkouts reconnect.
    """

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_CHECKED_IN)
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as problem:  # the pool then reconnects
            raise exc.DisconnectionError("connection lost while idle") from problem


def make_engine(url: str, **options: Any) -> Engine:
    """Create an engine for ``url`` with the settings this app relies on (plus ``options``)."""
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False, "timeout": 15}
        engine = create_engine(url, connect_args=connect_args, **options)
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    engine = create_engine(url, **options)
    _ping_after_idle(engine)
    return engine


_engines: dict[str, Engine] = {}
_engines_lock = Lock()


POOL_OVERFLOW = 10  # connections beyond the pool for the worker, meetings and state events


def get_engine(url: str | None = None) -> Engine:
    """The shared engine for ``url`` (default: the configured database)."""
    settings = get_settings()
    key = url or settings.database_url
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            pool = {"pool_size": settings.database_pool_size, "max_overflow": POOL_OVERFLOW}
            if ":memory:" in key or key.rstrip("/").endswith("sqlite:"):
                pool = {}  # one shared in-memory connection: no pool to size
            engine = _engines[key] = make_engine(key, **pool)
        return engine


def fit_thread_pool() -> None:
    """Let as many request threads run at once as the pool has connections (anyio's default
    is 40): more threads would only queue for a connection, holding memory and the GIL."""
    import anyio.to_thread

    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = get_settings().database_pool_size


def forget_engines() -> None:
    """Close the pooled connections of every shared engine and forget the engines.

    For tests and commands that point the app at another database: an engine that is only
    forgotten keeps its idle connections open until it is garbage collected.
    """
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


INHERIT: Any = object()  # session_scope's default: the organisation of the current request


@contextmanager
def session_scope(
    engine: Engine | None = None, organisation_id: int | None = INHERIT
) -> Iterator[Session]:
    """A session that is closed afterwards; callers commit explicitly.

    ``organisation_id`` scopes every query and write of the session to that organisation
    (balie.scoping); the default is the organisation of the request or websocket event being
    handled (none in the worker, the commands and the migrations); None: deliberately unscoped.
    """
    from balie.services.tenancy import current_organisation_id

    with Session(engine or get_engine(), expire_on_commit=False) as session:
        scope = current_organisation_id.get() if organisation_id is INHERIT else organisation_id
        session.info[ORGANISATION_KEY] = scope
        yield session
