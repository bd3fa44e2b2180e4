"""The meeting link and a join button that works from 15 minutes before the start."""

from typing import Any

import reflex as rx

from balie.components.text import t


def join_panel(state: Any) -> rx.Component:
    """Join button and link of ``state`` (vars join_url, join_open; handler tick)."""
    return rx.cond(
        state.join_url != "",
        rx.box(
            rx.cond(
                state.join_open,
                rx.link(
                    t("join"), href=state.join_url, is_external=True, class_name="join", id="join"
                ),
                rx.box(
                    rx.el.button(
                        t("join"),
                        disabled=True,
                        class_name="join",
                        id="join",
                        custom_attrs={"aria-describedby": "join-later"},
                    ),
                    rx.text(t("join_later"), id="join-later", size="2"),
                ),
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
