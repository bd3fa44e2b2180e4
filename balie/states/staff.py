"""State of the staff pages: who is signed in (from the HttpOnly cookie) and today's list.

The session token never reaches the browser's JavaScript: it arrives in the websocket's cookie
header, which Reflex keeps server-side. Every handler looks the staff member up again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from balie.db import session_scope
from balie.db_types import utcnow
from balie.i18n import format_day
from balie.models import Organisation, Outcome, StaffMember
from balie.services import booking, staff_day
from balie.services.wizard import join_is_open
from balie.states.staff_session import (
    StaffSessionState,
    first_page_for,
    roles_for_page,
)

NOTE_LIMIT = 2000
TODAY_PAGE = "/medewerkers"
TODAY_ROLES = roles_for_page(TODAY_PAGE)


@dataclass
class RowView:
    """One appointment in the staff list."""

    appointment_id: int
    reference: str
    time_label: str
    service_name: str
    topic_name: str
    preparation: str
    citizen_name: str
    language: str
    question: str
    status: str
    meeting_state: str
    join_url: str
    join_open: bool
    outcome: str


def _attempt(action: Callable[[], object]) -> str:
    """Run a staff action; the message key says whether it was saved."""
    try:
        action()
    except (ValueError, LookupError, PermissionError, booking.NotChangeable):
        return "staff_not_saved"
    return "staff_saved"


class StaffState(StaffSessionState, rx.State):
    """The signed-in staff member and their appointments of today."""

    day_label: dict[str, str] = {}
    rows: list[RowView] = []
    message: str = ""
    loaded: bool = False

    def _clear(self) -> None:
        """Forget everything private."""
        super()._clear()
        self.rows, self.day_label, self.message = [], {}, ""

    def _load_rows(self, session: Any, staff: StaffMember) -> None:
        """Today's own appointments of ``staff``."""
        organisation = session.get(Organisation, staff.organisation_id)
        now = utcnow()
        today = now.astimezone(ZoneInfo(organisation.time_zone)).date()
        rows = staff_day.day_rows(session, staff, today, "nl")
        self.day_label = {lang: format_day(today, lang) for lang in ("nl", "en")}
        self.rows = [
            RowView(
                appointment_id=row.appointment_id,
                reference=row.reference,
                time_label=row.time_label,
                service_name=row.service_name,
                topic_name=row.topic_name,
                preparation=row.preparation,
                citizen_name=row.citizen_name,
                language=row.language,
                question=row.question,
                status=row.status,
                meeting_state=row.meeting_state,
                join_url=row.join_url,
                join_open=join_is_open(row.start, now) and row.status == "booked",
                outcome=row.outcome,
            )
            for row in rows
        ]

    @rx.event
    def load(self) -> Any:
        """Open the staff page; without a valid session, go to the sign-in page."""
        with session_scope() as session:
            staff, redirect = self._open_page(session, TODAY_PAGE)
            if staff is None:
                if redirect is None and self.roles:
                    return rx.redirect(first_page_for(self.roles))
                return redirect
            self._load_rows(session, staff)
        self.loaded = True
        return None

    @rx.event
    def refresh(self) -> None:
        """Reload the list (every few seconds, so new bookings appear without a reload)."""
        with session_scope() as session:
            staff = self._staff_with(session, *TODAY_ROLES)
            if staff is None:
                return
            self._load_rows(session, staff)

    def _own_row(self, appointment_id: Any) -> int | None:
        """The id when it is one of the rows this staff member was shown."""
        if isinstance(appointment_id, int) and not isinstance(appointment_id, bool):
            wanted = appointment_id
        elif isinstance(appointment_id, str) and appointment_id.isdigit():
            wanted = int(appointment_id)
        else:
            return None
        return wanted if any(row.appointment_id == wanted for row in self.rows) else None

    @rx.event
    def save_outcome(self, form_data: Any) -> None:
        """Mark a call completed with its outcome and an internal note."""
        if not isinstance(form_data, dict):
            return
        appointment_id = self._own_row(form_data.get("appointment_id"))
        outcome = form_data.get("outcome")
        note = form_data.get("note", "")
        if appointment_id is None or outcome not in {o.value for o in Outcome}:
            return
        note = note[:NOTE_LIMIT] if isinstance(note, str) else ""
        with session_scope() as session:
            staff = self._staff_with(session, *TODAY_ROLES)
            if staff is None:
                return
            self.message = _attempt(
                lambda: staff_day.record_outcome(
                    session, staff, appointment_id, outcome, note, utcnow()
                )
            )
            self._load_rows(session, staff)

    @rx.event
    def mark_no_show(self, appointment_id: Any) -> None:
        """Record that the citizen did not come."""
        appointment_id = self._own_row(appointment_id)
        if appointment_id is None:
            return
        with session_scope() as session:
            staff = self._staff_with(session, *TODAY_ROLES)
            if staff is None:
                return
            self.message = _attempt(
                lambda: staff_day.mark_no_show(session, staff, appointment_id, utcnow())
            )
            self._load_rows(session, staff)
