"""At most BALIE_MAX_SESSIONS_PER_WORKER visitors' states stay in one process's memory."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from pydantic import ValidationError
from reflex.istate.manager import StateManager
from reflex.istate.manager.disk import StateManagerDisk
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State

from balie import state_limit
from balie.settings import Settings
from balie.state_limit import BoundedStateManagerDisk, BoundedStateManagerMemory
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
