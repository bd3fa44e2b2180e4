"""Who is signed in on a staff page: the shared base of every staff state.

The session token never reaches the browser's JavaScript: it arrives in the websocket's cookie
header, which Reflex keeps server-side. Every handler looks the staff member up again and checks
the role it needs, so a stale page or a forged event cannot act for someone who signed out.
"""

from __future__ import annotations

from datetime import timedelta
from http.cookies import CookieError, SimpleCookie
from typing import Any

import reflex as rx

from balie.db_types import utcnow
from balie.models import StaffMember
from balie.scoping import scope_session
from balie.services.staff import staff_auth
from balie.settings import get_settings
from balie.states.tenant import organisation_id_of

STAFF_COOKIE = staff_auth.SESSION_COOKIE
SIGN_IN_PAGE = "/medewerkers/aanmelden"

# Each staff page, the text key of its menu item, and the roles that may open it (in menu order).
STAFF_PAGES: list[tuple[str, str, tuple[str, ...]]] = [
    ("/medewerkers", "nav_today", ("staff",)),
    ("/medewerkers/week", "nav_week", ("staff",)),
    ("/medewerkers/team", "nav_team", ("staff", "manager", "admin")),
    ("/medewerkers/boeken", "nav_book_for_citizen", ("agent", "admin")),
    ("/medewerkers/zoeken", "nav_find", ("agent", "admin")),
    ("/medewerkers/uren", "nav_hours", ("staff", "admin")),
    ("/statistieken", "nav_dashboard", ("manager", "admin")),
    ("/beheer/catalogus", "nav_catalogue", ("admin",)),
    ("/beheer/medewerkers", "nav_staff", ("admin",)),
    ("/beheer/gegevens", "nav_data_requests", ("admin",)),
    ("/beheer/audit", "nav_audit", ("admin",)),
    ("/beheer/misbruik", "nav_abuse", ("admin",)),
    ("/beheer/organisatie", "nav_organisation", ("admin",)),
    ("/platform", "nav_platform", ("platform",)),
]


def roles_for_page(route: str) -> tuple[str, ...]:
    """The roles that may open the staff page at ``route``."""
    for page_route, _key, roles in STAFF_PAGES:
        if page_route == route:
            return roles
    raise KeyError(route)


def first_page_for(roles: list[str]) -> str:
    """The first staff page someone with ``roles`` may open (where sign-in lands them)."""
    for route, _key, allowed in STAFF_PAGES:
        if any(role in roles for role in allowed):
            return route
    return SIGN_IN_PAGE


class StaffSessionState(rx.State, mixin=True):
    """Mixin for staff states: the signed-in person, their roles, and the checks."""

    display_name: str = ""
    roles: list[str] = []
    access_denied: bool = False
    # Hash of the session whose data this state holds; the guard (states.staff_guard) resets the
    # state before any event when that session is over or the cookie holds another one.
    _session_key: str = ""

    def _token(self) -> str:
        """The session token from the (HttpOnly) cookie of this connection."""
        try:
            jar = SimpleCookie(self.router.headers.cookie or "")
        except CookieError:
            return ""
        morsel = jar.get(STAFF_COOKIE)
        return morsel.value if morsel else ""

    def _signed_in(self, session: Any) -> StaffMember | None:
        """The staff member behind this browser's session, if it is still valid."""
        idle = timedelta(minutes=get_settings().staff_idle_minutes)
        # Bound to the host's organisation: from here on the session sees only its rows, and
        # a staff member of another city (signed in on its host) is not signed in here.
        organisation_id = organisation_id_of(self)
        scope_session(session, organisation_id)
        staff = staff_auth.staff_for_token(session, self._token(), utcnow(), idle)
        if staff is not None and staff.organisation_id != organisation_id:
            staff = None
        self._session_key = staff_auth.session_key(self._token()) if staff else ""
        return staff

    def _clear(self) -> None:
        """Forget everything private; states with more private vars extend this."""
        self.display_name, self.roles = "", []

    def _staff_with(self, session: Any, *roles: str) -> StaffMember | None:
        """The signed-in staff member when they have one of ``roles``; else clear and None."""
        staff = self._signed_in(session)
        if staff is None or not staff_auth.has_role(staff, *roles):
            self._clear()
            return None
        self.display_name, self.roles = staff.display_name, list(staff.roles)
        return staff

    def _open_page(self, session: Any, route: str) -> tuple[StaffMember | None, Any]:
        """Check access to the page at ``route``: the staff member, or the redirect to send."""
        staff = self._signed_in(session)
        if staff is None:
            self._clear()
            self.access_denied = False
            return None, rx.redirect(SIGN_IN_PAGE)
        if not staff_auth.has_role(staff, *roles_for_page(route)):
            self._clear()
            self.display_name, self.roles = staff.display_name, list(staff.roles)
            self.access_denied = True
            return None, None
        self.access_denied = False
        self.display_name, self.roles = staff.display_name, list(staff.roles)
        return staff, None
