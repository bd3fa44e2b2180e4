"""The meeting link and a join button that appears from 15 minutes before the start."""

from typing import Any

import reflex as rx

from balie.components.text import localised, t
from balie.services.wizard import JOIN_OPENS_BEFORE

JOIN_MINUTES = str(int(JOIN_OPENS_BEFORE.total_seconds() // 60))


def join_opens_text(state: Any) -> rx.Var:
    """'The call opens on <day> at <time>; the button appears N minutes before' (vars of state)."""
    return (
        t("join_opens")
        .replace("{when}", localised(state.when).to(str))
        .replace("{minutes}", JOIN_MINUTES)
    )


def join_panel(state: Any) -> rx.Component:
    """Join button and link of ``state`` (vars join_url, join_open, when; handler tick).

    Before the call opens there is no greyed-out button (it looks broken): the text says when.
    """
    return rx.cond(
        state.join_url != "",
        rx.box(
            rx.cond(
                state.join_open,
                rx.link(
                    t("join"), href=state.join_url, is_external=True, class_name="join", id="join"
                ),
                rx.text(join_opens_text(state), id="join-later", class_name="join-later"),
            ),
            rx.text(
                t("join_link"),
                ": ",
                rx.link(state.join_url, href=state.join_url, is_external=True, id="join-url"),
            ),
            rx.moment(interval=30000, on_change=state.tick, display="none"),
        ),
        rx.text(t("meeting_pending"), role="status"),
    )
