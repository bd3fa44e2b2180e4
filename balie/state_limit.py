"""A cap on the visitors' states one app process keeps in memory.

Without Redis, Reflex keeps every visitor's whole state tree (all the app's states, about
60 KiB after a booking) in the process until it has been idle for ``redis_token_expiration``
(``BALIE_SESSION_EXPIRY_SECONDS``, 30 minutes). A busy day, or one script opening sockets, would
grow the process without bound within that time. These managers keep at most
``BALIE_MAX_SESSIONS_PER_WORKER`` states and release the least recently used idle ones first.

- Disk manager (Reflex's default without Redis): a released state is only dropped from memory;
  its pickles stay in ``.states/`` and are read back when the visitor's next event arrives, so
  nothing is lost. A state whose write is still queued or under way is never released.
- Memory manager (``REFLEX_STATE_MANAGER_MODE=memory``): a released state is gone; the visitor
  starts the page again. The cap is far above the number of citizens active at once.

A state whose lock is held (an event is running for it) is never released.

- Redis manager (``BALIE_REDIS_URL``): the states live in Redis and expire there. With
  ``BALIE_REDIS_STATE_LEASES`` (the default) the process that takes a visitor's lock keeps it,
  and the state in memory, for a short lease (Reflex's opportunistic locks, half the lock
  expiry): a burst of events (a page load is three or more) is one Redis read and one write
  instead of one each. Another process that needs the visitor asks through Redis and gets the
  state written first. Reflex keeps one asyncio lock per visitor that ever held a lease and
  never drops it; above ``BALIE_MAX_SESSIONS_PER_WORKER`` the idle ones are dropped here.

Private parts of Reflex used here (``_purge_token``, ``_token_expires_at``,
``_token_last_touched``, ``_states_locks``, ``_write_queue``, ``set_state_for_substate``,
``_get_or_create_state``, ``_create_lease_break_task``, ``_cached_states_locks``,
``_local_leases``, ``_cached_states``, ``_oplock_enabled``) are checked by
tests/test_state_limit.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from reflex.istate.manager import StateManager
from reflex.istate.manager.disk import StateManagerDisk
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import StateToken

DEFAULT_MAX_TOKENS = 2000


def least_recently_used(
    last_used: dict[str, tuple[float, StateToken]], excess: int, busy: set[str], keep: str
) -> list[StateToken]:
    """The ``excess`` tokens used longest ago, skipping busy ones and ``keep``."""
    candidates = sorted(
        (used, key, token)
        for key, (used, token) in last_used.items()
        if key != keep and key not in busy
    )
    return [token for _, _, token in candidates[: max(excess, 0)]]


def release_excess(manager: Any, last_used: dict[str, tuple[float, StateToken]], keep: str) -> None:
    """Purge the manager's least recently used idle states above its ``max_tokens``."""
    excess = len(manager.states) - manager.max_tokens
    if excess <= 0:
        return  # the common case: no need to look at every token's lock
    for token in least_recently_used(last_used, excess, manager._busy_keys(), keep):
        manager._purge_token(token)


@dataclasses.dataclass
class BoundedStateManagerMemory(StateManagerMemory):
    """Reflex's in-memory manager, keeping at most ``max_tokens`` states."""

    max_tokens: int = DEFAULT_MAX_TOKENS

    def _get_or_create_state(self, token: StateToken) -> Any:
        """Reflex's lookup; a new state first makes room by releasing idle ones."""
        is_new = token.cache_key not in self.states
        state = super()._get_or_create_state(token)
        if is_new:
            self._release_excess(keep=token.cache_key)
        return state

    def _busy_keys(self) -> set[str]:
        """Cache keys of the states an event is running for."""
        return {
            key
            for key, (_, token) in self._token_expires_at.items()
            if (lock := self._states_locks.get(token.lock_key)) is not None and lock.locked()
        }

    def _release_excess(self, keep: str) -> None:
        """Release the least recently used idle states above the cap."""
        # The deadline is the last use plus a constant expiry: ordering by it is LRU.
        release_excess(self, self._token_expires_at, keep)


@dataclasses.dataclass
class BoundedStateManagerDisk(StateManagerDisk):
    """Reflex's disk manager, keeping at most ``max_tokens`` states in memory (all on disk)."""

    max_tokens: int = DEFAULT_MAX_TOKENS
    _writing: Counter[str] = dataclasses.field(default_factory=Counter, init=False)

    async def get_state(self, token: StateToken) -> Any:
        """Reflex's lookup; a state newly in memory first makes room by releasing idle ones."""
        token = self._coerce_token(token)
        is_new = token.cache_key not in self.states
        state = await super().get_state(token)
        if is_new:
            self._release_excess(keep=token.cache_key)
        return state

    async def set_state_for_substate(self, token: StateToken, substate: Any) -> None:
        """Reflex's write to disk, remembering which states are being written meanwhile."""
        key = token.cache_key
        self._writing[key] += 1
        try:
            await super().set_state_for_substate(token, substate)
        finally:
            self._writing[key] -= 1
            if not self._writing[key]:
                del self._writing[key]

    def _busy_keys(self) -> set[str]:
        """Cache keys of states that are locked, waiting to be written or being written."""
        locked = {
            key for key, (_, token) in self._token_last_touched.items() if self._is_locked(token)
        }
        return locked | {token.cache_key for token in self._write_queue} | set(self._writing)

    def _release_excess(self, keep: str) -> None:
        """Drop the least recently used idle states above the cap from memory (not from disk)."""
        release_excess(self, self._token_last_touched, keep)


@dataclasses.dataclass
class LeasingStateManagerRedis(StateManagerRedis):
    """Reflex's Redis manager with leases on: every event's changes still written at once, and
    the lease locks of at most ``max_tokens`` idle visitors kept."""

    max_tokens: int = DEFAULT_MAX_TOKENS
    # lock key -> (the lease task, its Redis lock id): a write-through must prove the lock.
    _lease_lock_ids: dict[str, tuple[Any, bytes]] = dataclasses.field(
        default_factory=dict, init=False
    )

    async def _create_lease_break_task(
        self, token: Any, lock_id: bytes, *args: Any, **context: Any
    ) -> Any:
        """Reflex's start of a lease, remembering its lock id; drops idle locks above the cap."""
        self._release_idle_lease_locks()
        task = await super()._create_lease_break_task(token, lock_id, *args, **context)
        if task is not None:
            self._lease_lock_ids[token.lock_key] = (task, lock_id)
        return task

    @contextlib.asynccontextmanager
    async def _get_state_cached(self, token: Any) -> AsyncIterator[Any]:
        """Reflex's leased state; after the event, its changes are written through to Redis.

        Reflex writes a leased state only when the lease ends. A process that dies before that
        would lose the visitor's last steps (a citizen in the wizard would start again); written
        through, it loses at most the event it was running, as without leases.
        """
        async with super()._get_state_cached(token) as cached:
            yield cached
            if cached is not None:
                await self._write_through(token, cached)

    async def _write_through(self, token: Any, state: Any) -> None:
        """Write the states this event touched, fenced by the lease's lock; mark them clean."""
        lease = self._local_leases.get(token.lock_key)
        task, lock_id = self._lease_lock_ids.get(token.lock_key, (None, b""))
        if lease is None or task is not lease:
            return  # the lease ended meanwhile: Reflex's flush has written the state
        await self.set_state(token, state, lock_id=lock_id)
        stack = [state]
        while stack:
            written = stack.pop()
            object.__setattr__(written, "_was_touched", False)
            stack.extend(written.substates.values())

    def _release_idle_lease_locks(self) -> None:
        """Drop the lease locks nobody holds, waits for or leases, once above the cap."""
        locks = self._cached_states_locks
        if len(locks) <= self.max_tokens:
            return  # the common case: no need to look at every lock
        # Synchronous, so no other task of this event loop sees a lock half-dropped.
        for key, lock in list(locks.items()):
            if (
                key not in self._local_leases
                and key not in self._cached_states
                and not lock.locked()
                and not getattr(lock, "_waiters", None)
            ):
                del locks[key]
        for key in [key for key in self._lease_lock_ids if key not in self._local_leases]:
            del self._lease_lock_ids[key]


def leasing(manager: StateManagerRedis, max_tokens: int) -> LeasingStateManagerRedis:
    """``manager``'s settings in a Redis manager with leases on and its lease locks bounded."""
    fields = {f.name: getattr(manager, f.name) for f in dataclasses.fields(manager) if f.init}
    leased = LeasingStateManagerRedis(**fields, max_tokens=max_tokens)
    if leased.oplock_hold_time_ms >= leased.lock_expiration:
        raise ValueError(
            f"REFLEX_OPLOCK_HOLD_TIME ({leased.oplock_hold_time_ms} ms) must be shorter than "
            f"redis_lock_expiration ({leased.lock_expiration} ms)"
        )
    leased._oplock_enabled = True
    return leased


def bounded(manager: StateManager, max_tokens: int, redis_leases: bool = False) -> StateManager:
    """A bounded manager in place of a fresh in-process one; a Redis one with leases if asked."""
    if type(manager) is StateManagerRedis:
        if redis_leases:
            return leasing(manager, max_tokens)
        # Off means off: not Reflex's leases either (REFLEX_OPLOCK_ENABLED), which write a
        # visitor's state only when the lease ends.
        manager._oplock_enabled = False
        return manager
    if type(manager) is StateManagerMemory:
        return BoundedStateManagerMemory(
            token_expiration=manager.token_expiration, max_tokens=max_tokens
        )
    if type(manager) is StateManagerDisk:
        return BoundedStateManagerDisk(
            token_expiration=manager.token_expiration, max_tokens=max_tokens
        )
    return manager
