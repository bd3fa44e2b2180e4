"""Moving-window counters from the ``limits`` package: Redis when configured, else the database.

Redis is shared by every worker; without it the counters live in the ``rateevent`` table so they
hold across restarts and across processes on one database (``make run`` has no Redis).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import MovingWindowSupport, RedisStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import Engine, Select, and_, bindparam, delete, func, or_, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from balie.models import RateEvent

__all__ = [
    "DatabaseStorage",
    "Limiter",
    "Outcome",
    "Plan",
    "RateLimitItem",
    "RateLimitItemPerHour",
    "RateLimitItemPerMinute",
    "Rule",
    "Tally",
    "limiter_for",
]

PURGE_EVERY_SECONDS = 300


@dataclass(frozen=True)
class Rule:
    """A moving-window limit: at most ``limit`` hits of ``key`` within ``expiry`` seconds."""

    key: str
    limit: int
    expiry: int


@dataclass(frozen=True)
class Tally:
    """A counter (a rule with a ceiling no one reaches) and an optional once-per-window mark.

    Once the window holds ``mark_at`` hits (0: never), the rule ``mark`` (limit 1) is hit: it
    succeeds once per its window, which tells the caller to log the spike once.
    """

    rule: Rule
    mark_at: int = 0
    mark: Rule | None = None


@dataclass(frozen=True)
class Plan:
    """All counters of one request, carried out at once (one round trip on Redis).

    ``before`` is always counted; the ``rules`` are all tested, then all hit (none is hit when
    one is full); ``after`` is counted only when every rule had room.
    """

    before: tuple[Tally, ...] = ()
    rules: tuple[Rule, ...] = ()
    after: tuple[Tally, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What a plan did: per tally (``before`` then ``after``) its count and mark, the refusal."""

    counts: tuple[int, ...] = ()
    marked: tuple[bool, ...] = ()
    refused: int | None = None  # index in ``plan.rules`` of the first full rule
    retry_after: int = 0


class _Window(Protocol):
    """The two moving-window primitives a plan needs."""

    def window(self, rule: Rule) -> tuple[float | None, int]:
        """The oldest hit in the window of ``rule`` (None if none) and the number of hits."""

    def push(self, rule: Rule) -> bool:
        """One hit unless the window is full."""


def _retry_after(oldest: float | None, expiry: int, now: float) -> int:
    """Whole seconds until the oldest hit leaves the window."""
    reset = (oldest if oldest is not None else now) + expiry
    return max(1, int(reset - now) + 1)


@dataclass
class _Run:
    """The counts and marks gathered while a plan runs."""

    counts: list[int] = field(default_factory=list)
    marked: list[bool] = field(default_factory=list)

    def tally(self, view: _Window, tally: Tally) -> None:
        """Hit a counter, read its count, hit its mark when the count reached the threshold."""
        view.push(tally.rule)
        count = view.window(tally.rule)[1]
        self.counts.append(count)
        self.marked.append(
            bool(tally.mark_at)
            and count >= tally.mark_at
            and tally.mark is not None
            and view.push(tally.mark)
        )

    def outcome(self, refused: int | None = None, retry_after: int = 0) -> Outcome:
        """The result so far."""
        return Outcome(tuple(self.counts), tuple(self.marked), refused, retry_after)


def run_plan(view: _Window, plan: Plan, now: float) -> Outcome:
    """Carry out ``plan`` with the primitives of ``view`` (the reference the Lua script follows)."""
    run = _Run()
    for tally in plan.before:
        run.tally(view, tally)
    for index, rule in enumerate(plan.rules):
        oldest, count = view.window(rule)
        if count + 1 > rule.limit:
            return run.outcome(index, _retry_after(oldest, rule.expiry, now))
    for index, rule in enumerate(plan.rules):
        if not view.push(rule):  # lost a race for the last place (storages without atomicity)
            return run.outcome(index, _retry_after(view.window(rule)[0], rule.expiry, now))
    for tally in plan.after:
        run.tally(view, tally)
    return run.outcome()


@dataclass
class _StorageWindow:
    """The primitives on any ``limits`` moving-window storage, one call each."""

    storage: MovingWindowSupport
    now: float

    def window(self, rule: Rule) -> tuple[float | None, int]:
        """Oldest hit and count, from the storage."""
        start, count = self.storage.get_moving_window(rule.key, rule.limit, rule.expiry)
        return (start if count else None), count

    def push(self, rule: Rule) -> bool:
        """One hit through the storage."""
        return self.storage.acquire_entry(rule.key, rule.limit, rule.expiry)


@dataclass
class _PrefetchedWindow:
    """The primitives on counts read once (the keys are locked): hits are collected to insert."""

    now: float
    windows: dict[str, tuple[float | None, int]]  # key -> oldest hit in its window, count
    added: list[Rule] = field(default_factory=list)

    def window(self, rule: Rule) -> tuple[float | None, int]:
        """Oldest hit and count, from memory."""
        return self.windows.get(rule.key, (None, 0))

    def push(self, rule: Rule) -> bool:
        """One hit in memory, remembered for the insert."""
        oldest, count = self.window(rule)
        if count + 1 > rule.limit:
            return False
        self.windows[rule.key] = (self.now if oldest is None else oldest), count + 1
        self.added.append(rule)
        return True


def _plan_rules(plan: Plan) -> list[Rule]:
    """Every rule a plan may touch (counters, marks, limits)."""
    rules = list(plan.rules)
    for tally in (*plan.before, *plan.after):
        rules.append(tally.rule)
        if tally.mark is not None:
            rules.append(tally.mark)
    return rules


# The same algorithm as ``run_plan``, atomic inside Redis, on the lists of the ``limits`` moving
# window (newest hit first, trimmed to the limit). ARGV: now, number of tallies before, of rules,
# of tallies after; then per tally limit, expiry, mark_at, mark limit, mark expiry; per rule
# limit, expiry. KEYS: per tally its key and its mark's key; per rule its key.
PLAN_SCRIPT = """
local now = tonumber(ARGV[1])
local function window(key, limit, expiry)
  local high = math.min(redis.call('llen', key), limit) - 1
  local low, found = 0, nil
  while low <= high do
    local mid = math.floor((low + high) / 2)
    local value = tonumber(redis.call('lindex', key, mid))
    if value and value >= now - expiry then found = mid; low = mid + 1 else high = mid - 1 end
  end
  if found == nil then return nil, 0 end
  return tonumber(redis.call('lindex', key, found)), found + 1
end
local function push(key, limit, expiry)
  local entry = redis.call('lindex', key, limit - 1)
  if entry and tonumber(entry) >= now - expiry then return false end
  redis.call('lpush', key, ARGV[1])
  redis.call('ltrim', key, 0, limit - 1)
  redis.call('expire', key, math.ceil(expiry))
  return true
end
local out = {-1, '0'}
local a, k = 5, 1
local function tallies(n)
  for _ = 1, n do
    local limit, expiry = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
    local mark_at = tonumber(ARGV[a + 2])
    push(KEYS[k], limit, expiry)
    local _, count = window(KEYS[k], limit, expiry)
    local marked = 0
    if mark_at > 0 and count >= mark_at and push(KEYS[k + 1], tonumber(ARGV[a + 3]),
        tonumber(ARGV[a + 4])) then marked = 1 end
    out[#out + 1] = count
    out[#out + 1] = marked
    a, k = a + 5, k + 2
  end
end
tallies(tonumber(ARGV[2]))
local rules = tonumber(ARGV[3])
local first_rule_a, first_rule_k = a, k
for i = 1, rules do
  local limit, expiry = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  local oldest, count = window(KEYS[k], limit, expiry)
  if count + 1 > limit then
    out[1] = i - 1
    out[2] = tostring(oldest or now)
    return out
  end
  a, k = a + 2, k + 1
end
a, k = first_rule_a, first_rule_k
for _ = 1, rules do
  push(KEYS[k], tonumber(ARGV[a]), tonumber(ARGV[a + 1]))
  a, k = a + 2, k + 1
end
tallies(tonumber(ARGV[4]))
return out
"""


def _redis_arguments(plan: Plan, prefix: Callable[[str], str]) -> tuple[list, list]:
    """KEYS and ARGV of ``PLAN_SCRIPT`` for ``plan``."""
    keys: list[str] = []
    argv: list = [len(plan.before), len(plan.rules), len(plan.after)]

    def add_tally(tally: Tally) -> None:
        mark = tally.mark or tally.rule
        keys.extend((prefix(tally.rule.key), prefix(mark.key)))
        argv.extend(
            (
                tally.rule.limit,
                tally.rule.expiry,
                tally.mark_at if tally.mark else 0,
                mark.limit,
                mark.expiry,
            )
        )

    for tally in plan.before:
        add_tally(tally)
    for rule in plan.rules:
        keys.append(prefix(rule.key))
        argv.extend((rule.limit, rule.expiry))
    for tally in plan.after:
        add_tally(tally)
    return keys, argv


def _redis_outcome(raw: list, plan: Plan, now: float) -> Outcome:
    """The script's answer as an Outcome."""
    refused, oldest = int(raw[0]), float(raw[1])
    pairs = raw[2:]
    counts = tuple(int(value) for value in pairs[0::2])
    marked = tuple(bool(int(value)) for value in pairs[1::2])
    if refused < 0:
        return Outcome(counts, marked)
    expiry = plan.rules[refused].expiry
    return Outcome(counts, marked, refused, _retry_after(oldest, expiry, now))


# Lock the keys of a plan in one order (no deadlock between two plans sharing keys).
_LOCK_KEYS = text(
    "SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext(k) AS h"
    " FROM unnest(CAST(:keys AS text[])) AS k ORDER BY h) AS locks"
)
_INSERT_HIT = RateEvent.__table__.insert()


@lru_cache(maxsize=32)
def _windows_statement(rules: int) -> Select:
    """Oldest hit and count per key for ``rules`` (key, since) pairs, built once per number."""
    return (
        select(RateEvent.key, func.min(RateEvent.at), func.count())
        .where(
            or_(
                *(
                    and_(
                        RateEvent.key == bindparam(f"key_{index}"),
                        RateEvent.at > bindparam(f"since_{index}"),
                    )
                    for index in range(rules)
                )
            )
        )
        .group_by(RateEvent.key)
    )


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

    def run_plan(self, plan: Plan, now: float) -> Outcome:
        """Carry out ``plan`` in one transaction: lock its keys, read, decide, insert the hits."""
        rules = {rule.key: rule for rule in _plan_rules(plan)}
        with self._session() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(_LOCK_KEYS, {"keys": sorted(rules)})
            window = _PrefetchedWindow(now, self._windows(session, rules.values(), now))
            outcome = run_plan(window, plan, now)
            hits = [
                {"key": rule.key, "at": now, "expires_at": now + rule.expiry}
                for rule in window.added
            ]
            if hits:  # one executemany, without the ORM's unit of work
                session.connection().execute(_INSERT_HIT, hits)
            self._purge(session, now)
            session.commit()
        return outcome

    def _windows(
        self, session: Session, rules: object, now: float
    ) -> dict[str, tuple[float | None, int]]:
        """Per key, the oldest hit in its rule's window and the count (one query for all)."""
        rules = list(rules)
        if not rules:
            return {}
        parameters = {}
        for index, rule in enumerate(rules):
            parameters[f"key_{index}"] = rule.key
            parameters[f"since_{index}"] = now - rule.expiry
        rows = session.execute(_windows_statement(len(rules)), parameters).all()
        return {key: (oldest, int(count)) for key, oldest, count in rows}

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

    _plan_script: object | None = None

    def run(self, plan: Plan) -> Outcome:
        """Carry out all counters of ``plan`` at once: one Lua call on Redis, one transaction
        on the database, one call per step on other storages (memory, in tests)."""
        now = time.time()
        storage = self.storage
        if isinstance(storage, RedisStorage):
            if self._plan_script is None:
                self._plan_script = storage.get_connection().register_script(PLAN_SCRIPT)
            keys, argv = _redis_arguments(plan, storage.prefixed_key)
            return _redis_outcome(self._plan_script(keys, [repr(now), *argv]), plan, now)
        if isinstance(storage, DatabaseStorage):
            return storage.run_plan(plan, now)
        return run_plan(_StorageWindow(storage, now), plan, now)

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
