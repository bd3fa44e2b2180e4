"""At most BALIE_MAX_SESSIONS_PER_WORKER visitors' states stay in one process's memory."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from redis.asyncio import Redis
from reflex.istate.manager import StateManager
from reflex.istate.manager.disk import StateManagerDisk
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State

from balie import state_limit
from balie.settings import Settings
from balie.state_limit import (
    BoundedStateManagerDisk,
    BoundedStateManagerMemory,
    LeasingStateManagerRedis,
)
from balie.states.locale import LocaleState


def token(name: str) -> BaseStateToken:
    """The token of one browser tab's whole state tree."""
    return BaseStateToken(ident=name, cls=State)


def memory_manager(max_tokens: int, expiry: int = 1800) -> BoundedStateManagerMemory:
    """A bounded in-memory manager."""
    return BoundedStateManagerMemory(token_expiration=expiry, max_tokens=max_tokens)


def disk_manager(directory: Path, max_tokens: int, debounce: float = 0) -> BoundedStateManagerDisk:
    """A bounded disk manager writing into ``directory``."""
    manager = BoundedStateManagerDisk(max_tokens=max_tokens, _write_debounce_seconds=debounce)
    manager.__dict__["states_directory"] = directory  # its cached property, set before use
    return manager


async def open_tabs(manager: StateManager, *names: str) -> None:
    """Each tab's first event: its state comes into memory."""
    for name in names:
        async with manager.modify_state(token(name)):
            pass


def test_the_private_parts_of_reflex_it_relies_on_still_exist() -> None:
    for name in ("_purge_token", "_get_or_create_state", "_purge_expired_tokens"):
        assert callable(getattr(StateManagerMemory, name))
    memory = StateManagerMemory(token_expiration=60)
    assert isinstance(memory._token_expires_at, dict)
    assert isinstance(memory._states_locks, dict)
    for name in ("_purge_token", "_is_locked", "set_state_for_substate"):
        assert callable(getattr(StateManagerDisk, name))
    field_names = set(StateManagerDisk.__dataclass_fields__)
    assert {"_token_last_touched", "_write_queue", "_write_debounce_seconds"} <= field_names


def test_memory_keeps_at_most_the_cap() -> None:
    manager = memory_manager(max_tokens=3)

    async def scenario() -> None:
        await open_tabs(manager, *[f"tab{i}" for i in range(8)])
        await manager.close()

    asyncio.run(scenario())
    assert set(manager.states) == {"tab5", "tab6", "tab7"}
    assert len(manager._token_expires_at) == 3


def test_memory_releases_the_least_recently_used_first() -> None:
    manager = memory_manager(max_tokens=3)

    async def scenario() -> None:
        await open_tabs(manager, "a", "b", "c")
        await open_tabs(manager, "a")  # a is used again: b is now the oldest
        await open_tabs(manager, "d")
        await manager.close()

    asyncio.run(scenario())
    assert set(manager.states) == {"a", "c", "d"}


def test_memory_never_releases_a_state_whose_event_is_running() -> None:
    manager = memory_manager(max_tokens=2)

    async def scenario() -> None:
        async with manager.modify_state(token("busy")):
            await open_tabs(manager, "x", "y", "z")
            assert "busy" in manager.states
        await manager.close()

    asyncio.run(scenario())
    assert "busy" in manager.states
    assert len(manager.states) == 2


def test_memory_state_of_a_new_tab_via_get_state_is_kept() -> None:
    manager = memory_manager(max_tokens=2)

    async def scenario() -> None:
        for name in ("p", "q", "r"):
            await manager.get_state(token(name))
        await manager.close()

    asyncio.run(scenario())
    assert set(manager.states) == {"q", "r"}


def test_memory_idle_states_still_expire() -> None:
    manager = memory_manager(max_tokens=100, expiry=0)

    async def scenario() -> None:
        await open_tabs(manager, "old")
        manager._purge_expired_tokens()
        await manager.close()

    asyncio.run(scenario())
    assert manager.states == {}


def test_disk_keeps_at_most_the_cap_and_loses_nothing(tmp_path: Path) -> None:
    manager = disk_manager(tmp_path, max_tokens=2)

    async def scenario() -> str:
        async with manager.modify_state(token("first")) as state:
            locale = await state.get_state(LocaleState)
            locale.locale = "en"
        await open_tabs(manager, "second", "third", "fourth")
        assert set(manager.states) == {"third", "fourth"}
        state = await manager.get_state(token("first"))  # read back from disk
        answer = (await state.get_state(LocaleState)).locale
        await manager.close()
        return answer

    assert asyncio.run(scenario()) == "en"
    assert len(manager.states) == 2


def test_disk_never_releases_a_state_still_to_be_written(tmp_path: Path) -> None:
    manager = disk_manager(tmp_path, max_tokens=2, debounce=3600)

    async def scenario() -> None:
        async with manager.modify_state(token("unsaved")) as state:
            (await state.get_state(LocaleState)).locale = "en"
        await open_tabs(manager, "x", "y", "z")
        assert "unsaved" in manager.states
        await manager.close()

    asyncio.run(scenario())


def test_disk_never_releases_a_state_being_written(tmp_path: Path) -> None:
    manager = disk_manager(tmp_path, max_tokens=1)
    manager._writing["writing"] += 1
    manager.states["writing"] = State(_reflex_internal_init=True)
    manager._token_last_touched["writing"] = (time.time() - 60, token("writing"))

    async def scenario() -> None:
        await open_tabs(manager, "new")
        await manager.close()

    asyncio.run(scenario())
    assert "writing" in manager.states


def test_disk_never_releases_a_state_whose_event_is_running(tmp_path: Path) -> None:
    manager = disk_manager(tmp_path, max_tokens=2)

    async def scenario() -> None:
        async with manager.modify_state(token("busy")):
            await open_tabs(manager, "x", "y", "z")
            assert "busy" in manager.states
        await manager.close()

    asyncio.run(scenario())


def test_bounded_replaces_only_in_process_managers(tmp_path: Path) -> None:
    memory = state_limit.bounded(StateManagerMemory(token_expiration=77), 500)
    assert isinstance(memory, BoundedStateManagerMemory)
    assert (memory.token_expiration, memory.max_tokens) == (77, 500)
    disk = StateManagerDisk(token_expiration=88)
    disk.__dict__["states_directory"] = tmp_path
    bounded_disk = state_limit.bounded(disk, 600)
    assert isinstance(bounded_disk, BoundedStateManagerDisk)
    assert (bounded_disk.token_expiration, bounded_disk.max_tokens) == (88, 600)
    other = memory_manager(max_tokens=5)
    assert state_limit.bounded(other, 500) is other


def test_the_app_bounds_its_state_manager() -> None:
    from balie.balie import app

    manager = app.state_manager
    assert isinstance(manager, BoundedStateManagerMemory | BoundedStateManagerDisk)
    assert manager.max_tokens == Settings().max_sessions_per_worker


def test_the_cap_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BALIE_MAX_SESSIONS_PER_WORKER", "5000")
    assert Settings().max_sessions_per_worker == 5000


@pytest.mark.parametrize("value", ["0", "99", "-1", "many"])
def test_a_cap_too_small_or_not_a_number_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BALIE_MAX_SESSIONS_PER_WORKER", value)
    with pytest.raises(ValidationError):
        Settings()


def test_without_redis_the_state_lives_in_memory_not_on_disk() -> None:
    assert Settings(redis_url=None).reflex_state_options() == {"state_manager_mode": "memory"}


def test_with_redis_reflex_chooses_redis_itself() -> None:
    assert Settings(redis_url="redis://127.0.0.1:6379/0").reflex_state_options() == {}


# --- Redis: leases ---------------------------------------------------------------------------

STATE_REDIS_URL = "redis://127.0.0.1:6379/3"  # its own database: these tests empty it


def redis_manager(**fields: Any) -> StateManagerRedis:
    """Reflex's Redis manager on the test database, as Reflex builds it (leases off)."""
    return StateManagerRedis(redis=Redis.from_url(STATE_REDIS_URL), **fields)


async def empty_redis() -> None:
    """No states or locks of an earlier run."""
    client = Redis.from_url(STATE_REDIS_URL)
    await client.flushdb()
    await client.aclose()


async def leasing_manager(max_tokens: int = 10, **fields: Any) -> LeasingStateManagerRedis:
    """A leasing manager listening for other processes' requests (no lease before that)."""
    manager = state_limit.leasing(redis_manager(**fields), max_tokens)
    await manager._ensure_lock_task_subscribed()
    return manager


async def language_of(manager: StateManager, name: str) -> str:
    """The tab's language, read in an event (the lock held) through ``manager``."""
    async with manager.modify_state(token(name)) as root:
        return (await root.get_state(LocaleState)).locale


async def set_language(manager: StateManager, name: str, language: str) -> None:
    """An event of the tab that changes its language, through ``manager``."""
    async with manager.modify_state(token(name)) as root:
        (await root.get_state(LocaleState)).locale = language


def test_the_private_parts_of_reflex_leases_rely_on_still_exist() -> None:
    assert callable(StateManagerRedis._create_lease_break_task)
    assert callable(StateManagerRedis._ensure_lock_task_subscribed)
    field_names = set(StateManagerRedis.__dataclass_fields__)
    assert {"_oplock_enabled", "_cached_states_locks", "_local_leases", "_cached_states"} <= (
        field_names
    )
    assert hasattr(asyncio.Lock(), "_waiters")


def test_with_redis_leases_are_on_and_reflexs_settings_kept() -> None:
    plain = redis_manager(token_expiration=99, lock_expiration=7000, lock_warning_threshold=900)
    leased = state_limit.bounded(plain, 500, redis_leases=True)
    assert isinstance(leased, LeasingStateManagerRedis) and leased._oplock_enabled
    assert (leased.token_expiration, leased.lock_expiration) == (99, 7000)
    assert (leased.lock_warning_threshold, leased.max_tokens) == (900, 500)
    assert leased.redis is plain.redis
    assert leased.oplock_hold_time_ms == plain.oplock_hold_time_ms == 5000  # half of 10 s
    plain._oplock_enabled = True  # as REFLEX_OPLOCK_ENABLED=1 would have it
    assert state_limit.bounded(plain, 500, redis_leases=False) is plain
    assert not plain._oplock_enabled  # without the write-through: never


def test_a_lease_at_least_as_long_as_the_lock_is_refused() -> None:
    with pytest.raises(ValueError, match="REFLEX_OPLOCK_HOLD_TIME"):
        state_limit.leasing(redis_manager(lock_expiration=2000, oplock_hold_time_ms=2000), 10)


def test_the_setting_is_on_by_default_and_can_be_turned_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().redis_state_leases is True
    monkeypatch.setenv("BALIE_REDIS_STATE_LEASES", "false")
    assert Settings().redis_state_leases is False


def test_a_burst_of_events_in_one_lease_reads_the_state_once() -> None:
    async def scenario() -> list[Any]:
        await empty_redis()
        manager = await leasing_manager()
        roots = []
        for _ in range(3):
            async with manager.modify_state(token("burst")) as root:
                roots.append(root)
        await manager.close()
        return roots

    first, second, third = asyncio.run(scenario())
    assert first is second is third  # kept in memory, not read from Redis again


def test_each_events_changes_are_in_redis_before_the_lease_ends() -> None:
    """A process that dies during its lease has lost none of its finished events."""

    async def scenario() -> tuple[int, str, str]:
        await empty_redis()
        one = await leasing_manager()
        await set_language(one, "tab", "en")
        leases = len(one._local_leases)
        onlooker = redis_manager()  # reads Redis as a new process would, without the lock
        after_first = (await (await onlooker.get_state(token("tab"))).get_state(LocaleState)).locale
        await set_language(one, "tab", "nl")
        after_second = (
            await (await onlooker.get_state(token("tab"))).get_state(LocaleState)
        ).locale
        await one.close()
        await onlooker.close()
        return leases, after_first, after_second

    assert asyncio.run(scenario()) == (1, "en", "nl")


def test_two_processes_take_turns_and_lose_no_change() -> None:
    """Two workers' managers on one Redis: each sees what the other wrote during its lease."""

    async def scenario() -> list[str]:
        await empty_redis()
        one, other = await leasing_manager(), await leasing_manager()
        seen = []
        await set_language(one, "tab", "en")  # one holds the lease now (5 s)
        assert len(one._local_leases) == 1
        seen.append(await asyncio.wait_for(language_of(other, "tab"), 30))  # breaks one's lease
        await set_language(other, "tab", "nl")
        seen.append(await asyncio.wait_for(language_of(one, "tab"), 30))
        await set_language(one, "tab", "en")
        seen.append(await asyncio.wait_for(language_of(other, "tab"), 30))
        await one.close()
        await other.close()
        return seen

    assert asyncio.run(scenario()) == ["en", "nl", "en"]


def test_idle_visitors_lease_locks_are_dropped_above_the_cap() -> None:
    async def scenario(cap: int) -> tuple[int, bool]:
        await empty_redis()
        manager = await leasing_manager(cap, oplock_hold_time_ms=20)
        for i in range(12):
            await set_language(manager, f"tab{i}", "en")
        for _ in range(500):  # until every lease has ended: all their locks are idle
            if not manager._local_leases:
                break
            await asyncio.sleep(0.02)
        async with manager.modify_state(token("held")):
            await set_language(manager, "busy", "en")  # busy's lease is running
            await set_language(manager, "last", "en")
            kept = any(key.startswith("busy") for key in manager._cached_states_locks)
            count = len(manager._cached_states_locks)
        assert await language_of(manager, "tab0") == "en"  # dropping a lock loses no state
        await manager.close()
        return count, kept

    assert asyncio.run(scenario(cap=100)) == (15, True)  # Reflex alone keeps every one
    count, busy_kept = asyncio.run(scenario(cap=3))
    assert count <= 3 + 3  # the cap, plus the three leases of this moment
    assert busy_kept


def test_a_lease_lock_in_use_in_any_way_is_never_dropped() -> None:
    async def scenario() -> set[str]:
        manager = state_limit.leasing(redis_manager(), 0)
        locks = {name: asyncio.Lock() for name in ("idle", "held", "awaited", "leased", "cached")}
        manager._cached_states_locks.update(locks)
        await locks["held"].acquire()  # a flush is writing the state
        await locks["awaited"].acquire()
        waiter = asyncio.create_task(locks["awaited"].acquire())
        await asyncio.sleep(0)  # the waiter queues
        locks["awaited"].release()  # free, but promised to the waiter
        manager._local_leases["leased"] = asyncio.create_task(asyncio.sleep(1))
        manager._cached_states["cached"] = object()
        manager._release_idle_lease_locks()
        kept = set(manager._cached_states_locks)
        manager._local_leases.pop("leased").cancel()
        await waiter
        return kept

    assert asyncio.run(scenario()) == {"held", "awaited", "leased", "cached"}
