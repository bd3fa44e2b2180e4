"""State of the citizen's booking wizard: service, topic, time, details, review, confirmation.

Every public handler can be called by any browser with any arguments, so each one checks its
arguments against what this visitor was offered.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import reflex as rx
from reflex.config import get_config

from balie.api_identity import START_PATH
from balie.db import session_scope
from balie.db_types import utcnow
from balie.i18n import normalise_language
from balie.models import Appointment, BookingChannel
from balie.services import booking, catalogue_cache, tenancy
from balie.services.abuse import public as abuse
from balie.services.abuse.challenge import ChallengeRefused
from balie.services.abuse.gate import Requester
from balie.services.citizen_mail import calendar_file, manage_url
from balie.services.identity import signin
from balie.services.identity.levels import reaches
from balie.services.validation import (
    check_email,
    check_name,
    check_phone,
    check_question,
    validate_details,
)
from balie.services.wizard import (
    DayChoice,
    WizardOutcome,
    book_from_wizard,
    bookable_days,
    join_is_open,
)
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
from balie.states.site import SiteMeta, SiteState, site_meta
from balie.states.tenant import organisation_id_of, organisation_slug_of
from balie.states.time_picker import TimePickerState
from balie.texts.identity import REFUSAL_KEYS
from balie.worker import meeting_claim, meeting_for_new_booking


def _scoped(slug: str) -> Any:
    """A session scoped to the organisation ``slug`` (the host's, never the browser's word)."""
    return session_scope(organisation_id=tenancy.scope_for_slug(slug))


def _read_page(slug: str) -> tuple[catalogue_cache.Catalogue | None, SiteMeta | None]:
    """What the wizard page shows first: the catalogue (after a version check in the database
    when one is due) and the organisation's look (the page's SiteState). Read in a thread."""
    with _scoped(slug) as session:
        catalogue = catalogue_cache.current(session, slug)
        return catalogue, site_meta(session, catalogue)


def _free_days(slug: str, service_slug: str) -> list[DayChoice]:
    """Free times of a live service; the first day with free time is preselected."""
    with _scoped(slug) as session:
        catalogue = catalogue_cache.current(session, slug)
        if catalogue is None:
            return []
        organisation = catalogue.organisation
        service = booking.find_live_service(
            session, organisation, service_slug, catalogue=catalogue
        )
        return bookable_days(session, organisation, service, utcnow())


async def _open_times(
    state: BookingState, service_slug: str, step: int, topic_slug: str = ""
) -> Any:
    """Read the free times off the lock, then show them unless the citizen moved on meanwhile.

    ``service_slug`` and ``step`` are what the event saw when it started (the state as it
    was then, readable without the lock); the lock is taken once, to compare and show.
    """
    days = await asyncio.to_thread(_free_days, organisation_slug_of(state) or "", service_slug)
    async with state:
        if state.step != step or state.service_slug != service_slug:
            return None  # another click was handled while the times were read
        if topic_slug:
            state.topic_slug = topic_slug
            state.notice = ""
        state._set_days(days)
        focus = state._go("time")
    return focus


def _verified_person(organisation_id: int, cookie: str) -> Any:
    """The verified person behind this sign-in cookie, or None (read in a worker thread)."""
    with session_scope(organisation_id=organisation_id) as session:
        return signin.verified_for(session, cookie, utcnow())


def _meeting_of(organisation_id: int, appointment_id: int) -> tuple[str, str]:
    """The join link and meeting state of one appointment (read in a worker thread)."""
    with session_scope(organisation_id=organisation_id) as session:
        appointment = session.get(Appointment, appointment_id)
        if appointment is None:
            return "", ""
        return appointment.join_url or "", str(appointment.meeting_state)


def _calendar_of(organisation_id: int, appointment_id: int) -> str:
    """The .ics text of one appointment (read in a worker thread)."""
    with session_scope(organisation_id=organisation_id) as session:
        return calendar_file(session, appointment_id, get_settings())


def _book(
    slug: str,
    request: booking.BookingRequest,
    who: Requester,
    solution: Any,
    identity_cookie: str = "",
) -> WizardOutcome:
    """Book in a worker thread: the puzzle, the limits, the database, the meeting (bounded
    wait) and the summaries. A topic that needs identification gets the verified person
    behind the browser's sign-in cookie (never anything the browser sends as data)."""
    settings = get_settings()
    with _scoped(slug) as session:
        if identity_cookie:
            person = signin.verified_for(session, identity_cookie, utcnow())
            request = dataclasses.replace(request, identity=person)
        outcome = _book_checked(session, slug, settings, request, who, solution)
        if outcome.outcome == "booked" and identity_cookie:
            signin.forget(session, identity_cookie)  # one sign-in, one booking
        return outcome


def _book_checked(
    session: Any,
    slug: str,
    settings: Any,
    request: booking.BookingRequest,
    who: Requester,
    solution: Any,
) -> WizardOutcome:
    """The puzzle, then the booking."""
    catalogue = catalogue_cache.current(session, slug)
    if catalogue is None:
        return WizardOutcome(booking.UnknownService.key)
    if settings.proof_of_work:
        try:
            abuse.verify_challenge(session, settings, solution, utcnow())
        except ChallengeRefused:
            return WizardOutcome("error_challenge")
    claimed_until = meeting_claim()
    return book_from_wizard(
        session,
        catalogue,
        request,
        meeting_provider=settings.meeting_provider,
        secret_key=settings.secret_key.get_secret_value(),
        make_meeting=lambda s, a: meeting_for_new_booking(s, a, catalogue, claimed_until),
        now=utcnow(),
        guard=abuse.guard_for(settings, who, request.details, utcnow()),
        meeting_claimed_until=claimed_until,
    )


# Fields whose error is checked again when the citizen leaves them (GOV.UK: errors clear on fix).
FIELD_CHECKS = {
    "name": check_name,
    "email": check_email,
    "phone": check_phone,
    "question": check_question,
}
# The parts of the review that have a "Change" button, and the step each one opens.
CHANGE_STEPS = {"service": "service", "topic": "topic", "time": "time", "details": "details"}
CONFIRMED_PATH = "/boeken/bevestigd"

REFUSALS = ("error_rate_limited", "error_too_many_active", "error_challenge")


class BookingState(BookingFormState, TimePickerState, rx.State):
    """The wizard; public vars hold only what this visitor typed or was offered."""

    language: str = ""
    join_url: str = ""
    meeting_state: str = ""
    manage_link: str = ""
    counter_booking_url: str = ""
    join_open: bool = False
    # Identification (topics that need it): whether this browser's sign-in is verified, the
    # verified level, and the outcome of the last sign-in (a key of balie/texts/identity.py).
    identified: bool = False
    identity_level: str = ""
    identity_outcome: str = ""
    _appointment_id: int = 0
    _idempotency_key: str = ""
    _resume_topic: str = ""

    @rx.event(background=True)
    async def load(self) -> Any:
        """Read the live services; a ``dienst`` in the address preselects one.

        A background event: the catalogue, the organisation's look and, back from signing in,
        the sign-in are read in a thread before the state is locked, so the lock is never held
        while the database works. The look is shown here too (the page's SiteState), in the
        same lock round, instead of by a separate on_load event (one state round less).
        """
        catalogue, meta = await asyncio.to_thread(_read_page, organisation_slug_of(self) or "")
        outcome = _text(self.router.url.query_parameters.get("aanmelding", ""), 40)
        person = None
        if outcome:
            cookie = self._identity_cookie()
            person = await asyncio.to_thread(_verified_person, organisation_id_of(self), cookie)
        async with self:
            site = await self.get_state(SiteState)
            site._show_meta(meta)
            # "busy" is saved while a confirmation runs; if the instance running it stopped,
            # the page would keep the button disabled for good. A second click is safe: the
            # same idempotency key gets the same booking.
            self.busy = False
            focus = self._show_services(catalogue, outcome, person)
            resume, step, service = self._resume_topic, self.step, self.service_slug
            self._resume_topic = ""
        if resume:  # back from signing in: the same topic, its free times read off the lock
            return await _open_times(self, service, step, topic_slug=resume)
        return focus

    def _show_services(
        self, catalogue: catalogue_cache.Catalogue | None, outcome: str = "", person: Any = None
    ) -> Any:
        """Offer the catalogue's live services; open the topic step of a preselected one.

        ``outcome`` is the sign-in's outcome in the address, ``person`` whom it verified."""
        if catalogue is None:
            self.services = []
            return None
        organisation = catalogue.organisation
        today = datetime.now(ZoneInfo(organisation.time_zone)).date()
        views = catalogue.live_views(today)
        self.counter_booking_url = organisation.counter_booking_url or ""
        self.services = [
            ServiceOption(
                slug=view.slug,
                name=view.name,
                description=view.description,
                minutes=view.appointment_minutes,
                topics=[
                    TopicOption(
                        t.slug, t.name, t.video_allowed, t.reason, t.preparation, t.identification
                    )
                    for t in view.topics
                ],
            )
            for view in views
        ]
        if self.step == STEPS["done"]:
            self._reset_wizard()
        query = self.router.url.query_parameters
        wanted = _text(query.get("dienst", ""), 64)
        if outcome:
            self._show_identity(outcome, person)
        if wanted == self.service_slug and self.step > STEPS["topic"]:
            # A reconnect (e.g. to another instance after one stopped) runs on_load again:
            # the citizen keeps the time and the details already chosen.
            return self._go("details") if outcome and self.start_iso else None
        if wanted and any(s.slug == wanted for s in self.services):
            self.service_slug = wanted
            topic = _text(query.get("onderwerp", ""), 64)
            if topic and any(t.slug == topic and t.video for t in self.topics):
                self._resume_topic = topic  # back from signing in: load opens its times
            return self._go("topic")
        elif not self.service_slug:
            self.step = STEPS["service"]
        return None

    def _identity_cookie(self) -> str:
        """This browser's sign-in cookie (HttpOnly: read from the connection, never the page)."""
        return signin.cookie_from_header(self.router.headers.cookie)

    def _show_identity(self, outcome: str, person: Any) -> None:
        """After the provider sent the citizen back: the verified name, or why not."""
        if outcome == "ok" and person is not None:
            self.identified, self.identity_level = True, person.level
            self.name = person.name
            self.email = self.email or (person.email or "")
            self.identity_outcome = "identity_ok"
            return
        self.identified, self.identity_level = False, ""
        self.identity_outcome = outcome if outcome in REFUSAL_KEYS else "identity_failed"

    @rx.var
    def identity_needed(self) -> str:
        """The level the chosen topic needs ("" when it needs none)."""
        topic = self.topic
        return "" if topic is None or topic.identification == "none" else topic.identification

    @rx.var
    def identity_ready(self) -> bool:
        """Whether the details form may show: no sign-in needed, or signed in at the level."""
        needed = self.identity_needed
        return not needed or (self.identified and reaches(self.identity_level, needed))

    @rx.var
    def identity_start_url(self) -> str:
        """Where "sign in with itsme or eID" goes: the backend's start route for this topic."""
        if not self.identity_needed:
            return ""
        query = urlencode({"dienst": self.service_slug, "onderwerp": self.topic_slug})
        slug = organisation_slug_of(self) or ""
        # A city with its own host signs in there (its cookie, its organisation).
        base = tenancy.public_base_url_for(slug) if tenancy.primary_host(slug) else ""
        return f"{(base or get_config().api_url).rstrip('/')}{START_PATH}?{query}"

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
            "identity_level",
            "identity_outcome",
        ):
            setattr(self, name, "")
        self.consent, self.identified = False, False
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

    @rx.event(background=True)
    async def choose_topic(self, slug: Any) -> Any:
        """Step 2: pick a topic that can go by video; then load the free times.

        A background event: the free times are read without holding the state lock; the
        state is locked once, to show them (checked against what it is by then).
        """
        slug = _text(slug, 64)
        chosen = next((t for t in self.topics if t.slug == slug), None)
        if chosen is None or not chosen.video:
            return None
        return await _open_times(self, self.service_slug, self.step, topic_slug=slug)

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
        if not self.identity_ready:
            return rx.call_script(FOCUS_STEP_HEADING)
        if not self.identified:  # a verified name stays as the sign-in gave it
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
        # A new key for these details: a key stands for one request with one body.
        self._idempotency_key = secrets.token_urlsafe(24)
        return [self._go("review"), *challenge_script()]

    @rx.event
    def check_field(self, field: Any, value: Any) -> None:
        """On leaving a field: keep its value; an error shown for it is updated or cleared."""
        if self.step != STEPS["details"] or not isinstance(field, str):
            return
        if field == "consent":
            self.consent = value is True
            problem = None if self.consent else "error_consent_required"
        elif field == "name" and self.identified:
            return
        elif field in FIELD_CHECKS:
            text = _text(value)
            setattr(self, field, text)
            _value, problem = FIELD_CHECKS[field](text)
        else:
            return
        if field in self.errors:
            errors = {key: item for key, item in self.errors.items() if key != field}
            if problem:
                errors[field] = problem
            self.errors = errors

    @rx.event(background=True)
    async def change(self, part: Any) -> Any:
        """From the review: open the step of one part again; nothing chosen or typed is lost.

        A background event: the free times (for "time") are read without the state lock.
        """
        if self.step != STEPS["review"] or not isinstance(part, str):
            return None
        if part not in CHANGE_STEPS:
            return None
        if part == "time":
            return await _open_times(self, self.service_slug, self.step)
        async with self:
            if self.step != STEPS["review"]:
                return None
            return self._go(CHANGE_STEPS[part])

    @rx.event(background=True)
    async def confirm(self, solution: Any = "") -> Any:
        """Step 5: book. A time taken meanwhile sends the citizen back to step 3, details kept.

        A background event: the state is locked only to read the form and to show the
        outcome, never while the database and the meeting provider work, so a slow booking
        holds up neither this citizen's other events nor other citizens on a Redis worker.
        ``busy``, set under the lock, turns away a second click meanwhile. ``solution`` is the
        browser's proof-of-work (assets/pow.js), checked by the server.
        """
        async with self:
            if self.step != STEPS["review"] or self.busy:
                return None
            details, errors = validate_details(self._raw_details())
            if errors or details is None:
                self.errors = errors
                return self._go("details")
            self.busy = True
            request = booking.BookingRequest(
                service_slug=self.service_slug,
                topic_slug=self.topic_slug,
                start=datetime.fromisoformat(self.start_iso),
                details=details,
                channel=BookingChannel.WEB,
                idempotency_key=self._idempotency_key,
            )
            who = requester_of(self)
            cookie = self._identity_cookie() if self.identity_needed else ""
        try:
            extra = (cookie,) if cookie else ()  # only identification topics carry the cookie
            slug = organisation_slug_of(self) or ""
            result = await asyncio.to_thread(_book, slug, request, who, solution, *extra)
        except Exception:
            async with self:
                self.busy = False
            raise
        async with self:
            self.busy = False
            focus = self._show_outcome(result)
        return focus

    def _show_outcome(self, result: WizardOutcome) -> Any:
        """Move to the step the booking's outcome asks for."""
        if result.outcome in REFUSALS:  # nothing lost: stay on the review step, a new puzzle
            self.notice = result.outcome
            return [self._go("review"), *challenge_script()]
        if result.outcome == "taken":
            self.notice = "error_slot_taken"
            self.start_iso, self._idempotency_key = "", ""
            self._set_days(result.days)
            return self._go("time")
        if result.outcome == booking.IdentificationRequired.key:
            self.identified, self.identity_level = False, ""
            self.notice = result.outcome
            return self._go("details")
        if result.outcome == "error_busy":
            self.notice = result.outcome
            return [self._go("review"), *challenge_script()]
        if result.outcome != "booked":
            self.notice = result.outcome
            return self._go("topic")
        self._show_result(result.appointment, result.summaries)
        self._clear_days()  # the confirmation needs no free times: a lighter state to keep
        self._keep_only_the_choice()
        return self._show_confirmation()

    def _keep_only_the_choice(self) -> None:
        """After booking, keep only the chosen service and topic (the confirmation shows them):
        the catalogue copy would stay in memory with every finished citizen until it expires.
        Opening the wizard again offers the whole catalogue (load)."""
        service, topic = self.service, self.topic
        chosen = [dataclasses.replace(service, topics=[topic])] if service and topic else []
        self.services = chosen

    def _show_confirmation(self) -> Any:
        """The confirmation gets its own address (reference only: no token, nothing personal)."""
        self.step = STEPS["done"]
        return rx.redirect(f"{CONFIRMED_PATH}?ref={self.reference}")

    @rx.event
    def load_confirmation(self) -> Any:
        """The confirmation page: shows this visitor's booking, focus on its heading."""
        wanted = _text(self.router.url.query_parameters.get("ref", ""), 64)
        if self.step != STEPS["done"] or not self.reference or wanted != self.reference:
            return None
        return rx.call_script(FOCUS_STEP_HEADING)

    def _show_result(self, appointment: Appointment, summary: dict[str, Any]) -> None:
        """Fill the confirmation page."""
        self.reference = appointment.reference
        self.when = {lang: s.when for lang, s in summary.items()}
        self.join_url = summary["nl"].join_url
        self.meeting_state = summary["nl"].meeting_state
        settings = tenancy.settings_for(get_settings(), organisation_slug_of(self) or "")
        self.manage_link = manage_url(settings, appointment.reference)
        self.start_iso = appointment.start_at.isoformat()
        self._appointment_id = appointment.id
        self.join_open = join_is_open(appointment.start_at, utcnow())

    @rx.event
    def tick(self) -> None:
        """Re-check whether the join button may be used (called every half minute)."""
        if self.step == STEPS["done"] and self.start_iso:
            self.join_open = join_is_open(datetime.fromisoformat(self.start_iso), utcnow())

    @rx.event(background=True)
    async def refresh_meeting(self) -> None:
        """While the link is being made, look again (called every few seconds).

        A background event: the appointment is read in a thread, without the state lock.
        """
        appointment_id = self._appointment_id
        if self.step != STEPS["done"] or not appointment_id or self.meeting_state != "pending":
            return
        join_url, meeting_state = await asyncio.to_thread(
            _meeting_of, organisation_id_of(self), appointment_id
        )
        async with self:
            if self._appointment_id == appointment_id and self.meeting_state == "pending":
                self.join_url, self.meeting_state = join_url, meeting_state

    @rx.event(background=True)
    async def download_calendar(self) -> Any:
        """The booked appointment as an .ics file for the citizen's own calendar.

        A background event: the appointment is read in a thread, without the state lock.
        """
        appointment_id, reference = self._appointment_id, self.reference
        if not appointment_id:
            return None
        ics = await asyncio.to_thread(_calendar_of, organisation_id_of(self), appointment_id)
        return rx.download(data=ics, filename=f"afspraak-{reference}.ics")

    @rx.event
    def go_back(self) -> Any:
        """Go one step back; nothing typed is lost."""
        if STEPS["topic"] <= self.step <= STEPS["review"]:
            self.step -= 1
            return rx.call_script(FOCUS_STEP_HEADING)
        return None

    @rx.event
    def start_over(self) -> Any:
        """Begin a new booking (from the confirmation address, back at the wizard's)."""
        self._reset_wizard()
        return rx.redirect("/boeken")
