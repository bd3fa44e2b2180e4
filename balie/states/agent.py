"""States of the contact-centre pages: book for a caller, and find, move or cancel for a caller.

Every public handler can be called by any browser with any JSON, so each one first looks the
signed-in staff member up again and needs the agent or admin role. An agent only ever holds
one found appointment, and only by its id kept server-side after a matching look-up.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime
from typing import Any

import reflex as rx

from balie.db import session_scope
from balie.db_types import utcnow
from balie.i18n import LANGUAGES
from balie.models import Appointment, BookingChannel, StaffMember
from balie.services import booking, org_settings
from balie.services.abuse.limiter import shared_limiter
from balie.services.identity import links
from balie.services.notifications import mailer_from_settings
from balie.services.staff import contact_centre
from balie.services.staff.contact_centre import CallerAppointment
from balie.services.validation import validate_details
from balie.settings import get_settings
from balie.states.booking_form import (
    FOCUS_ERRORS,
    FOCUS_STEP_HEADING,
    STEPS,
    BookingFormState,
    ServiceOption,
    TopicOption,
    _text,
)
from balie.states.staff_session import StaffSessionState, roles_for_page
from balie.states.tenant import tenant_session
from balie.states.time_picker import TimePickerState
from balie.worker import run_appointment_jobs

BOOK_PAGE = "/medewerkers/boeken"
FIND_PAGE = "/medewerkers/zoeken"
BOOK_ROLES = roles_for_page(BOOK_PAGE)
FIND_ROLES = roles_for_page(FIND_PAGE)
FIND_MODES = ("search", "view", "move", "confirm_move", "cancel")
FOCUS_FIND_MESSAGE = "setTimeout(() => document.getElementById('find-message')?.focus(), 60)"


def _service_option(view: Any) -> ServiceOption:
    """A live service as offered in step 1, with every active topic (video or not)."""
    return ServiceOption(
        slug=view.slug,
        name=view.name,
        description=view.description,
        minutes=view.appointment_minutes,
        topics=[
            TopicOption(t.slug, t.name, t.video_allowed, t.reason, t.preparation, t.identification)
            for t in view.topics
        ],
    )


def _send_link(staff_id: int, service_slug: str, topic_slug: str, email: str) -> str:
    """Count the limits and send the identification link (worker thread); the message key."""
    with session_scope() as session:  # the event's organisation (TenantScope)
        staff = session.get(StaffMember, staff_id)
        if staff is None:
            return ""
        # The organisation's own sender and SMTP server, when it has them.
        settings = org_settings.effective_settings(session, staff.organisation_id, get_settings())
        try:
            links.send_identity_link(
                session,
                staff,
                settings,
                service_slug,
                topic_slug,
                email,
                mailer=mailer_from_settings(settings),
                limiter=shared_limiter(settings.redis_url),
                now=utcnow(),
            )
        except links.LinkRefused as refused:
            return refused.key
        except OSError:
            return "identity_link_failed"
    return "identity_link_sent"


class AgentBookingState(BookingFormState, TimePickerState, StaffSessionState, rx.State):
    """An agent books for a caller: service, topic, time, details, review, result."""

    language: str = "nl"
    # A topic that needs identification: the agent sends the citizen a link instead.
    link_topic: str = ""
    link_message: str = ""
    _idempotency_key: str = ""
    _staff_id: int = 0

    def _clear(self) -> None:
        """Forget the signed-in person, the offered services and everything typed."""
        super()._clear()
        self.services, self._staff_id = [], 0
        self._reset_booking()

    def _reset_booking(self) -> None:
        """Start a new booking, keeping nothing of the previous caller."""
        for name in ("service_slug", "topic_slug", "start_iso", "name", "email", "phone"):
            setattr(self, name, "")
        self.question, self.notice, self.reference = "", "", ""
        self.link_topic, self.link_message = "", ""
        self.language, self.consent, self.busy = "nl", False, False
        self.errors, self.when, self.start_label = {}, {}, {}
        self._idempotency_key = ""
        self._clear_days()
        self.step = STEPS["service"]

    def _agent(self, session: Any) -> StaffMember | None:
        """The signed-in agent or admin; None (and everything forgotten) for anyone else."""
        return self._staff_with(session, *BOOK_ROLES)

    def _allowed(self) -> bool:
        """Whether this browser still belongs to an agent or admin."""
        with tenant_session(self) as session:
            return self._agent(session) is not None

    @rx.event
    def load(self) -> Any:
        """Open the page: the live services of the agent's organisation."""
        with tenant_session(self) as session:
            staff, redirect = self._open_page(session, BOOK_PAGE)
            if staff is None:
                return redirect
            views = contact_centre.offered_services(session, staff, utcnow())
        self.services = [_service_option(view) for view in views]
        if self.step == STEPS["done"] or self.service is None or staff.id != self._staff_id:
            self._reset_booking()  # a finished booking, or another agent on this browser
        self._staff_id = staff.id
        # "busy" is saved while an identification link is sent; if the instance sending it
        # stopped, the buttons would stay disabled for good.
        self.busy = False
        return None

    @rx.event
    def choose_service(self, slug: Any) -> Any:
        """Step 1: pick a service that was offered."""
        slug = _text(slug, 64)
        if not self._allowed() or not any(s.slug == slug for s in self.services):
            return None
        if slug != self.service_slug:
            self.topic_slug, self.start_iso, self._idempotency_key = "", "", ""
        self.service_slug, self.notice = slug, ""
        return self._go("topic")

    @rx.event
    def choose_topic(self, slug: Any) -> Any:
        """Step 2: pick a topic that can go by video; then load the free times."""
        slug = _text(slug, 64)
        chosen = next((t for t in self.topics if t.slug == slug), None)
        if chosen is None or not chosen.video or self.step != STEPS["topic"]:
            return None
        if chosen.identification != "none":
            if self._allowed():
                self.link_topic, self.link_message = slug, ""
            return None
        with tenant_session(self) as session:
            staff = self._agent(session)
            if staff is None:
                return None
            try:
                days = contact_centre.free_days(session, staff, self.service_slug, utcnow())
            except booking.BookingError:
                self.notice = "agent_unavailable"
                return self._go("service")
        if slug != self.topic_slug:
            self.start_iso, self._idempotency_key = "", ""
        self.topic_slug, self.notice = slug, ""
        self._set_days(days)
        return self._go("time")

    @rx.event(background=True)
    async def send_identity_link(self, form_data: Any) -> None:
        """E-mail the caller a link to sign in and book the chosen identification topic.

        A background event: the mail goes out without holding the state lock.
        """
        async with self:
            if not isinstance(form_data, dict) or not self.link_topic or self.busy:
                return
            with tenant_session(self) as session:
                staff = self._agent(session)
                staff_id = staff.id if staff is not None else 0
            if not staff_id:
                return
            email = _text(form_data.get("email"), 254)
            service_slug, topic_slug = self.service_slug, self.link_topic
            self.busy = True
        try:
            message = await asyncio.to_thread(_send_link, staff_id, service_slug, topic_slug, email)
        finally:
            async with self:
                self.busy = False
        async with self:
            self.link_message = message

    @rx.event
    def choose_time(self, start: Any) -> Any:
        """Step 3: pick one of the listed times."""
        chosen = self._offered_time(start)
        if chosen is None or self.step != STEPS["time"] or not self._allowed():
            return None
        if chosen.start != self.start_iso:
            self._idempotency_key = ""
        self.start_iso = chosen.start
        self.start_label = self._time_label(chosen)
        self.notice = ""
        return self._go("details")

    @rx.event
    def submit_details(self, form_data: Any) -> Any:
        """Step 4: keep what was typed, check it, and go to the review when it is right."""
        if not isinstance(form_data, dict) or self.step != STEPS["details"]:
            return None
        if not self.start_iso or not self._allowed():
            return None
        self.name = _text(form_data.get("name"))
        self.email = _text(form_data.get("email"))
        self.phone = _text(form_data.get("phone"))
        self.question = _text(form_data.get("question"))
        language = form_data.get("language")
        self.language = language if language in LANGUAGES else self.language
        self.consent = form_data.get("consent") in (True, "on", "true")
        _details, self.errors = validate_details(self._raw_details())
        if self.errors:
            return rx.call_script(FOCUS_ERRORS)
        # A new key for these details: a key stands for one request with one body.
        self._idempotency_key = secrets.token_urlsafe(24)
        return self._go("review")

    @rx.event
    async def confirm(self) -> Any:
        """Step 5: book once; a time taken meanwhile goes back to the times, details kept."""
        if self.step != STEPS["review"] or self.busy or not self._idempotency_key:
            return None
        details, errors = validate_details(self._raw_details())
        if errors or details is None:
            self.errors = errors
            return self._go("details")
        self.busy = True
        try:
            outcome = await asyncio.to_thread(self._book, details)
        finally:
            self.busy = False
        if outcome == "refused":
            return None
        if outcome == "taken":
            self.notice = "agent_slot_taken"
            self.start_iso, self._idempotency_key = "", ""
            return self._reload_times()
        if outcome == "busy":
            self.notice = "agent_busy"
            return self._go("review")
        if outcome != "booked":
            self.notice = "agent_unavailable"
            self.topic_slug, self.start_iso, self._idempotency_key = "", "", ""
            return self._go("service")
        return self._go("done")

    def _reload_times(self) -> Any:
        """Offer the free times of the chosen service again (after a time was taken)."""
        with tenant_session(self) as session:
            staff = self._agent(session)
            if staff is None:
                return None
            try:
                days = contact_centre.free_days(session, staff, self.service_slug, utcnow())
            except booking.BookingError:
                days = []
        self._set_days(days)
        return self._go("time")

    def _book(self, details: Any) -> str:
        """Book on the contact-centre channel, then make the link and send the e-mail."""
        settings = get_settings()
        request = booking.BookingRequest(
            service_slug=self.service_slug,
            topic_slug=self.topic_slug,
            start=datetime.fromisoformat(self.start_iso),
            details=details,
            channel=BookingChannel.CONTACT_CENTRE,
            idempotency_key=self._idempotency_key,
        )
        with tenant_session(self) as session:
            staff = self._agent(session)
            if staff is None:
                return "refused"
            try:
                booked = contact_centre.book_for_caller(
                    session,
                    staff,
                    request,
                    meeting_provider=settings.meeting_provider,
                    secret_key=settings.secret_key.get_secret_value(),
                    now=utcnow(),
                )
            except booking.SlotTaken:
                return "taken"
            except booking.Busy:
                return "busy"
            except booking.BookingError:
                return "unavailable"
            appointment_id = booked.appointment.id
        run_appointment_jobs(appointment_id)
        with tenant_session(self) as session:
            view = contact_centre.caller_view(
                session, session.get(Appointment, appointment_id), utcnow()
            )
        self.reference, self.when = view.reference, view.when
        return "booked"

    @rx.event
    def go_back(self) -> Any:
        """Go one step back; nothing typed is lost."""
        if not STEPS["topic"] <= self.step <= STEPS["review"] or not self._allowed():
            return None
        self.step -= 1
        self.notice = ""
        return rx.call_script(FOCUS_STEP_HEADING)

    @rx.event
    def start_over(self) -> Any:
        """Begin a booking for the next caller."""
        if not self._allowed():
            return None
        self._reset_booking()
        return rx.call_script(FOCUS_STEP_HEADING)


class AgentFindState(TimePickerState, StaffSessionState, rx.State):
    """An agent finds one caller's appointment by reference and e-mail, then moves or cancels it."""

    mode: str = "search"
    reference_input: str = ""
    email_input: str = ""
    find_message: str = ""
    reference: str = ""
    status: str = ""
    service_name: dict[str, str] = {}
    topic_name: dict[str, str] = {}
    when: dict[str, str] = {}
    citizen_name: str = ""
    citizen_language: str = ""
    can_change: bool = False
    new_start: str = ""
    new_label: dict[str, str] = {}
    notice: str = ""
    message: str = ""
    _found_id: int = 0

    def _clear(self) -> None:
        """Forget the signed-in person and the appointment found."""
        super()._clear()
        self._forget()

    def _forget(self) -> None:
        """Back to an empty search; nothing of the previous caller stays."""
        self.mode = "search"
        self.reference_input, self.email_input, self.find_message = "", "", ""
        self.reference, self.status, self.citizen_name, self.citizen_language = "", "", "", ""
        self.service_name, self.topic_name, self.when, self.new_label = {}, {}, {}, {}
        self.can_change, self.new_start, self.notice, self.message = False, "", "", ""
        self._found_id = 0
        self._clear_days()

    def _agent(self, session: Any) -> StaffMember | None:
        """The signed-in agent or admin; None (and everything forgotten) for anyone else."""
        return self._staff_with(session, *FIND_ROLES)

    def _open(self, mode: str) -> rx.event.EventSpec:
        """Switch the page to ``mode`` and move focus to its heading."""
        self.mode = mode
        return rx.call_script(FOCUS_STEP_HEADING)

    def _show(self, view: CallerAppointment) -> None:
        """Copy what the agent may see of the found appointment into the page."""
        self._found_id = view.appointment_id
        self.reference, self.status = view.reference, view.status
        self.service_name, self.topic_name, self.when = (
            view.service_name,
            view.topic_name,
            view.when,
        )
        self.citizen_name, self.citizen_language = view.citizen_name, view.language
        self.can_change = view.can_change

    def _refresh(self, session: Any, staff: StaffMember) -> None:
        """Show the found appointment as the database has it now."""
        appointment = contact_centre.appointment_for_agent(session, staff, self._found_id)
        self._show(contact_centre.caller_view(session, appointment, utcnow()))

    @rx.event
    def load(self) -> Any:
        """Open the page with an empty search."""
        with tenant_session(self) as session:
            staff, redirect = self._open_page(session, FIND_PAGE)
        self._forget()
        return redirect if staff is None else None

    @rx.event
    def find(self, form_data: Any) -> Any:
        """Look the appointment up by reference and e-mail address; both must match."""
        if not isinstance(form_data, dict):
            return None
        reference = _text(form_data.get("reference"), 64)
        email = _text(form_data.get("email"), 254)
        with tenant_session(self) as session:
            staff = self._agent(session)
            if staff is None:
                return None
            self._forget()
            self.reference_input, self.email_input = reference, email
            if not reference.strip() or not email.strip():
                self.find_message = "agent_find_required"
                return rx.call_script(FOCUS_FIND_MESSAGE)
            try:
                found = contact_centre.lookup(session, staff, reference, email, utcnow())
            except contact_centre.LookupRateLimited:
                found, self.find_message = None, "agent_rate_limited"
            if found is None:
                self.find_message = self.find_message or "agent_not_found"
                return rx.call_script(FOCUS_FIND_MESSAGE)
            self._show(contact_centre.caller_view(session, found, utcnow()))
        return self._open("view")

    @rx.event
    def new_search(self) -> Any:
        """Clear the page for the next caller."""
        with tenant_session(self) as session:
            if self._agent(session) is None:
                return None
        self._forget()
        return rx.call_script(FOCUS_STEP_HEADING)

    @rx.event
    def back_to_view(self) -> Any:
        """Leave moving or cancelling without changes."""
        if not self._found_id:
            return None
        with tenant_session(self) as session:
            staff = self._agent(session)
            if staff is None:
                return None
            try:
                self._refresh(session, staff)
            except LookupError:
                self._forget()
                self.find_message = "agent_gone"
                return rx.call_script(FOCUS_FIND_MESSAGE)
        self.notice = ""
        return self._open("view")

    @rx.event
    def start_cancel(self) -> Any:
        """Ask for confirmation (and an optional reason) before cancelling."""
        if not self._found_id or not self.can_change:
            return None
        with tenant_session(self) as session:
            if self._agent(session) is None:
                return None
        self.message = ""
        return self._open("cancel")

    @rx.event
    async def cancel_appointment(self, form_data: Any) -> Any:
        """Cancel for the caller; the citizen gets the cancellation e-mail."""
        if self.mode != "cancel" or not self._found_id:
            return None
        reason = _text(form_data.get("reason"), 500) if isinstance(form_data, dict) else ""
        outcome = await asyncio.to_thread(self._change, "cancel", reason)
        return self._after_change(outcome)

    def _change(self, action: str, argument: Any) -> str:
        """Cancel or move in the database, then run the appointment's jobs (e-mail, meeting)."""
        with tenant_session(self) as session:
            staff = self._agent(session)
            if staff is None:
                return "refused"
            try:
                if action == "cancel":
                    contact_centre.cancel_for_caller(
                        session, staff, self._found_id, argument, utcnow()
                    )
                else:
                    contact_centre.reschedule_for_caller(
                        session, staff, self._found_id, argument, utcnow()
                    )
            except LookupError:
                return "agent_gone"
            except booking.NotChangeable:
                self._refresh(session, staff)
                return "agent_not_changeable"
            except booking.SlotTaken:
                return "agent_slot_taken"
            except booking.Busy:
                return "agent_busy"
        run_appointment_jobs(self._found_id)
        with tenant_session(self) as session:
            staff = self._agent(session)
            if staff is not None:
                self._refresh(session, staff)
        return "agent_cancelled" if action == "cancel" else "agent_moved"

    def _after_change(self, outcome: str) -> Any:
        """Show the outcome of a cancel or move."""
        if outcome == "refused":
            return None
        if outcome == "agent_gone":
            self._forget()
            self.find_message = outcome
            return rx.call_script(FOCUS_FIND_MESSAGE)
        if outcome in ("agent_slot_taken", "agent_busy") and self.mode == "confirm_move":
            self.notice = outcome
            return self._offer_move_times()
        if outcome in ("agent_cancelled", "agent_moved"):
            self.message, self.notice = outcome, ""
        else:
            self.message, self.notice = "", outcome
        return self._open("view")

    def _offer_move_times(self) -> Any:
        """Offer the free times of the same service and show the move step."""
        with tenant_session(self) as session:
            staff = self._agent(session)
            if staff is None:
                return None
            try:
                days = contact_centre.free_days_for_move(session, staff, self._found_id, utcnow())
            except LookupError:
                self._forget()
                self.find_message = "agent_gone"
                return rx.call_script(FOCUS_FIND_MESSAGE)
        self._set_days(days)
        self.new_start, self.new_label = "", {}
        return self._open("move")

    @rx.event
    def start_move(self) -> Any:
        """Offer the free times of the same service."""
        if not self._found_id or not self.can_change:
            return None
        self.notice, self.message = "", ""
        return self._offer_move_times()

    @rx.event
    def choose_time(self, start: Any) -> Any:
        """Pick the new time; the move still needs confirming."""
        chosen = self._offered_time(start)
        if chosen is None or self.mode != "move":
            return None
        with tenant_session(self) as session:
            if self._agent(session) is None:
                return None
        self.new_start = chosen.start
        self.new_label = self._time_label(chosen)
        return self._open("confirm_move")

    @rx.event
    async def confirm_move(self) -> Any:
        """Move atomically; when the time was just taken, offer the times again."""
        if self.mode != "confirm_move" or not self.new_start or not self._found_id:
            return None
        new_start = datetime.fromisoformat(self.new_start)
        outcome = await asyncio.to_thread(self._change, "move", new_start)
        return self._after_change(outcome)
