"""The frame of every staff page: menu by role, sign-out, and the no-access notice."""

import json
from typing import Any

import reflex as rx
from reflex.config import get_config

from balie.components.layout import page_frame
from balie.components.text import t
from balie.states.staff_guard import StaffSignOutState
from balie.states.staff_session import STAFF_PAGES


def backend_url(path: str) -> str:
    """An address on the backend (the HTTP routes), as the browser reaches it."""
    return get_config().api_url.rstrip("/") + path


def native_post(path: str, fields: dict[str, str]) -> rx.event.EventSpec:
    """Submit a real (non-Reflex) form, so the backend can set or clear the HttpOnly cookie.

    Reflex forms never leave the page, and the password must not travel over the websocket:
    this script copies the named inputs' values into a plain form in the browser and posts it.
    """
    copies = json.dumps(fields)
    return rx.call_script(
        "(() => { const f = document.createElement('form'); f.method = 'post';"
        f" f.action = {json.dumps(backend_url(path))};"
        f" for (const [name, id] of Object.entries({copies})) {{"
        " const i = document.createElement('input'); i.type = 'hidden'; i.name = name;"
        " i.value = document.getElementById(id)?.value ?? ''; f.appendChild(i); }"
        " document.body.appendChild(f); f.submit(); })()"
    )


def _may(state: Any, roles: tuple[str, ...]) -> rx.Var:
    """In the browser: whether the signed-in person has one of ``roles``."""
    condition = state.roles.contains(roles[0])
    for role in roles[1:]:
        condition = condition | state.roles.contains(role)
    return condition


def staff_menu(state: Any, current: str) -> rx.Component:
    """Links to the staff pages this person may open; the current one is marked."""
    items = [
        rx.cond(
            _may(state, roles),
            rx.el.li(
                rx.link(
                    t(key),
                    href=route,
                    aria_current="page" if route == current else None,
                    class_name="staff-menu-link",
                )
            ),
        )
        for route, key, roles in STAFF_PAGES
    ]
    return rx.el.nav(
        rx.el.ul(*items, class_name="staff-menu"),
        aria_label=t("nav_label"),
    )


def staff_frame(state: Any, route: str, title_key: str, *children: rx.Component) -> rx.Component:
    """A staff page: menu, heading, sign-out, then the content (or the no-access notice)."""
    return page_frame(
        rx.cond(
            state.display_name != "",
            rx.box(
                rx.hstack(
                    rx.text(state.display_name, weight="bold"),
                    rx.spacer(),
                    rx.button(
                        t("staff_sign_out"),
                        # The event ends the session and resets the staff states on the
                        # server, then posts the form that clears the HttpOnly cookie.
                        on_click=StaffSignOutState.sign_out,
                        variant="outline",
                        id="staff-sign-out",
                    ),
                    align="center",
                    wrap="wrap",
                ),
                staff_menu(state, route),
                margin_bottom="1rem",
            ),
        ),
        rx.heading(t(title_key), as_="h1", size="7", margin_bottom="0.75rem"),
        # Until the page's load event has said who is signed in, the content would show empty
        # defaults ("0 appointments") and its buttons would act before the data is there.
        # (Not Reflex's is_hydrated: in a browser test with Redis it once stayed false after the
        # page had loaded, while the page being left reconnected, so the page never showed.)
        rx.cond(
            state.display_name != "",
            rx.cond(
                state.access_denied,
                rx.callout(t("no_access"), color_scheme="red", role="alert", id="no-access"),
                rx.fragment(*children),
            ),
            rx.text(t("staff_loading"), role="status", id="staff-loading"),
        ),
    )
