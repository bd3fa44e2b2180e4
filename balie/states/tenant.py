"""The organisation of a websocket event: from the connection's Host header (set at handshake).

The browser cannot change ``router.headers`` per event (Reflex takes them from the websocket
handshake, which HttpGuard only lets through for a known host). Never router.page.host, query
parameters or event arguments.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import reflex as rx
from reflex.middleware import Middleware
from sqlmodel import Session

from balie.db import session_scope
from balie.services import tenancy
from balie.services.tenancy import normalised_host, organisation_slug_for_host
from balie.settings import get_settings

# A state called directly (tests, tools) has no handshake; outside production it stands for
# the development host. In production every connection passed HttpGuard with a known host.
NO_HANDSHAKE_HOST = "localhost"


def _host_of(state: rx.State) -> str:
    """The normalised Host of this browser's websocket handshake."""
    host = normalised_host(state.router.headers.host or "")
    if not host and not get_settings().is_production:
        return NO_HANDSHAKE_HOST
    return host


def organisation_slug_of(state: rx.State) -> str | None:
    """The slug of the organisation whose host this browser connected to; None if unknown."""
    return organisation_slug_for_host(_host_of(state))


def organisation_id_of(state: rx.State) -> int:
    """The id of that organisation (tenancy.NO_ORGANISATION when unknown: sees nothing)."""
    return tenancy.scope_for_host(_host_of(state))


@contextmanager
def tenant_session(state: rx.State) -> Iterator[Session]:
    """A database session scoped to the organisation of this browser's host."""
    with session_scope(organisation_id=organisation_id_of(state)) as session:
        yield session


class TenantScope(Middleware):
    """Before every event: sessions opened while handling it are scoped to the host's city."""

    async def preprocess(self, app: Any, state: Any, event: Any) -> None:
        """Set the current organisation; never answers the event itself."""
        tenancy.current_organisation_slug.set(organisation_slug_of(state))
        tenancy.current_organisation_id.set(organisation_id_of(state))
        return None
