"""What the booking wizard and the manage page show: plain data built from the domain services.

No Reflex here; the states turn these into UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from balie.i18n import format_day, format_moment, format_short_day, pick
from balie.models import Appointment, Organisation, Service, Topic
from balie.services.slots import Slot, free_slots


@dataclass(frozen=True)
class TimeChoice:
    """One bookable start time."""

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
        days.setdefault(local.date(), []).append(
            TimeChoice(start=slot.start.isoformat(), label=local.strftime("%H:%M"))
        )
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
    return group_by_day(free_slots(session, service, today, last, now), tz)


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


def summarise(session: Session, appointment: Appointment, language: str) -> AppointmentSummary:
    """The summary of ``appointment`` in ``language``."""
    organisation = session.get(Organisation, appointment.organisation_id)
    service = session.get(Service, appointment.service_id)
    topic = session.get(Topic, appointment.topic_id)
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
