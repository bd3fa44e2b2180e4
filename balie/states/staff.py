"""State of the staff pages: who is signed in (from the HttpOnly cookie) and today's list.

The session token never reaches the browser's JavaScript: it arrives in the websocket's cookie
header, which Reflex keeps server-side. Every handler looks the staff member up again.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx
from sqlmodel import Session

from balie.db_types import utcnow
from balie.i18n import LANGUAGES, format_day, format_moment
from balie.models import (
    Appointment,
    AppointmentStatus,
    MeetingState,
    Organisation,
    Outcome,
    StaffMember,
)
from balie.services import booking, documents
from balie.services.staff import staff_day
from balie.services.validation import positive_id
from balie.services.wizard import join_is_open
from balie.settings import get_settings
from balie.states import documents as shared
from balie.states.documents import DocumentView
from balie.states.staff_session import (
    StaffSessionState,
    first_page_for,
    roles_for_page,
)
from balie.states.tenant import tenant_session
from balie.states.time_picker import TimePickerState
from balie.worker import run_appointment_jobs

NOTE_LIMIT = 2000
TODAY_PAGE = "/medewerkers"
TODAY_ROLES = roles_for_page(TODAY_PAGE)
FOCUS = "setTimeout(() => document.getElementById('{}')?.focus(), 60)"

# The text keys that turn stored codes into words (the page looks them up per language).
STATUS_KEYS = [f"status_{status.value}" for status in AppointmentStatus]
OUTCOME_KEYS = [f"outcome_{outcome.value}" for outcome in Outcome]
LANGUAGE_KEYS = [f"language_{language}" for language in LANGUAGES]
MEETING_KEYS = [f"work_meeting_{state.value}" for state in MeetingState]


def word_key(prefix: str, code: str, known: list[str]) -> str:
    """The text key for a stored code (``status_booked``), or "" for an unknown code."""
    key = f"{prefix}_{code}"
    return key if code and key in known else ""


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
    language_key: str
    question: str
    status: str
    status_key: str
    outcome_key: str
    meeting_state: str
    meeting_key: str
    join_url: str
    join_open: bool
    can_retry: bool
    can_follow_up: bool
    phase: str = ""
    documents: list[DocumentView] = field(default_factory=list)
    identity_needed: bool = False
    identity_line: dict[str, str] = field(default_factory=dict)
    identity_name: str = ""
    identity_birth_date: str = ""
    identity_number: str = ""
    identity_confirmed: bool = False


def _row_view(
    row: staff_day.DayRow, now: datetime, docs: list[DocumentView] | None = None
) -> RowView:
    """What the page shows of one appointment: codes become text keys."""
    return RowView(
        appointment_id=row.appointment_id,
        reference=row.reference,
        time_label=row.time_label,
        service_name=row.service_name,
        topic_name=row.topic_name,
        preparation=row.preparation,
        citizen_name=row.citizen_name,
        language_key=word_key("language", row.language, LANGUAGE_KEYS),
        question=row.question,
        status=row.status,
        status_key=word_key("status", row.status, STATUS_KEYS),
        outcome_key=word_key("outcome", row.outcome, OUTCOME_KEYS),
        meeting_state=row.meeting_state,
        meeting_key=word_key("work_meeting", row.meeting_state, MEETING_KEYS),
        join_url=row.join_url,
        join_open=join_is_open(row.start, now) and row.status == "booked",
        can_retry=row.status == "booked" and row.meeting_state == "failed",
        can_follow_up=row.status == "completed" and row.outcome == "follow_up",
        phase=staff_day.phase(row, now),
        documents=docs or [],
        identity_needed=row.identity_needed,
        identity_line=dict(row.identity_line),
        identity_name=row.identity_name,
        identity_birth_date=row.identity_birth_date,
        identity_number=row.identity_number,
        identity_confirmed=row.identity_confirmed,
    )


def countdown(start: datetime, now: datetime) -> dict[str, str]:
    """'over 25 min' / 'in 1 h 5 min': the time left until ``start`` (whole minutes, up)."""
    minutes = max(0, -(-int((start - now).total_seconds()) // 60))
    hours, minutes = divmod(minutes, 60)
    if hours:
        return {"nl": f"over {hours} u {minutes} min", "en": f"in {hours} h {minutes} min"}
    return {"nl": f"over {minutes} min", "en": f"in {minutes} min"}


def _attempt(action: Callable[[], object]) -> str:
    """Run a staff action; the message key says whether it was saved."""
    try:
        action()
    except staff_day.IdentityNotConfirmed:
        return "identity_confirm_first"
    except (ValueError, LookupError, PermissionError, booking.NotChangeable):
        return "staff_not_saved"
    return "staff_saved"


class StaffState(StaffSessionState, TimePickerState, rx.State):
    """The signed-in staff member and their appointments of today."""

    day_label: dict[str, str] = {}
    rows: list[RowView] = []
    message: str = ""
    loaded: bool = False
    # The follow-up being booked (one at a time), and the last one booked.
    follow_up_id: int = 0
    follow_up_start: str = ""
    follow_up_label: dict[str, str] = {}
    follow_up_notice: str = ""
    booked_for_id: int = 0
    booked_reference: str = ""
    booked_label: dict[str, str] = {}
    # The next call still to start: what, when, and the time left (refreshed every 5 s).
    next_reference: str = ""
    next_label: str = ""
    next_countdown: dict[str, str] = {}
    # The appointment a document is being added to (one at a time) and the last outcome.
    upload_for_id: int = 0
    max_size_label: str = ""
    document_message: str = ""
    document_file: str = ""
    checking: bool = False
    _follow_up_key: str = ""
    _upload_for_id: int = 0
    _pending: list[int] = []
    _codes: list[str] = []

    def _clear(self) -> None:
        """Forget everything private."""
        super()._clear()
        self.rows, self.day_label, self.message = [], {}, ""
        self.next_reference, self.next_label, self.next_countdown = "", "", {}
        self._close_follow_up()
        self.booked_for_id, self.booked_reference, self.booked_label = 0, "", {}
        self._close_upload()

    def _close_follow_up(self) -> None:
        """Close the follow-up picker."""
        self.follow_up_id, self.follow_up_start, self.follow_up_label = 0, "", {}
        self.follow_up_notice, self._follow_up_key = "", ""
        self._clear_days()

    def _load_rows(self, session: Any, staff: StaffMember, *, audited: bool = False) -> None:
        """Today's own appointments of ``staff`` (audited only when the page opens)."""
        organisation = session.get(Organisation, staff.organisation_id)
        now = utcnow()
        today = now.astimezone(ZoneInfo(organisation.time_zone)).date()
        roles = tuple(get_settings().identity_national_number_roles)
        rows = staff_day.day_rows(session, staff, today, "nl", audited=audited, number_roles=roles)
        self.day_label = {lang: format_day(today, lang) for lang in LANGUAGES}
        found = documents.documents_for(session, [row.appointment_id for row in rows])
        self.rows = [
            _row_view(row, now, shared.staff_views(found.get(row.appointment_id, [])))
            for row in rows
        ]
        upcoming = staff_day.next_call(rows, now)
        self.next_reference = upcoming.reference if upcoming else ""
        self.next_label = f"{upcoming.time_label} · {upcoming.citizen_name}" if upcoming else ""
        self.next_countdown = countdown(upcoming.start, now) if upcoming else {}

    @rx.event
    def load(self) -> Any:
        """Open the staff page; without a valid session, go to the sign-in page."""
        with tenant_session(self) as session:
            staff, redirect = self._open_page(session, TODAY_PAGE)
            if staff is None:
                if redirect is None and self.roles:
                    return rx.redirect(first_page_for(self.roles))
                return redirect
            self.message = ""
            self._close_follow_up()
            self._load_rows(session, staff, audited=True)
        self.loaded = True
        return None

    @rx.event
    def refresh(self) -> None:
        """Reload the list (every few seconds, so new bookings appear without a reload)."""
        with tenant_session(self) as session:
            staff = self._staff_with(session, *TODAY_ROLES)
            if staff is None:
                return
            self._load_rows(session, staff)

    def _own_row(self, appointment_id: Any) -> int | None:
        """The id when it is one of the rows this staff member was shown."""
        wanted = positive_id(appointment_id)
        if wanted is None:
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
        with tenant_session(self) as session:
            staff = self._staff_with(session, *TODAY_ROLES)
            if staff is None:
                return
            self.message = _attempt(
                lambda: staff_day.record_outcome(
                    session, staff, appointment_id, outcome, note, utcnow()
                )
            )
            self._load_rows(session, staff)

    def _act_on_own_row(
        self, appointment_id: Any, action: Callable[[Session, StaffMember, int], object]
    ) -> None:
        """Run ``action`` on one of this counsellor's rows; say whether it was saved."""
        appointment_id = self._own_row(appointment_id)
        if appointment_id is None:
            return
        with tenant_session(self) as session:
            staff = self._staff_with(session, *TODAY_ROLES)
            if staff is None:
                return
            self.message = _attempt(lambda: action(session, staff, appointment_id))
            self._load_rows(session, staff)

    @rx.event
    def confirm_identity(self, appointment_id: Any) -> None:
        """At the start of the call: the person on screen is the person who signed in."""
        self._act_on_own_row(
            appointment_id,
            lambda session, staff, row: staff_day.confirm_identity(session, staff, row, utcnow()),
        )

    @rx.event
    def mark_no_show(self, appointment_id: Any) -> None:
        """Record that the citizen did not come."""
        self._act_on_own_row(
            appointment_id,
            lambda session, staff, row: staff_day.mark_no_show(session, staff, row, utcnow()),
        )

    @rx.event
    def retry_meeting(self, appointment_id: Any) -> None:
        """Make a failed meeting link again (the background worker does the work)."""
        appointment_id = self._own_row(appointment_id)
        if appointment_id is None:
            return
        with tenant_session(self) as session:
            staff = self._staff_with(session, *TODAY_ROLES)
            if staff is None:
                return
            try:
                staff_day.retry_meeting(session, staff, appointment_id, utcnow())
                self.message = "work_retry_started"
            except (LookupError, PermissionError, booking.NotChangeable):
                self.message = "work_retry_refused"
            self._load_rows(session, staff)

    # --- follow-up in one step ---------------------------------------------------------------

    @rx.event
    def start_follow_up(self, appointment_id: Any) -> Any:
        """Offer the next free times of the same service for a follow-up appointment."""
        appointment_id = self._own_row(appointment_id)
        if appointment_id is None:
            return None
        with tenant_session(self) as session:
            staff = self._staff_with(session, *TODAY_ROLES)
            if staff is None:
                return None
            try:
                days = staff_day.follow_up_days(session, staff, appointment_id, utcnow())
            except (LookupError, PermissionError, booking.NotChangeable):
                self._close_follow_up()
                self.message = "work_follow_up_refused"
                return None
        self._close_follow_up()
        self.message = ""
        self.follow_up_id = appointment_id
        self._follow_up_key = f"follow-up:{secrets.token_urlsafe(24)}"
        self._set_days(days)
        return rx.call_script(FOCUS.format("follow-up-heading"))

    @rx.event
    def choose_time(self, start: Any) -> Any:
        """Pick the follow-up's time (one of the offered times); it still needs confirming."""
        chosen = self._offered_time(start)
        if chosen is None or not self.follow_up_id:
            return None
        self.follow_up_start = chosen.start
        self.follow_up_label = self._time_label(chosen)
        self.follow_up_notice = ""
        return rx.call_script(FOCUS.format("follow-up-confirm-heading"))

    @rx.event
    def other_time(self) -> Any:
        """Back from the confirmation to the times."""
        if not self.follow_up_id:
            return None
        self.follow_up_start, self.follow_up_label = "", {}
        return rx.call_script(FOCUS.format("follow-up-heading"))

    @rx.event
    def close_follow_up(self) -> None:
        """Do not book a follow-up after all."""
        self._close_follow_up()

    @rx.event
    async def confirm_follow_up(self) -> Any:
        """Book the chosen follow-up; when the time was just taken, offer the times again."""
        if not self.follow_up_id or not self.follow_up_start:
            return None
        outcome = await asyncio.to_thread(self._book_follow_up)
        if outcome == "booked":
            return rx.call_script(FOCUS.format("follow-up-booked"))
        if outcome:
            self.follow_up_notice = outcome
            return rx.call_script(FOCUS.format("follow-up-notice"))
        return None

    def _book_follow_up(self) -> str:
        """Book through the staff service, then make the link and send the e-mail."""
        settings = get_settings()
        source_id = self.follow_up_id
        start = datetime.fromisoformat(self.follow_up_start)  # one of the offered times
        with tenant_session(self) as session:
            staff = self._staff_with(session, *TODAY_ROLES)
            if staff is None:
                return ""
            try:
                booked = staff_day.book_follow_up(
                    session,
                    staff,
                    source_id,
                    start,
                    meeting_provider=settings.meeting_provider,
                    secret_key=settings.secret_key.get_secret_value(),
                    idempotency_key=self._follow_up_key,
                    now=utcnow(),
                )
            except booking.SlotTaken:
                self.follow_up_start, self.follow_up_label = "", {}
                self._reoffer(session, staff, source_id)
                return "work_follow_up_taken"
            except (booking.BookingError, LookupError, PermissionError):
                return "work_follow_up_failed"
            new = booked.appointment
            organisation = session.get(Organisation, new.organisation_id)
            local = new.start_at.astimezone(ZoneInfo(organisation.time_zone))
            self.booked_label = {lang: format_moment(local, lang) for lang in LANGUAGES}
            self.booked_reference, self.booked_for_id = new.reference, source_id
            new_id, replayed = new.id, booked.replayed
            self._close_follow_up()
            self._load_rows(session, staff)
        if not replayed:
            run_appointment_jobs(new_id)  # the link is usually there before the e-mail leaves
        return "booked"

    def _reoffer(self, session: Any, staff: StaffMember, source_id: int) -> None:
        """Offer the free times again after the chosen one was taken."""
        try:
            self._set_days(staff_day.follow_up_days(session, staff, source_id, utcnow()))
        except (LookupError, PermissionError, booking.NotChangeable):
            self._clear_days()

    # --- documents for the citizen --------------------------------------------------------

    def _close_upload(self) -> None:
        """Close the upload panel."""
        self.upload_for_id = self._upload_for_id = 0
        self.document_message, self.document_file, self.checking = "", "", False

    @rx.event
    def open_upload(self, appointment_id: Any) -> Any:
        """Open the panel to add a document to one of the own appointments of today."""
        appointment_id = self._own_row(appointment_id)
        if appointment_id is None:
            return None
        with tenant_session(self) as session:
            staff = self._staff_with(session, *TODAY_ROLES)
            appointment = session.get(Appointment, appointment_id) if staff else None
            if appointment is None or not documents.staff_may_access(session, staff, appointment):
                return None
        self._close_upload()
        self.upload_for_id = self._upload_for_id = appointment_id
        self.max_size_label = documents.size_label(get_settings().document_max_bytes)
        return rx.call_script(FOCUS.format("staff-upload-heading"))

    @rx.event
    def close_upload(self) -> None:
        """Close the panel without sending anything."""
        self._close_upload()

    @rx.event
    async def upload_documents(self, files: list[rx.UploadFile]) -> Any:
        """Receive files for the citizen into quarantine; the scan follows outside the lock."""
        appointment_id = self._own_row(self._upload_for_id)
        if appointment_id is None or self.checking:
            return None
        uploads = await shared.read_uploads(files)
        if not uploads:
            self.document_message, self.document_file = "doc_no_file", ""
            return None
        ids, codes = await asyncio.to_thread(self._receive, appointment_id, uploads)
        self.document_file = ", ".join(name for name, _data in uploads)
        self._pending, self._codes = ids, codes
        if not ids:
            self.document_message = shared.message_for(codes, 0)
            return None
        self.checking, self.document_message = True, ""
        return StaffState.check_documents

    def _receive(self, appointment_id: int, uploads: list) -> tuple[list[int], list[str]]:
        """Quarantine the uploads when this counsellor may add documents to the appointment."""
        with tenant_session(self) as session:
            staff = self._staff_with(session, *TODAY_ROLES)
            appointment = session.get(Appointment, appointment_id) if staff else None
            if appointment is None or not documents.staff_may_access(session, staff, appointment):
                return [], []
            return shared.receive_all(appointment, uploads, session, staff=staff)

    @rx.event(background=True)
    async def check_documents(self) -> None:
        """Scan the documents just received (a background event: no lock while ClamAV works)."""
        if not self._pending:
            return
        async with self:
            pending, codes = self._pending, self._codes
            self._pending, self._codes = [], []
        codes = codes + await asyncio.to_thread(shared.check_all, pending)
        async with self:
            self.checking = False
            self.document_message = shared.message_for(codes, len(pending))
            with tenant_session(self) as session:
                staff = self._staff_with(session, *TODAY_ROLES)
                if staff is not None:
                    self._load_rows(session, staff)
