"""States of the planning views: my week (/medewerkers/week) and a service's day
(/medewerkers/team). Both read citizens' names in bulk, so every load is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from balie.db_types import utcnow
from balie.i18n import LANGUAGES, format_day, pick
from balie.models import Organisation, StaffMember
from balie.services import palette
from balie.services.calendar_grid import HourRange, hour_range, place
from balie.services.staff import staff_day
from balie.states.staff import MEETING_KEYS, OUTCOME_KEYS, STATUS_KEYS, word_key
from balie.states.staff_session import StaffSessionState, roles_for_page
from balie.states.tenant import tenant_session

WEEK_PAGE = "/medewerkers/week"
TEAM_PAGE = "/medewerkers/team"
WEEK_ROLES = roles_for_page(WEEK_PAGE)
TEAM_ROLES = roles_for_page(TEAM_PAGE)
REACH = timedelta(days=366)  # how far from today the views look, back and ahead


@dataclass
class PlanRow:
    """One appointment in the week or team view (no question: name and topic suffice)."""

    appointment_id: int
    reference: str
    time_label: str
    staff_name: str
    service_name: str
    topic_name: str
    citizen_name: str
    status_key: str
    outcome_key: str
    meeting_key: str


@dataclass
class Block:
    """An appointment in the calendar grid: where it sits (CSS percentages) and what it says."""

    reference: str
    top: str
    height: str
    colour: str
    time_label: str
    citizen_name: str
    service_name: str
    status_key: str
    outcome_key: str


@dataclass
class Span:
    """A shaded stretch of a grid column (opening hours or leave), as CSS percentages."""

    top: str
    height: str


@dataclass
class WeekDay:
    """A column of the grid (a day of the week, or a counsellor) with its appointments."""

    key: str
    label: dict[str, str]
    count: int
    rows: list[PlanRow] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    open_spans: list[Span] = field(default_factory=list)
    away_spans: list[Span] = field(default_factory=list)


@dataclass
class ServiceOption:
    """A service in the team view's list."""

    value: str
    name: dict[str, str]


def _plan_row(row: staff_day.DayRow) -> PlanRow:
    """The planning view of one appointment."""
    return PlanRow(
        appointment_id=row.appointment_id,
        reference=row.reference,
        time_label=row.time_label,
        staff_name=row.staff_name,
        service_name=row.service_name,
        topic_name=row.topic_name,
        citizen_name=row.citizen_name,
        status_key=word_key("status", row.status, STATUS_KEYS),
        outcome_key=word_key("outcome", row.outcome, OUTCOME_KEYS),
        meeting_key=word_key("work_meeting", row.meeting_state, MEETING_KEYS),
    )


def _percent(value: float) -> str:
    """A CSS percentage."""
    return f"{value:g}%"


def _span(start: Any, end: Any, hours: HourRange) -> Span:
    """A shaded stretch of a column."""
    top, height = place(start, end, hours)
    return Span(_percent(top), _percent(height))


def _blocks(rows: list[staff_day.DayRow], hours: HourRange, colours: dict[str, str]) -> list[Block]:
    """The grid blocks of appointments: placed by time, coloured by service."""
    blocks = []
    for row in rows:
        top, height = place(row.start, row.end, hours)
        plan = _plan_row(row)
        blocks.append(
            Block(
                reference=row.reference,
                top=_percent(top),
                height=_percent(height),
                colour=colours[row.service_name],
                time_label=row.time_label,
                citizen_name=row.citizen_name,
                service_name=row.service_name,
                status_key=plan.status_key,
                outcome_key=plan.outcome_key,
            )
        )
    return blocks


def _service_colours(rows: list[staff_day.DayRow]) -> dict[str, str]:
    """A colour per service in the rows (palette order, by name)."""
    names = sorted({row.service_name for row in rows})
    return {name: palette.SERIES[i % len(palette.SERIES)] for i, name in enumerate(names)}


def _hour_labels(hours: HourRange) -> list[str]:
    """The hour labels of the grid's rows."""
    return [f"{hour:02d}:00" for hour in range(hours.first, hours.last)]


def local_today(session: Any, staff: StaffMember) -> date:
    """Today in the organisation's time zone."""
    organisation = session.get(Organisation, staff.organisation_id)
    return utcnow().astimezone(ZoneInfo(organisation.time_zone)).date()


def _within_reach(day: date, today: date) -> bool:
    """Whether ``day`` is at most a year from today (the views look no further)."""
    return today - REACH <= day <= today + REACH


def parse_day(value: Any, today: date) -> date | None:
    """An ISO date (YYYY-MM-DD) within a year of today, or None."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if _within_reach(day, today) else None


class WeekState(StaffSessionState, rx.State):
    """The signed-in counsellor's own appointments of one week, Monday to Sunday."""

    week_label: dict[str, str] = {}
    days: list[WeekDay] = []
    hours: list[str] = []
    total: int = 0
    monday: str = ""

    def _clear(self) -> None:
        """Forget everything private."""
        super()._clear()
        self.week_label, self.days, self.total, self.monday, self.hours = {}, [], 0, "", []

    def _show(self, session: Any, staff: StaffMember, monday: date) -> None:
        """Load the week that starts on ``monday`` (a bulk read: audited)."""
        week = staff_day.week_rows(session, staff, monday, "nl")
        sunday = monday + timedelta(days=6)
        number = monday.isocalendar().week
        words = {"nl": ("Week", "tot"), "en": ("Week", "to")}
        self.week_label = {
            lang: f"{words[lang][0]} {number}: {format_day(monday, lang)} "
            f"{words[lang][1]} {format_day(sunday, lang)}"
            for lang in LANGUAGES
        }
        every = [row for rows in week.values() for row in rows]
        shading = staff_day.week_availability(session, staff, monday)
        spans = [span for opened, _away in shading.values() for span in opened]
        hours = hour_range([(row.start, row.end) for row in every] + spans)
        colours = _service_colours(every)
        self.hours = _hour_labels(hours)
        self.days = [
            WeekDay(
                key=day.isoformat(),
                label={lang: format_day(day, lang) for lang in LANGUAGES},
                count=len(rows),
                rows=[_plan_row(row) for row in rows],
                blocks=_blocks(rows, hours, colours),
                open_spans=[_span(a, b, hours) for a, b in shading[day][0]],
                away_spans=[_span(a, b, hours) for a, b in shading[day][1]],
            )
            for day, rows in week.items()
        ]
        self.total = sum(day.count for day in self.days)
        self.monday = monday.isoformat()

    @rx.event
    def load(self) -> Any:
        """Open the week page on the current week."""
        with tenant_session(self) as session:
            staff, redirect = self._open_page(session, WEEK_PAGE)
            if staff is None:
                return redirect
            today = local_today(session, staff)
            self._show(session, staff, today - timedelta(days=today.weekday()))
        return None

    def _move(self, weeks: int) -> None:
        """Show the week ``weeks`` after the one shown (0: this week); at most a year away."""
        with tenant_session(self) as session:
            staff = self._staff_with(session, *WEEK_ROLES)
            if staff is None:
                return
            today = local_today(session, staff)
            monday = today - timedelta(days=today.weekday())
            if weeks:
                shown = parse_day(self.monday, today) or monday
                monday = shown - timedelta(days=shown.weekday()) + timedelta(weeks=weeks)
                if not _within_reach(monday, today):
                    return
            self._show(session, staff, monday)

    @rx.event
    def previous_week(self) -> None:
        """Show the week before."""
        self._move(-1)

    @rx.event
    def next_week(self) -> None:
        """Show the week after."""
        self._move(1)

    @rx.event
    def this_week(self) -> None:
        """Back to the current week."""
        self._move(0)


class TeamDayState(StaffSessionState, rx.State):
    """All appointments of one service on one day, for its team and for managers."""

    services: list[ServiceOption] = []
    service_value: str = ""
    service_name: dict[str, str] = {}
    day: str = ""
    day_label: dict[str, str] = {}
    rows: list[PlanRow] = []
    columns: list[WeekDay] = []
    hours: list[str] = []
    problem: str = ""
    loaded: bool = False

    def _clear(self) -> None:
        """Forget everything private."""
        super()._clear()
        self.services, self.rows, self.service_name, self.day_label = [], [], {}, {}
        self.columns, self.hours = [], []
        self.service_value, self.day, self.problem, self.loaded = "", "", "", False

    def _show(self, session: Any, staff: StaffMember, service_id: int, day: date) -> None:
        """Load the service's day (a bulk read: audited by the service)."""
        rows = staff_day.team_rows(session, staff, service_id, day, "nl")
        self.rows = [_plan_row(row) for row in rows]
        counsellors = staff_day.team_availability(session, staff, service_id, day, rows)
        spans = [span for column in counsellors for span in column.opened]
        hours = hour_range([(row.start, row.end) for row in rows] + spans)
        colours = _service_colours(rows)
        self.hours = _hour_labels(hours)
        self.columns = []
        for index, column in enumerate(counsellors):
            own = [row for row in rows if row.staff_id == column.staff_id]
            self.columns.append(
                WeekDay(
                    key=f"counsellor-{index}",
                    label=dict.fromkeys(LANGUAGES, column.name),
                    count=len(own),
                    blocks=_blocks(own, hours, colours),
                    open_spans=[_span(a, b, hours) for a, b in column.opened],
                    away_spans=[_span(a, b, hours) for a, b in column.away],
                )
            )
        self.service_value, self.day = str(service_id), day.isoformat()
        chosen = next((s for s in self.services if s.value == self.service_value), None)
        self.service_name = chosen.name if chosen else {}
        self.day_label = {lang: format_day(day, lang) for lang in LANGUAGES}
        self.loaded = True

    def _allowed(self, session: Any, staff: StaffMember) -> dict[str, int]:
        """The services this person may see now, by the value the form sends."""
        services = staff_day.team_services(session, staff)
        self.services = [
            ServiceOption(
                value=str(service.id),
                name={lang: pick(service.name, lang) for lang in LANGUAGES},
            )
            for service in services
        ]
        return {str(service.id): service.id for service in services}

    @rx.event
    def load(self) -> Any:
        """Open the page on the first service and today."""
        with tenant_session(self) as session:
            staff, redirect = self._open_page(session, TEAM_PAGE)
            if staff is None:
                return redirect
            self.problem, self.rows, self.loaded = "", [], False
            allowed = self._allowed(session, staff)
            if not allowed:
                return None
            self._show(session, staff, next(iter(allowed.values())), local_today(session, staff))
        return None

    @rx.event
    def show(self, form_data: Any) -> None:
        """Show the chosen service on the chosen day."""
        if not isinstance(form_data, dict):
            return
        with tenant_session(self) as session:
            staff = self._staff_with(session, *TEAM_ROLES)
            if staff is None:
                return
            allowed = self._allowed(session, staff)
            chosen = form_data.get("service")
            service_id = allowed.get(chosen) if isinstance(chosen, str) else None
            day = parse_day(form_data.get("day"), local_today(session, staff))
            if service_id is None:
                self.problem = "work_team_bad_service"
                return
            if day is None:
                self.problem = "work_team_bad_day"
                return
            self.problem = ""
            self._show(session, staff, service_id, day)
