"""State of the citizen's booking wizard: service, topic, time, details, review, confirmation.

Every public handler can be called by any browser with any arguments, so each one checks its
arguments against what this visitor was offered.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from balie.db import session_scope
from balie.db_types import utcnow
from balie.i18n import normalise_language
from balie.models import Appointment, BookingChannel
from balie.services import booking
from balie.services.abuse import public as abuse
from balie.services.abuse.challenge import ChallengeRefused
from balie.services.catalogue import get_organisation, live_services
from balie.services.citizen_mail import calendar_file, manage_url
from balie.services.validation import validate_details
from balie.services.wizard import bookable_days, join_is_open, summarise
from balie.settings import get_settings
from balie.states.abuse import challenge_script, requester_of
from balie.states.booking_form import (
    FOCUS_ERRORS,
    FOCUS_STEP_HEADING,
    STEPS,
    BookingFormState,
    ServiceOption,
    TopicOption,
    _text,
)
from balie.states.locale import LocaleState
from balie.states.time_picker import TimePickerState
from balie.worker import run_appointment_jobs

REFUSALS = ("error_rate_limited", "error_too_many_active", "error_challenge")


class BookingState(BookingFormState, TimePickerState, rx.State):
    """The wizard; public vars hold only what this visitor typed or was offered."""

    language: str = ""
    join_url: str = ""
    meeting_state: str = ""
    manage_link: str = ""
    counter_booking_url: str = ""
    join_open: bool = False
    _appointment_id: int = 0
    _idempotency_key: str = ""

    @rx.event
    def load(self) -> Any:
        """Read the live services; a ``dienst`` in the address preselects one."""
        settings = get_settings()
        with session_scope() as session:
            organisation = get_organisation(session, settings.organisation)
            if organisation is None:
                self.services = []
                return None
            today = datetime.now(ZoneInfo(organisation.time_zone)).date()
            views = live_services(session, organisation.id, today)
            self.counter_booking_url = organisation.counter_booking_url or ""
        self.services = [
            ServiceOption(
                slug=view.slug,
                name=view.name,
                description=view.description,
                minutes=view.appointment_minutes,
                topics=[
                    TopicOption(t.slug, t.name, t.video_allowed, t.reason, t.preparation)
                    for t in view.topics
                ],
            )
            for view in views
        ]
        if self.step == STEPS["done"]:
            self._reset_wizard()
        wanted = _text(self.router.url.query_parameters.get("dienst", ""), 64)
        if wanted and any(s.slug == wanted for s in self.services):
            self.service_slug = wanted
            return self._go("topic")
        elif not self.service_slug:
            self.step = STEPS["service"]
        return None

    def _reset_wizard(self) -> None:
        """Start a new booking, keeping nothing of the previous citizen."""
        for name in (
            "service_slug",
            "topic_slug",
            "day_key",
            "start_iso",
            "name",
            "email",
            "phone",
            "question",
            "notice",
            "reference",
            "join_url",
            "meeting_state",
            "manage_link",
            "language",
        ):
            setattr(self, name, "")
        self.consent = False
        self.errors, self.when, self.start_label = {}, {}, {}
        self.join_open, self._appointment_id = False, 0
        self._clear_days()
        self._idempotency_key = ""
        self.step = STEPS["service"]

    @rx.event
    def choose_service(self, slug: Any) -> Any:
        """Step 1: pick a service that was offered."""
        slug = _text(slug, 64)
        if not any(s.slug == slug for s in self.services):
            return None
        if slug != self.service_slug:
            self.topic_slug, self.start_iso = "", ""
        self.service_slug = slug
        return self._go("topic")

    @rx.event
    def choose_topic(self, slug: Any) -> Any:
        """Step 2: pick a topic that can go by video; then load the free times."""
        slug = _text(slug, 64)
        chosen = next((t for t in self.topics if t.slug == slug), None)
        if chosen is None or not chosen.video:
            return None
        self.topic_slug = slug
        self.notice = ""
        self._load_days()
        return self._go("time")

    def _load_days(self) -> None:
        """Free times of the chosen service; the first day with free time is preselected."""
        settings = get_settings()
        with session_scope() as session:
            organisation = get_organisation(session, settings.organisation)
            service = booking.find_live_service(session, organisation, self.service_slug)
            days = bookable_days(session, organisation, service, utcnow())
        self._set_days(days)

    @rx.event
    def choose_time(self, start: Any) -> Any:
        """Step 3: pick one of the listed times."""
        chosen = self._offered_time(start)
        if chosen is None:
            return None
        start = chosen.start
        if start != self.start_iso:
            self._idempotency_key = ""
        self.start_iso = start
        self.start_label = self._time_label(chosen)
        self.notice = ""
        return self._go("details")

    @rx.event
    async def submit_details(self, form_data: Any) -> Any:
        """Step 4: keep what was typed, check it, and go to the review when it is right."""
        if not isinstance(form_data, dict) or not self.start_iso:
            return None
        self.name = _text(form_data.get("name"))
        self.email = _text(form_data.get("email"))
        self.phone = _text(form_data.get("phone"))
        self.question = _text(form_data.get("question"))
        locale = await self.get_state(LocaleState)
        self.language = normalise_language(form_data.get("language") or locale.lang)
        self.consent = form_data.get("consent") in (True, "on", "true")
        _details, errors = validate_details(self._raw_details())
        self.errors = errors
        if errors:
            return rx.call_script(FOCUS_ERRORS)
        if not self._idempotency_key:
            self._idempotency_key = secrets.token_urlsafe(24)
        return [self._go("review"), *challenge_script()]

    @rx.event
    async def confirm(self, solution: Any = "") -> Any:
        """Step 5: book. A time taken meanwhile sends the citizen back to step 3, details kept.

        ``solution`` is the browser's proof-of-work (assets/pow.js), checked by the server.
        """
        if self.step != STEPS["review"] or self.busy:
            return None
        details, errors = validate_details(self._raw_details())
        if errors or details is None:
            self.errors = errors
            return self._go("details")
        self.busy = True
        try:
            outcome = await asyncio.to_thread(self._book, details, solution)
        finally:
            self.busy = False
        if outcome in REFUSALS:  # nothing lost: stay on the review step with a new puzzle
            self.notice = outcome
            return [self._go("review"), *challenge_script()]
        if outcome == "taken":
            self.notice = "error_slot_taken"
            self.start_iso, self._idempotency_key = "", ""
            self._load_days()
            return self._go("time")
        if outcome == "error_busy":
            self.notice = outcome
            return self._go("review")
        if outcome != "booked":
            self.notice = outcome
            return self._go("topic")
        return self._go("done")

    def _book(self, details: Any, solution: Any = "") -> str:
        """Book through the shared booking service, then make the link and send the e-mail."""
        settings = get_settings()
        who = requester_of(self)
        request = booking.BookingRequest(
            service_slug=self.service_slug,
            topic_slug=self.topic_slug,
            start=datetime.fromisoformat(self.start_iso),
            details=details,
            channel=BookingChannel.WEB,
            idempotency_key=self._idempotency_key,
        )
        with session_scope() as session:
            organisation = get_organisation(session, settings.organisation)
            try:
                if settings.proof_of_work:
                    abuse.verify_challenge(session, settings, solution, utcnow())
                booked = booking.book(
                    session,
                    organisation,
                    request,
                    meeting_provider=settings.meeting_provider,
                    secret_key=settings.secret_key.get_secret_value(),
                    guard=abuse.guard_for(settings, who, details, utcnow()),
                )
            except ChallengeRefused:
                return "error_challenge"
            except booking.SlotTaken:
                return "taken"
            except booking.BookingError as problem:
                return problem.key
            appointment_id = booked.appointment.id
        run_appointment_jobs(appointment_id)
        with session_scope() as session:
            self._show_result(session, session.get(Appointment, appointment_id), settings)
        return "booked"

    def _show_result(self, session: Any, appointment: Any, settings: Any) -> None:
        """Fill the confirmation page."""
        summary = {lang: summarise(session, appointment, lang) for lang in ("nl", "en")}
        self.reference = appointment.reference
        self.when = {lang: s.when for lang, s in summary.items()}
        self.join_url = summary["nl"].join_url
        self.meeting_state = summary["nl"].meeting_state
        self.manage_link = manage_url(settings, appointment.reference)
        self.start_iso = appointment.start_at.isoformat()
        self._appointment_id = appointment.id
        self.join_open = join_is_open(appointment.start_at, utcnow())

    @rx.event
    def tick(self) -> None:
        """Re-check whether the join button may be used (called every half minute)."""
        if self.step == STEPS["done"] and self.start_iso:
            self.join_open = join_is_open(datetime.fromisoformat(self.start_iso), utcnow())

    @rx.event
    def refresh_meeting(self) -> None:
        """While the link is being made, look again (called every few seconds)."""
        if (
            self.step != STEPS["done"]
            or not self._appointment_id
            or self.meeting_state != "pending"
        ):
            return
        with session_scope() as session:
            appointment = session.get(Appointment, self._appointment_id)
            self.join_url = appointment.join_url or "" if appointment else ""
            self.meeting_state = str(appointment.meeting_state) if appointment else ""

    @rx.event
    def download_calendar(self) -> Any:
        """The booked appointment as an .ics file for the citizen's own calendar."""
        if not self._appointment_id:
            return None
        with session_scope() as session:
            ics = calendar_file(session, self._appointment_id, get_settings())
        return rx.download(data=ics, filename=f"afspraak-{self.reference}.ics")

    @rx.event
    def go_back(self) -> Any:
        """Go one step back; nothing typed is lost."""
        if STEPS["topic"] <= self.step <= STEPS["review"]:
            self.step -= 1
            return rx.call_script(FOCUS_STEP_HEADING)
        return None

    @rx.event
    def start_over(self) -> Any:
        """Begin a new booking."""
        self._reset_wizard()
        return rx.call_script(FOCUS_STEP_HEADING)
