"""The app shell of every staff page: header, navigation by role, and the no-access notice.

One component for every staff page: a header with the person's name and roles, the language
switch and sign-out; a side navigation on wide screens (a menu button opens it on narrow ones),
grouped by kind of work, with the current page marked; and the page itself in ``main``.
"""

import json
from typing import Any
from urllib.parse import urlsplit

import reflex as rx
from reflex.config import get_config

from balie.components.layout import language_switch, skip_link
from balie.components.text import t
from balie.i18n import LANGUAGES, TEXTS
from balie.services import tenancy
from balie.states.locale import LocaleState
from balie.states.staff_guard import StaffSignOutState
from balie.states.staff_session import STAFF_PAGES

# The navigation's groups (by kind of work) and the staff pages in each, in menu order.
NAV_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("nav_group_my_work", ("/medewerkers", "/medewerkers/week", "/medewerkers/uren")),
    ("nav_group_contact_centre", ("/medewerkers/boeken", "/medewerkers/zoeken")),
    ("nav_group_figures", ("/medewerkers/team", "/statistieken")),
    (
        "nav_group_admin",
        ("/beheer/catalogus", "/beheer/medewerkers", "/beheer/gegevens", "/beheer/audit"),
    ),
]
ROLES = ("staff", "agent", "manager", "admin")
MENU_BUTTON = "staff-menu-button"
NAV_ID = "staff-nav"

# Opens or closes the navigation on narrow screens, in the browser only (no server round trip).
_TOGGLE_MENU = (
    "(() => { const n = document.getElementById('staff-nav');"
    " const b = document.getElementById('staff-menu-button'); if (!n || !b) return;"
    " const open = n.classList.toggle('staff-nav-open');"
    " b.setAttribute('aria-expanded', String(open)); })()"
)


# Reflex's frontend reads a backend URL with one of these host names as "the page's own host"
# (state.js getBackendURL); links built from it stay on the host the page came from (each
# organisation has its own).
SAME_HOST_NAMES = ("localhost", "0.0.0.0")


def backend_url(path: str) -> str:
    """An address on the backend (the HTTP routes), as the browser reaches it."""
    base = get_config().api_url
    if urlsplit(base).hostname in SAME_HOST_NAMES:
        return path
    return base.rstrip("/") + path


def event_backend_url(path: str) -> str:
    """``backend_url`` while handling an event: on the host of the event's organisation."""
    base = backend_url("")
    return tenancy.request_backend_url(base) + path if base else path


def native_post(path: str, fields: dict[str, str]) -> rx.event.EventSpec:
    """Submit a real (non-Reflex) form, so the backend can set or clear the HttpOnly cookie.

    Reflex forms never leave the page, and the password must not travel over the websocket:
    this script copies the named inputs' values into a plain form in the browser and posts it.
    """
    copies = json.dumps(fields)
    return rx.call_script(
        "(() => { const f = document.createElement('form'); f.method = 'post';"
        f" f.action = {json.dumps(event_backend_url(path))};"
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


def _pages_in(routes: tuple[str, ...]) -> list[tuple[str, str, tuple[str, ...]]]:
    """The staff pages (route, text key, roles) of one navigation group, in menu order."""
    return [page for page in STAFF_PAGES if page[0] in routes]


def _nav_link(state: Any, route: str, key: str, roles: tuple[str, ...], current: str):
    """One item of the navigation; the current page carries aria-current="page"."""
    here = route == current
    return rx.cond(
        _may(state, roles),
        rx.el.li(
            rx.link(
                t(key),
                href=route,
                aria_current="page" if here else None,
                underline="none",
                class_name="staff-nav-link staff-nav-current" if here else "staff-nav-link",
            )
        ),
    )


def staff_menu(state: Any, current: str) -> rx.Component:
    """The navigation: the staff pages this person may open, grouped by kind of work."""
    groups = []
    for group_key, routes in NAV_GROUPS:
        pages = _pages_in(routes)
        if not pages:
            continue
        roles = tuple(sorted({role for _route, _key, allowed in pages for role in allowed}))
        label_id = f"nav-{group_key}"
        groups.append(
            rx.cond(
                _may(state, roles),
                rx.box(
                    rx.el.p(t(group_key), id=label_id, class_name="staff-nav-group-title"),
                    rx.el.ul(
                        *[_nav_link(state, r, k, a, current) for r, k, a in pages],
                        class_name="staff-nav-list",
                        aria_labelledby=label_id,
                    ),
                    class_name="staff-nav-group",
                ),
            )
        )
    return rx.el.nav(*groups, aria_label=t("nav_label"), id=NAV_ID, class_name="staff-nav")


def _role_name(role: rx.Var) -> rx.Var:
    """The name of a role code in the visitor's language (the code itself if unknown)."""
    table = {lang: {r: TEXTS[f"nav_role_{r}"][lang] for r in ROLES} for lang in LANGUAGES}
    return rx.Var.create(table)[LocaleState.lang].to(dict)[role]


def staff_header(state: Any) -> rx.Component:
    """The header: menu button (narrow screens), title, who is signed in, language, sign-out."""
    return rx.el.header(
        rx.el.button(
            rx.icon("menu", size=18, aria_hidden="true"),
            t("nav_menu_button"),
            id=MENU_BUTTON,
            type="button",
            class_name="staff-menu-button",
            aria_expanded="false",
            aria_controls=NAV_ID,
            on_click=rx.call_script(_TOGGLE_MENU),
        ),
        rx.el.span(t("site_title"), class_name="staff-title"),
        rx.cond(
            state.display_name != "",
            rx.box(
                rx.el.span(t("nav_signed_in_as"), " ", class_name="visually-hidden"),
                rx.el.span(state.display_name, class_name="staff-name", id="staff-name"),
                rx.el.span(
                    rx.foreach(
                        state.roles,
                        lambda role: rx.el.span(_role_name(role), class_name="staff-role"),
                    ),
                    class_name="staff-roles",
                ),
                class_name="staff-who",
            ),
        ),
        rx.box(
            language_switch(),
            rx.cond(
                state.display_name != "",
                rx.button(
                    t("staff_sign_out"),
                    # The event ends the session and resets the staff states on the
                    # server, then posts the form that clears the HttpOnly cookie.
                    on_click=StaffSignOutState.sign_out,
                    variant="outline",
                    id="staff-sign-out",
                ),
            ),
            class_name="staff-actions",
        ),
        class_name="staff-header",
    )


def staff_frame(state: Any, route: str, title_key: str, *children: rx.Component) -> rx.Component:
    """A staff page in the app shell: header, navigation, heading, then the content."""
    return rx.box(
        skip_link(),
        staff_header(state),
        rx.box(
            rx.cond(state.display_name != "", staff_menu(state, route)),
            rx.el.main(
                rx.heading(t(title_key), as_="h1", size="7", margin_bottom="0.75rem"),
                # Until the page's load event has said who is signed in, the content would show
                # empty defaults ("0 appointments") and its buttons would act before the data is
                # there. (Not Reflex's is_hydrated: in a browser test with Redis it once stayed
                # false after the page had loaded, while the page being left reconnected.)
                rx.cond(
                    state.display_name != "",
                    rx.cond(
                        state.access_denied,
                        rx.callout(
                            t("no_access"), color_scheme="red", role="alert", id="no-access"
                        ),
                        rx.fragment(*children),
                    ),
                    rx.text(t("staff_loading"), role="status", id="staff-loading"),
                ),
                rx.el.footer(
                    rx.text(
                        t("footer_privacy"),
                        " ",
                        rx.link(t("privacy_link"), href="/privacy", id="footer-privacy"),
                        size="2",
                    ),
                    class_name="staff-footer",
                ),
                id="main",
                tab_index=-1,
                class_name="staff-main",
            ),
            class_name="staff-body",
        ),
        class_name="staff-shell",
        custom_attrs={"lang": LocaleState.lang},
    )
