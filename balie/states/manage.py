"""State of the citizen's manage page: view, move or cancel one appointment.

The page is opened with the personal link (reference + token). Every handler looks the
appointment up again with that token, so a browser can only ever touch its own appointment.
When the appointment needed identification, its documents also need a live sign-in of the same
person in this browser (the HttpOnly cookie, read from the connection); time and cancelling
keep working with the link alone.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import reflex as rx
from reflex.config import get_config

from balie.api_identity import START_PATH
from balie.db_types import utcnow
from balie.models import Appointment, Organisation, Service, Topic
from balie.services import booking, documents
from balie.services.citizen_mail import calendar_file
from balie.services.identity import owner, signin
from balie.services.wizard import bookable_days, join_is_open, summarise
from balie.settings import get_settings
from balie.states import documents as shared
from balie.states.abuse import requester_of
from balie.states.documents import DocumentView
from balie.states.tenant import tenant_session
from balie.states.time_picker import TimePickerState
from balie.worker import run_appointment_jobs

FOCUS_HEADING = "setTimeout(() => document.getElementById('step-heading')?.focus(), 60)"
MODES = ("view", "move", "confirm_move", "cancel")
SIGN_IN_NEEDED = "sign_in_needed"
# Sign-in outcomes shown as they are; the others speak of a booking, so the page says "failed".
SIGN_IN_OUTCOMES = ("identity_off", "identity_expired", "identity_unavailable", "identity_busy")


def _outcome_key(outcome: Any) -> str:
    """The text key for the sign-in's outcome in the return address ("" when none or ok)."""
    if not isinstance(outcome, str) or outcome in ("", "ok"):
        return ""
    return outcome if outcome in SIGN_IN_OUTCOMES else "doc_sign_in_failed"


class ManageState(TimePickerState, rx.State):
    """One citizen's appointment, found by its personal link."""

    loaded: bool = False
    found: bool = False
    mode: str = "view"
    reference: str = ""
    status: str = ""
    service_name: dict[str, str] = {}
    topic_name: dict[str, str] = {}
    preparation: dict[str, str] = {}
    when: dict[str, str] = {}
    join_url: str = ""
    join_open: bool = False
    can_change: bool = False
    new_start: str = ""
    new_label: dict[str, str] = {}
    notice: str = ""
    message: str = ""
    # Documents: what the topic asks for, what was sent, and the outcome of the last upload.
    requested_documents: list[dict[str, str]] = []
    documents: list[DocumentView] = []
    can_upload: bool = False
    max_size_label: str = ""
    document_message: str = ""
    document_file: str = ""
    checking: bool = False
    # Identification: the documents need a sign-in of the appointment's person in this browser.
    documents_locked: bool = False
    signed_in_other: bool = False
    identity_outcome: str = ""
    identity_start_url: str = ""
    _token: str = ""
    _start_iso: str = ""
    _pending: list[int] = []
    _codes: list[str] = []

    def _current(self, session: Any) -> Appointment | None:
        """The appointment this browser opened with its personal link."""
        if not self.reference or not self._token:
            return None
        return booking.find_by_token(session, self.reference, self._token)

    def _show(self, session: Any, appointment: Appointment) -> None:
        """Copy what the citizen may see into the page."""
        summaries = {lang: summarise(session, appointment, lang) for lang in ("nl", "en")}
        nl = summaries["nl"]
        self.found = True
        self.status = nl.status
        self.service_name = {lang: s.service_name for lang, s in summaries.items()}
        self.topic_name = {lang: s.topic_name for lang, s in summaries.items()}
        self.preparation = {lang: s.preparation for lang, s in summaries.items()}
        self.when = {lang: s.when for lang, s in summaries.items()}
        self.join_url = nl.join_url
        now = utcnow()
        self._start_iso = appointment.start_at.isoformat()
        self.join_open = join_is_open(appointment.start_at, now)
        self.can_change = nl.status == "booked" and appointment.start_at > now
        topic = session.get(Topic, appointment.topic_id)
        requested = topic.documents_requested if topic else []
        self.requested_documents = [dict(item) for item in requested if isinstance(item, dict)]
        person = signin.verified_for(session, self._identity_cookie(), now)
        allowed = owner.may_share_documents(appointment, topic, person)
        self.documents_locked = not allowed
        self.signed_in_other = person is not None and not allowed
        self.identity_start_url = "" if allowed else self._start_url()
        docs = documents.documents_of(session, appointment.id) if allowed else []
        self.documents = shared.citizen_views(docs, self.reference, self._token)
        self.can_upload = allowed and documents.may_exchange(appointment, now)
        self.max_size_label = documents.size_label(get_settings().document_max_bytes)

    def _identity_cookie(self) -> str:
        """This browser's sign-in cookie (HttpOnly: read from the connection, never the page)."""
        return signin.cookie_from_header(self.router.headers.cookie)

    def _start_url(self) -> str:
        """The sign-in's start route for this link; it comes back to this page."""
        query = urlencode({"afspraak": self.reference, "token": self._token})
        return f"{(get_config().api_url or '').rstrip('/')}{START_PATH}?{query}"

    def _may_share(self, session: Any, appointment: Appointment) -> bool:
        """Whether this browser may see and send the appointment's documents (checked again)."""
        person = signin.verified_for(session, self._identity_cookie(), utcnow())
        topic = session.get(Topic, appointment.topic_id)
        return owner.may_share_documents(appointment, topic, person)

    def _refresh(self) -> None:
        """Show the appointment as the database has it now."""
        with tenant_session(self) as session:
            appointment = self._current(session)
            if appointment is not None:
                self._show(session, appointment)

    @rx.event
    def load(self) -> None:
        """Open the appointment named in the link."""
        params = self.router.url.query_parameters
        reference, token = params.get("ref", ""), params.get("token", "")
        self.reference = reference.strip().upper()[:16] if isinstance(reference, str) else ""
        self._token = token[:256] if isinstance(token, str) else ""
        self.mode, self.notice, self.message, self.found = "view", "", "", False
        self.document_message, self.document_file, self.documents = "", "", []
        self.checking = False
        self.identity_outcome = _outcome_key(params.get("aanmelding", ""))
        with tenant_session(self) as session:
            appointment = self._current(session)
            if appointment is not None:
                self._show(session, appointment)
        if not self.found:
            self.reference, self._token = "", ""
        self.loaded = True

    @rx.event
    def tick(self) -> None:
        """Re-check whether the join button may be used."""
        if self._start_iso:
            self.join_open = join_is_open(datetime.fromisoformat(self._start_iso), utcnow())

    def _open(self, mode: str) -> Any:
        """Switch the page to ``mode`` and move focus to its heading."""
        self.mode = mode
        return rx.call_script(FOCUS_HEADING)

    @rx.event
    def back_to_view(self) -> Any:
        """Leave moving or cancelling without changes."""
        self.notice = ""
        return self._open("view")

    @rx.event
    def start_cancel(self) -> Any:
        """Ask for confirmation (and an optional reason) before cancelling."""
        return self._open("cancel") if self.can_change else None

    @rx.event
    async def cancel_appointment(self, form_data: Any) -> Any:
        """Cancel, tell the citizen by e-mail, and show the result."""
        if not self.can_change:
            return None
        reason = form_data.get("reason", "") if isinstance(form_data, dict) else ""
        reason = reason[:500] if isinstance(reason, str) else ""
        self.message = await asyncio.to_thread(self._cancel, reason)
        return self._open("view")

    def _cancel(self, reason: str) -> str:
        """Cancel in the database, then cancel the meeting and send the e-mail."""
        with tenant_session(self) as session:
            appointment = self._current(session)
            if appointment is None:
                return "manage_not_found"
            try:
                booking.cancel(session, appointment, reason)
            except booking.NotChangeable:
                self._show(session, appointment)
                return "not_changeable_note"
            appointment_id = appointment.id
        run_appointment_jobs(appointment_id)
        self._refresh()
        return "cancelled_done"

    def _offer_move_times(self) -> bool:
        """Load the free times of the same service; False when the appointment is gone."""
        with tenant_session(self) as session:
            appointment = self._current(session)
            if appointment is None:
                return False
            organisation = session.get(Organisation, appointment.organisation_id)
            service = session.get(Service, appointment.service_id)
            self._set_days(bookable_days(session, organisation, service, utcnow()))
        return True

    @rx.event
    def start_move(self) -> Any:
        """Offer the free times of the same service."""
        if not self.can_change or not self._offer_move_times():
            return None
        self.notice, self.message = "", ""
        return self._open("move")

    @rx.event
    def choose_time(self, start: Any) -> Any:
        """Pick the new time; the move still needs confirming."""
        chosen = self._offered_time(start)
        if chosen is None or self.mode != "move":
            return None
        self.new_start = chosen.start
        self.new_label = self._time_label(chosen)
        return self._open("confirm_move")

    @rx.event
    async def confirm_move(self) -> Any:
        """Move atomically; when the time was just taken, offer the times again."""
        if self.mode != "confirm_move" or not self.new_start:
            return None
        outcome = await asyncio.to_thread(self._move, datetime.fromisoformat(self.new_start))
        if outcome == "error_slot_taken":
            self.notice = outcome
            self._offer_move_times()
            return self._open("move")
        self.message = outcome
        return self._open("view")

    def _move(self, new_start: datetime) -> str:
        """Reschedule in the database, then move the meeting and send the e-mail."""
        with tenant_session(self) as session:
            appointment = self._current(session)
            if appointment is None:
                return "manage_not_found"
            try:
                booking.reschedule(session, appointment, new_start)
            except booking.SlotTaken:
                return "error_slot_taken"
            except booking.Busy:
                return "error_busy"
            except booking.NotChangeable:
                return "not_changeable_note"
            appointment_id = appointment.id
        run_appointment_jobs(appointment_id)
        self._refresh()
        return "moved"

    @rx.event
    def download_calendar(self) -> Any:
        """The appointment (or its cancellation) as an .ics file."""
        with tenant_session(self) as session:
            appointment = self._current(session)
            if appointment is None:
                return None
            ics = calendar_file(session, appointment.id, get_settings())
        return rx.download(data=ics, filename=f"afspraak-{self.reference}.ics")

    @rx.event
    async def upload_documents(self, files: list[rx.UploadFile]) -> Any:
        """Receive up to three files into quarantine; the scan follows outside the lock."""
        if not self.found or self.checking:
            return None
        uploads = await shared.read_uploads(files)
        if not uploads:
            self.document_message, self.document_file = "doc_no_file", ""
            return None
        address = requester_of(self).address
        ids, codes = await asyncio.to_thread(self._receive, uploads, address)
        self.document_file = ", ".join(name for name, _data in uploads)
        self._pending, self._codes = ids, codes
        if not ids:
            self.document_message = shared.message_for(codes, 0)
            return None
        self.checking, self.document_message = True, ""
        self._refresh()
        return ManageState.check_documents

    def _receive(self, uploads: list, address: str) -> tuple[list[int], list[str]]:
        """Quarantine the uploads for the appointment of this link."""
        with tenant_session(self) as session:
            appointment = self._current(session)
            if appointment is None:
                return [], [documents.CLOSED]
            if not self._may_share(session, appointment):
                return [], [SIGN_IN_NEEDED]
            return shared.receive_all(appointment, uploads, session, address=address)

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
            self._refresh()
