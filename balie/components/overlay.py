"""Reflex's connection overlay without its hidden banner.

Reflex puts a zero-height <div title="Connection Error: …"> on every page (its "pulser");
HTML_CodeSniffer flags it. The toast that says the connection is lost stays, and so does the
pulsing icon (decorative: the toast says it in words).
"""

import reflex as rx
from reflex.components.core.banner import (
    WifiOffPulse,
    connection_toaster,
    has_connection_errors,
)


@rx.memo
def connection_overlay_parts() -> rx.Component:
    """The pulsing icon and the toast; memoised so their hooks run inside the event loop."""
    return rx.fragment(
        rx.cond(has_connection_errors, WifiOffPulse.create(aria_hidden="true")),
        connection_toaster(),
    )


def connection_overlay(stateful: bool) -> rx.Component | None:
    """The app wrap that replaces Reflex's default overlay (same place: (5, "Overlay"))."""
    if not stateful:
        return None
    return rx.fragment(connection_overlay_parts())
