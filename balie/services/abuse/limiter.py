"""Moving-window counters from the ``limits`` package: Redis when configured, else the database.

Redis is shared by every worker; without it the counters live in the ``rateevent`` table so they
hold across restarts and across processes on one database (``make run`` has no Redis).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import MovingWindowSupport, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import Engine, delete, func, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from balie.models import RateEvent

__all__ = [
    "DatabaseStorage",
    "Limiter",
    "RateLimitItem",
    "RateLimitItemPerHour",
    "RateLimitItemPerMinute",
    "limiter_for",
]

PURGE_EVERY_SECONDS = 300


class DatabaseStorage(Storage, MovingWindowSupport):
    """A ``limits`` storage in the ``rateevent`` table: one row per hit, rows expire."""

    STORAGE_SCHEME = ["balie+db"]

    def __init__(self, engine_factory: Callable[[], Engine], **_options: object) -> None:
        """Use the engine ``engine_factory`` returns (looked up on every call: tests swap it)."""
        super().__init__(None)
        self._engine_factory = engine_factory
        self._last_purge = 0.0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        """Errors of the database layer."""
        return SQLAlchemyError

    def _session(self) -> Session:
        """A new session on the configured database."""
        return Session(self._engine_factory(), expire_on_commit=False)

    def _lock(self, session: Session, key: str) -> None:
        """On PostgreSQL serialise hits of one key, so two workers cannot both take the last one."""
        if session.get_bind().dialect.name == "postgresql":
            session.exec(text("SELECT pg_advisory_xact_lock(hashtext(:key))").bindparams(key=key))

    def _purge(self, session: Session, now: float) -> None:
        """Drop expired hits now and then (the table only ever holds the last hour or so)."""
        if now - self._last_purge >= PURGE_EVERY_SECONDS:
            session.exec(delete(RateEvent).where(RateEvent.expires_at < now))
            self._last_purge = now

    def _count(self, session: Session, key: str, since: float) -> tuple[int, float | None]:
        """Number of hits of ``key`` after ``since`` and the oldest of them."""
        count, oldest = session.exec(
            select(func.count(), func.min(RateEvent.at)).where(
                RateEvent.key == key, RateEvent.at > since
            )
        ).one()
        return int(count), oldest

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Record ``amount`` hits unless that would exceed ``limit`` within ``expiry`` seconds."""
        if amount > limit:
            return False
        now = time.time()
        with self._session() as session:
            self._lock(session, key)
            count, _oldest = self._count(session, key, now - expiry)
            if count + amount > limit:
                session.rollback()
                return False
            for _ in range(amount):
                session.add(RateEvent(key=key, at=now, expires_at=now + expiry))
            self._purge(session, now)
            session.commit()
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """The start of the window (oldest hit in it) and the number of hits in it."""
        now = time.time()
        with self._session() as session:
            count, oldest = self._count(session, key, now - expiry)
        return (oldest if oldest is not None else now), count

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add hits without a limit (fixed-window API of ``limits``; not used by the moving one)."""
        now = time.time()
        with self._session() as session:
            for _ in range(amount):
                session.add(RateEvent(key=key, at=now, expires_at=now + expiry))
            session.commit()
            count, _oldest = self._count(session, key, now - expiry)
        return count

    def get(self, key: str) -> int:
        """Hits of ``key`` that have not expired."""
        now = time.time()
        with self._session() as session:
            return int(
                session.exec(
                    select(func.count()).where(RateEvent.key == key, RateEvent.expires_at > now)
                ).one()
            )

    def get_expiry(self, key: str) -> float:
        """When the last hit of ``key`` expires."""
        now = time.time()
        with self._session() as session:
            latest = session.exec(
                select(func.max(RateEvent.expires_at)).where(RateEvent.key == key)
            ).one()
        return float(latest or now)

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with self._session() as session:
                session.exec(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every hit."""
        with self._session() as session:
            result = session.exec(delete(RateEvent))
            session.commit()
        return result.rowcount

    def clear(self, key: str) -> None:
        """Forget the hits of one key."""
        with self._session() as session:
            session.exec(delete(RateEvent).where(RateEvent.key == key))
            session.commit()


class Limiter(MovingWindowRateLimiter):
    """The moving-window strategy of ``limits`` on one storage."""

    def retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        """Whole seconds until one more hit of ``item`` for ``identifiers`` is allowed."""
        stats = self.get_window_stats(item, *identifiers)
        return max(1, int(stats.reset_time - time.time()) + 1)


def limiter_for(redis_url: str | None, engine_factory: Callable[[], Engine]) -> Limiter:
    """A limiter on Redis when ``redis_url`` is given, else on the database."""
    if redis_url:
        return Limiter(storage_from_string(redis_url))
    return Limiter(DatabaseStorage(engine_factory))


@lru_cache(maxsize=4)
def shared_limiter(redis_url: str | None) -> Limiter:
    """The limiter of this process for the configured storage (one Redis connection pool)."""
    from balie.db import get_engine  # late: balie.db reads the settings

    return limiter_for(redis_url, get_engine)
