"""The organisation of a websocket event: from the connection's Host header (set at handshake)."""

from __future__ import annotations

import reflex as rx

from balie.services.tenancy import normalised_host, organisation_slug_for_host


def organisation_slug_of(state: rx.State) -> str | None:
    """The slug of the organisation whose host this browser connected to; None if unknown."""
    return organisation_slug_for_host(normalised_host(state.router.headers.host or ""))
