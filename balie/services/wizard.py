"""What the booking wizard and the manage page show: plain data built from the domain services.

No Reflex here; the states turn these into UI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlmodel import Session

from balie.i18n import format_day, format_moment, format_short_day, pick
from balie.models import Appointment, Organisation, Service, Topic
from balie.services import booking
from balie.services.catalogue_cache import Catalogue
from balie.services.slots import Slot, cached_free_slots


class TimeChoice(NamedTuple):
    """One bookable start time (a tuple: a service's horizon holds hundreds of them)."""

    start: str  # ISO 8601 in UTC; the value the browser sends back
    label: str  # "09:00" in the organisation's time zone


@dataclass(frozen=True)
class DayChoice:
    """A local day with free times."""

    key: str  # YYYY-MM-DD
    label_nl: str
    label_en: str
    long_nl: str
    long_en: str
    times: tuple[TimeChoice, ...]


def group_by_day(slots: list[Slot], tz: ZoneInfo) -> list[DayChoice]:
    """Free times grouped per local day, in time order."""
    days: dict[date, list[TimeChoice]] = {}
    for slot in slots:
        local = slot.start.astimezone(tz)
        # Formatted by hand: strftime was the larger part of the time picker's cost.
        label = f"{local.hour:02d}:{local.minute:02d}"
        days.setdefault(local.date(), []).append(TimeChoice(slot.start.isoformat(), label))
    return [
        DayChoice(
            key=day.isoformat(),
            label_nl=format_short_day(day, "nl"),
            label_en=format_short_day(day, "en"),
            long_nl=format_day(day, "nl"),
            long_en=format_day(day, "en"),
            times=tuple(times),
        )
        for day, times in sorted(days.items())
    ]


def bookable_days(
    session: Session, organisation: Organisation, service: Service, now: datetime
) -> list[DayChoice]:
    """Days with free times for ``service`` from today up to its booking horizon."""
    tz = ZoneInfo(organisation.time_zone)
    today = now.astimezone(tz).date()
    last = today + timedelta(days=service.horizon_days)
    return group_by_day(cached_free_slots(session, service, today, last, now, organisation), tz)


JOIN_OPENS_BEFORE = timedelta(minutes=15)


def join_is_open(start: datetime, now: datetime) -> bool:
    """The join button works from 15 minutes before the start."""
    return now >= start - JOIN_OPENS_BEFORE


@dataclass(frozen=True)
class AppointmentSummary:
    """An appointment as its citizen sees it, in their chosen language."""

    reference: str
    status: str
    service_slug: str
    service_name: str
    topic_name: str
    preparation: str
    when: str
    start_iso: str
    join_url: str
    meeting_state: str


def summarise(
    session: Session, appointment: Appointment, language: str, catalogue: Catalogue | None = None
) -> AppointmentSummary:
    """The summary of ``appointment`` in ``language`` (names from ``catalogue`` when given)."""
    organisation = catalogue.organisation if catalogue else None
    service = catalogue.services_by_id.get(appointment.service_id) if catalogue else None
    topic = catalogue.topics_by_id.get(appointment.topic_id) if catalogue else None
    if organisation is None or organisation.id != appointment.organisation_id:
        organisation = session.get(Organisation, appointment.organisation_id)
    service = service or session.get(Service, appointment.service_id)
    topic = topic or session.get(Topic, appointment.topic_id)
    local = appointment.start_at.astimezone(ZoneInfo(organisation.time_zone))
    cancelled = appointment.status == "cancelled"
    return AppointmentSummary(
        reference=appointment.reference,
        status=str(appointment.status),
        service_slug=service.slug,
        service_name=pick(service.name, language),
        topic_name=pick(topic.name, language),
        preparation=pick(topic.preparation, language),
        when=format_moment(local, language),
        start_iso=appointment.start_at.isoformat(),
        join_url="" if cancelled else (appointment.join_url or ""),
        meeting_state=str(appointment.meeting_state),
    )


@dataclass(frozen=True)
class WizardOutcome:
    """What the wizard shows after "confirm": booked (with summaries), or why not."""

    outcome: str  # "booked", "taken" or the key of an error message
    appointment: Appointment | None = None
    summaries: dict[str, AppointmentSummary] = field(default_factory=dict)
    days: list[DayChoice] = field(default_factory=list)  # fresh free times when taken


def book_from_wizard(
    session: Session,
    catalogue: Catalogue,
    request: booking.BookingRequest,
    *,
    meeting_provider: str,
    secret_key: str,
    make_meeting: Callable[[Session, Appointment], None],
    now: datetime,
    guard: Callable[[Session, Any], None] | None = None,
    meeting_claimed_until: datetime | None = None,
) -> WizardOutcome:
    """Book, make the meeting (``make_meeting`` waits a bounded time), and summarise.

    ``make_meeting`` gets the committed appointment and shows its meeting's outcome on it;
    with ``meeting_claimed_until`` the booking claims its meeting job for it at birth.
    A time taken meanwhile comes back with the service's fresh free times, so the wizard can
    show them without another round to the database.
    """
    try:
        booked = booking.book(
            session,
            catalogue.organisation,
            request,
            meeting_provider=meeting_provider,
            secret_key=secret_key,
            now=now,
            catalogue=catalogue,
            guard=guard,
            meeting_claimed_until=meeting_claimed_until,
        )
    except booking.SlotTaken:
        service = catalogue.services.get(request.service_slug)
        days = bookable_days(session, catalogue.organisation, service, now) if service else []
        return WizardOutcome("taken", days=days)
    except booking.BookingError as problem:
        return WizardOutcome(problem.key)
    appointment = booked.appointment
    if not booked.replayed:
        session.commit()  # no transaction stays open while the meeting is made
        make_meeting(session, appointment)
    summaries = {lang: summarise(session, appointment, lang, catalogue) for lang in ("nl", "en")}
    return WizardOutcome("booked", appointment, summaries)
