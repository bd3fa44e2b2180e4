"""Staff data never outlives the session: a check before every event, and sign-out.

Reflex keeps a browser's state on the server under its client token, and a (re)connecting
websocket that presents the token gets the whole state tree in its first update (the hydrate).
So the check runs before every event, the hydrate included: a staff state that holds data for a
session which is no longer live (signed out, revoked, idle, expired) or is not the one in this
connection's cookie is reset before anything of it can be sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from http.cookies import CookieError, SimpleCookie
from typing import Any

import reflex as rx
from reflex.middleware import Middleware

from balie.db import session_scope
from balie.db_types import utcnow
from balie.services.staff import staff_auth
from balie.settings import get_settings
from balie.states.staff_session import STAFF_COOKIE, StaffSessionState
from balie.states.tenant import tenant_session

log = logging.getLogger(__name__)

# Events that are no sign of a person at the keyboard (polling, timers): they do not keep a
# session from going idle.
PASSIVE_EVENTS = (".refresh", ".tick", ".hydrate", ".hydrate_and_load", ".set_is_hydrated")


def idle_timeout() -> timedelta:
    """The configured idle timeout of staff sessions."""
    return timedelta(minutes=get_settings().staff_idle_minutes)


def cookie_token(cookie_header: str | None) -> str:
    """The staff session token in a Cookie header ("" when there is none)."""
    try:
        jar = SimpleCookie(cookie_header or "")
    except CookieError:
        return ""
    morsel = jar.get(STAFF_COOKIE)
    return morsel.value if morsel else ""


def staff_state_classes() -> list[type[rx.State]]:
    """Every state class that holds private staff data (all users of StaffSessionState)."""
    found: list[type[rx.State]] = []
    pending = list(rx.State.get_substates())
    while pending:
        cls = pending.pop()
        pending.extend(cls.get_substates())
        if issubclass(cls, StaffSessionState):
            found.append(cls)
    return sorted(found, key=lambda cls: cls.get_full_name())


def _loaded(state: Any) -> Iterator[Any]:
    """The staff states loaded in this state tree (all of them with the in-memory manager)."""
    pending = [state]
    while pending:
        current = pending.pop()
        pending.extend(current.substates.values())
        if isinstance(current, StaffSessionState):
            yield current


def _holds_data(state: Any) -> bool:
    """Whether a staff state was loaded for someone (and so may hold private data)."""
    return bool(state._session_key or state.display_name or state.roles)


def forget(state: Any) -> None:
    """Reset a staff state to its defaults: every private var, backend vars included."""
    state._clear()
    state.reset()
    state._session_key = ""


def session_is_live(token: str, *, touch: bool) -> bool:
    """Whether ``token`` belongs to a live session (touching it counts as activity)."""
    if not token:
        return False
    with session_scope() as session:
        return staff_auth.check_session(session, token, utcnow(), idle_timeout(), touch=touch)


def guard(root: Any, event_name: str) -> int:
    """Reset the loaded staff states whose session is over or not this cookie's; how many."""
    token = cookie_token(root.router.headers.cookie)
    holding = [state for state in _loaded(root) if _holds_data(state)]
    if not token and not holding:
        return 0
    passive = event_name.endswith(PASSIVE_EVENTS)
    live = session_is_live(token, touch=not passive)
    key = staff_auth.session_key(token) if live else ""
    stale = [state for state in holding if not key or state._session_key != key]
    for state in stale:
        forget(state)
    if stale:
        log.info("staff state reset for %d state(s): session over or changed", len(stale))
    return len(stale)


class StaffSessionGuard(Middleware):
    """Before every event (the reconnect's hydrate first of all): drop stale staff data."""

    async def preprocess(self, app: Any, state: Any, event: Any) -> None:
        """Check the session; never answers the event itself."""
        guard(state, event.name)
        return None


class StaffSignOutState(rx.State):
    """The sign-out button: end the session and forget every staff state of this browser."""

    @rx.event
    async def sign_out(self) -> Any:
        """Revoke the session, reset all staff states, then post the form that clears the cookie."""
        token = cookie_token(self.router.headers.cookie)
        if token:
            with tenant_session(self) as session:
                staff_auth.end_session(session, token, utcnow())
        for cls in staff_state_classes():
            forget(await self.get_state(cls))
        from balie.components.staff_frame import native_post  # the component imports states

        return native_post("/api/staff/logout", {})
