"""State of the administrators' screen for citizens' data requests (/beheer/gegevens).

Export and erase act on the address of the last successful search, kept in a backend-only
var; the browser cannot point them at another address without searching (which is audited).
Every handler looks the administrator up again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from balie.db_types import utcnow
from balie.i18n import LANGUAGES, format_moment
from balie.models import Organisation
from balie.services.privacy import data_requests
from balie.states.staff_session import StaffSessionState, roles_for_page
from balie.states.tenant import tenant_session

DATA_PAGE = "/beheer/gegevens"
DATA_ROLES = roles_for_page(DATA_PAGE)
TYPED_LIMIT = 320  # what is kept of the typed address when it is refused


@dataclass
class HoldingView:
    """An upcoming appointment that holds the address (no personal data)."""

    reference: str
    when: dict[str, str]
    service: dict[str, str]
    status: str


class DataRequestsState(StaffSessionState, rx.State):
    """Search, export and erase one citizen's data by e-mail address."""

    email: str = ""
    error: str = ""
    problem: str = ""
    message: str = ""
    found_email: str = ""
    past_count: int = 0
    upcoming: list[HoldingView] = []
    done: bool = False
    erased_count: int = 0
    cancelled_count: int = 0
    _searched_email: str = ""

    def _forget_result(self) -> None:
        """Forget the last search and its outcome."""
        self.found_email, self._searched_email = "", ""
        self.past_count, self.upcoming = 0, []

    def _clear(self) -> None:
        """Forget everything private."""
        super()._clear()
        self._forget_result()
        self.email, self.error, self.problem, self.message = "", "", "", ""
        self.done, self.erased_count, self.cancelled_count = False, 0, 0

    @rx.event
    def load(self) -> Any:
        """Open the screen (administrators only), empty."""
        with tenant_session(self) as session:
            staff, redirect = self._open_page(session, DATA_PAGE)
            self._forget_result()
            self.email, self.error, self.problem, self.message = "", "", "", ""
            self.done = False
            if staff is None:
                return redirect
        return None

    @rx.event
    def search(self, form_data: Any) -> None:
        """Count the appointments that hold the typed address; list the upcoming ones."""
        if not isinstance(form_data, dict):
            return
        typed = form_data.get("email")
        with tenant_session(self) as session:
            staff = self._staff_with(session, *DATA_ROLES)
            if staff is None:
                return
            self.problem, self.message, self.done = "", "", False
            self.email = typed[:TYPED_LIMIT] if isinstance(typed, str) else ""
            email, error = data_requests.clean_email(typed)
            self.error = error or ""
            if error:
                self._forget_result()
                return
            lookup = data_requests.look_up(session, staff, email, utcnow())
            tz = ZoneInfo(session.get(Organisation, staff.organisation_id).time_zone)
        self._searched_email, self.found_email = email, email
        self.past_count = lookup.past
        self.upcoming = [
            HoldingView(
                reference=holding.reference,
                when={
                    lang: format_moment(holding.start.astimezone(tz), lang) for lang in LANGUAGES
                },
                service=holding.service_name,
                status=holding.status,
            )
            for holding in lookup.upcoming
        ]

    @rx.event
    def export(self) -> Any:
        """Download everything held about the searched address as JSON (audited)."""
        with tenant_session(self) as session:
            staff = self._staff_with(session, *DATA_ROLES)
            if staff is None:
                return None
            self.message = ""
            if not self._searched_email:
                self.problem = "dr_error_search_first"
                return None
            now = utcnow()
            data = data_requests.export(session, staff, self._searched_email, now)
        self.problem, self.message = "", "dr_exported"
        stamp = now.strftime("%Y%m%d-%H%M")
        digest = data_requests.email_sha256(self._searched_email)[:8]
        return rx.download(
            data=json.dumps(data, ensure_ascii=False, indent=2),
            filename=f"gegevens-{stamp}-{digest}.json",
            mime_type="application/json",
        )

    @rx.event
    def erase(self, form_data: Any) -> None:
        """With the confirmation ticked: cancel what is upcoming, then erase (audited)."""
        if not isinstance(form_data, dict):
            return
        with tenant_session(self) as session:
            staff = self._staff_with(session, *DATA_ROLES)
            if staff is None:
                return
            self.message = ""
            if not self._searched_email:
                self.problem = "dr_error_search_first"
                return
            if form_data.get("confirm") != "on":
                self.problem = "dr_error_confirm"
                return
            try:
                result = data_requests.erase(session, staff, self._searched_email, utcnow())
            except ValueError:
                self.problem = "dr_error_failed"
                return
        self.problem, self.done = "", True
        self.erased_count, self.cancelled_count = result.erased, len(result.cancelled)
        self._forget_result()
