"""State of the managers' dashboard (/statistieken): filters, figures, charts and CSV export.

Every handler looks the staff member up again and checks the manager or admin role; filter
values from the browser are validated before use, and only aggregate numbers (no personal
data) ever reach public vars. The figures come from balie.services.insight.statistics.dashboard, the
same function the CSV export and the benchmark call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from balie.db_types import utcnow
from balie.i18n import format_day
from balie.models import Organisation, Outcome, StaffMember
from balie.services import palette
from balie.services.insight import statistics as stats
from balie.services.insight.statistics import Dashboard, Period
from balie.states.staff_session import StaffSessionState, roles_for_page
from balie.states.tenant import tenant_session

DASHBOARD_PAGE = "/statistieken"
DASHBOARD_ROLES = roles_for_page(DASHBOARD_PAGE)
EARLIEST = date(2000, 1, 1)
LATEST_AHEAD = timedelta(days=366)
LONGEST = timedelta(days=3660)
# Okabe-Ito based, checked for contrast and colour-blindness in balie.services.palette.
PALETTE = palette.SERIES
CHANNEL_COLOURS = palette.CHANNELS
NONE = {"nl": "geen", "en": "none"}


@dataclass
class FigureView:
    """One headline figure: its code, label key and value in both languages."""

    code: str
    label_key: str
    value: dict[str, str]
    detail: dict[str, str]
    change: dict[str, str]
    trend: str = ""


@dataclass
class SeriesView:
    """A service in the charts: slug, name and colour."""

    slug: str
    name: dict[str, str]
    colour: str
    fill: str = ""  # the colour with the series' own pattern (palette.PATTERNS)


@dataclass
class TableRow:
    """A row of a numbers table: its label and the cells after it."""

    label: str
    cells: list[str]


@dataclass
class ServiceRow:
    """A row of the per-service table (numbers already formatted per language)."""

    slug: str
    name: dict[str, str]
    held: str
    upcoming: str
    no_show_rate: dict[str, str]
    lead_time: dict[str, str]
    first_free: dict[str, str]
    capacity: dict[str, str]
    outcomes: list[str]


@dataclass
class WaveView:
    """A go-live date inside the period."""

    day: str
    week: str
    month: str
    services: dict[str, str]


@dataclass
class OptionView:
    """A service to filter on."""

    value: str
    name: dict[str, str]


def _decimal(value: float | None, digits: int = 1) -> dict[str, str]:
    """A number with ``digits`` decimals, with a decimal comma in Dutch; 'none' when missing."""
    if value is None:
        return dict(NONE)
    text = f"{value:.{digits}f}"
    return {"nl": text.replace(".", ","), "en": text}


def _percent(value: float | None) -> dict[str, str]:
    """A share as a percentage with one decimal."""
    if value is None:
        return dict(NONE)
    text = f"{value * 100:.1f}"
    return {"nl": text.replace(".", ",") + " %", "en": text + "%"}


def _count(value: int) -> dict[str, str]:
    """A whole number, the same in both languages."""
    return {"nl": str(value), "en": str(value)}


def parse_day(value: Any) -> date | None:
    """An ISO day (YYYY-MM-DD) from the browser, or None."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_period(first: Any, last: Any, today: date) -> Period | str:
    """The period from two ISO days, or the key of the problem."""
    low, high = parse_day(first), parse_day(last)
    if low is None or high is None:
        return "dash_error_date"
    if low > high:
        return "dash_error_order"
    if low < EARLIEST or high > today + LATEST_AHEAD or high - low > LONGEST:
        return "dash_error_range"
    return Period(low, high)


def parse_service(value: Any, allowed: set[int]) -> int | str | None:
    """None for all services, a service id of the organisation, or the key of the problem."""
    if value in ("", "all", None):
        return None
    if isinstance(value, bool):
        return "dash_error_service"
    if isinstance(value, str) and value.isdigit() and len(value) < 12:
        value = int(value)
    if isinstance(value, int) and value in allowed:
        return value
    return "dash_error_service"


def _trend(difference: float | None) -> str:
    """'up', 'down' or 'same' for a difference; '' when there is nothing to compare."""
    if difference is None:
        return ""
    if abs(difference) < 0.0005:
        return "same"
    return "up" if difference > 0 else "down"


def _relative(current: int, previous: int | None) -> tuple[dict[str, str], str]:
    """A count's change against the previous period: '↑ 20 %' and its trend."""
    if previous == 0 and current > 0:  # no percentage of nothing: say what it was
        return {"nl": "↑ vorige periode: 0", "en": "↑ previous period: 0"}, "up"
    difference = stats.change(current, previous)
    trend = _trend(difference)
    if not trend:
        return {}, ""
    arrow = {"up": "↑", "down": "↓", "same": "="}[trend]
    number = f"{abs(difference) * 100:.0f}"
    return {
        "nl": f"{arrow} {number} % t.o.v. vorige periode",
        "en": f"{arrow} {number}% vs. previous period",
    }, trend


def _points(current: float | None, previous: float | None, scale: float, unit: dict[str, str]):
    """A rate's or average's change in points against the previous period, and its trend."""
    if current is None or previous is None:
        return {}, ""
    difference = (current - previous) * scale
    trend = _trend(difference)
    arrow = {"up": "↑", "down": "↓", "same": "="}[trend]
    number = f"{abs(difference):.1f}"
    return {
        "nl": f"{arrow} {number.replace('.', ',')} {unit['nl']} t.o.v. vorige periode",
        "en": f"{arrow} {number} {unit['en']} vs. previous period",
    }, trend


PERCENT_POINTS = {"nl": "procentpunt", "en": "points"}
SCORE_POINTS = {"nl": "punt", "en": "points"}


def _headline_views(figures: Dashboard) -> list[FigureView]:
    """The key figures, formatted, each with its change against the previous period."""
    top, before = figures.headline, figures.previous
    answers = {
        "nl": f"{top.satisfaction_answers} antwoorden",
        "en": f"{top.satisfaction_answers} answers",
    }

    def count(code: str, label: str) -> FigureView:
        current = getattr(top, code)
        change, trend = _relative(current, None if before is None else getattr(before, code))
        return FigureView(code, label, _count(current), {}, change, trend)

    def rate(code: str, label: str) -> FigureView:
        current = getattr(top, code)
        previous = None if before is None else getattr(before, code)
        change, trend = _points(current, previous, 100, PERCENT_POINTS)
        return FigureView(code, label, _percent(current), {}, change, trend)

    satisfaction, trend = _points(
        top.satisfaction, None if before is None else before.satisfaction, 1, SCORE_POINTS
    )
    return [
        count("held", "dash_held"),
        FigureView("upcoming", "dash_upcoming_now", _count(figures.upcoming), {}, {}),
        count("booked", "dash_booked"),
        count("cancelled", "dash_cancelled"),
        count("no_shows", "dash_no_shows"),
        rate("no_show_rate", "dash_no_show_rate"),
        rate("cancellation_rate", "dash_cancellation_rate"),
        FigureView(
            "satisfaction",
            "dash_satisfaction",
            _decimal(top.satisfaction),
            answers,
            satisfaction,
            trend,
        ),
        FigureView("services_live", "dash_services_live", _count(top.services_live), {}, {}),
    ]


def _bucket_rows(buckets: stats.Buckets, keys: list[str]) -> list[TableRow]:
    """Table rows of buckets: the counts in ``keys`` order and their total."""
    return [
        TableRow(label, [*(str(values.get(key, 0)) for key in keys), str(sum(values.values()))])
        for label, values in buckets
    ]


def _chart_data(buckets: stats.Buckets) -> list[dict[str, Any]]:
    """Chart points: the label and a count per key."""
    return [{"label": label, **values} for label, values in buckets]


def _service_rows(figures: Dashboard) -> list[ServiceRow]:
    """The per-service table, formatted."""
    return [
        ServiceRow(
            slug=row.slug,
            name={"nl": row.name_nl, "en": row.name_en or row.name_nl},
            held=str(row.held),
            upcoming=str(row.upcoming),
            no_show_rate=_percent(row.no_show_rate),
            lead_time=_decimal(row.median_lead_time_days),
            first_free=_decimal(row.first_free_slot_hours),
            capacity=_percent(row.capacity_use),
            outcomes=[str(row.outcomes[outcome.value]) for outcome in Outcome],
        )
        for row in figures.per_service
    ]


class DashboardState(StaffSessionState, rx.State):
    """The figures of the signed-in manager's organisation for the chosen period and service."""

    date_from: str = ""
    date_to: str = ""
    service: str = ""
    filter_error: str = ""
    period_label: dict[str, str] = {}
    demo: bool = False
    options: list[OptionView] = []
    headline: list[FigureView] = []
    series: list[SeriesView] = []
    weeks_chart: list[dict[str, Any]] = []
    weeks_table: list[TableRow] = []
    months_chart: list[dict[str, Any]] = []
    months_table: list[TableRow] = []
    wave_weeks: list[WaveView] = []
    services_table: list[ServiceRow] = []
    channels_chart: list[dict[str, Any]] = []
    channels_table: list[TableRow] = []
    loaded: bool = False

    _period: Period | None = None
    _service_id: int | None = None

    def _clear(self) -> None:
        """Forget the figures and filters."""
        super()._clear()
        self.headline, self.series, self.options, self.services_table = [], [], [], []
        self.weeks_chart, self.weeks_table, self.months_chart, self.months_table = [], [], [], []
        self.channels_chart, self.channels_table, self.wave_weeks = [], [], []
        self.date_from = self.date_to = self.service = self.filter_error = ""
        self.period_label, self.demo, self.loaded = {}, False, False
        self._period, self._service_id = None, None

    def _today(self, session: Any, staff: StaffMember) -> date:
        """Today in the organisation's time zone."""
        organisation = session.get(Organisation, staff.organisation_id)
        return utcnow().astimezone(ZoneInfo(organisation.time_zone)).date()

    def _figures(self, session: Any, staff: StaffMember) -> Dashboard:
        """The dashboard of the staff member's organisation for the stored filters."""
        today = self._today(session, staff)
        period = self._period or stats.default_period(session, staff.organisation_id, today)
        try:
            return stats.dashboard(
                session, staff.organisation_id, period, self._service_id, utcnow()
            )
        except ValueError:  # the chosen service was removed meanwhile: show all services
            self._service_id = None
            return stats.dashboard(session, staff.organisation_id, period, None, utcnow())

    def _show(self, figures: Dashboard) -> None:
        """Put the figures into the public vars (aggregates only)."""
        period = figures.period
        self.date_from, self.date_to = period.first.isoformat(), period.last.isoformat()
        self.service = "" if figures.service_id is None else str(figures.service_id)
        self.period_label = {
            "nl": f"{format_day(period.first, 'nl')} tot en met {format_day(period.last, 'nl')}",
            "en": f"{format_day(period.first, 'en')} up to {format_day(period.last, 'en')}",
        }
        self.demo = figures.contains_demo_data
        self.options = [
            OptionView(str(option.id), {"nl": option.name_nl, "en": option.name_en})
            for option in figures.services
        ]
        shown = [row.slug for row in figures.per_service]
        names = {
            option.slug: {"nl": option.name_nl, "en": option.name_en} for option in figures.services
        }
        self.series = [
            SeriesView(
                slug,
                names[slug],
                PALETTE[index % len(PALETTE)],
                f"url(#{palette.pattern_id(index)})",
            )
            for index, slug in enumerate(
                option.slug for option in figures.services if option.slug in shown
            )
        ]
        self.headline = _headline_views(figures)
        self.weeks_chart = _chart_data(figures.held_per_week)
        self.weeks_table = _bucket_rows(figures.held_per_week, shown)
        self.months_chart = _chart_data(figures.held_per_month)
        self.months_table = _bucket_rows(figures.held_per_month, shown)
        channels = ["web", "contact_centre"]
        self.channels_chart = _chart_data(figures.channel_per_month)
        self.channels_table = _bucket_rows(figures.channel_per_month, channels)
        self.services_table = _service_rows(figures)
        self.wave_weeks = [
            WaveView(
                day=wave.day.isoformat(),
                week=wave.week,
                month=wave.month,
                services={
                    lang: ", ".join(names[slug][lang] for slug in wave.slugs)
                    for lang in ("nl", "en")
                },
            )
            for wave in figures.waves
        ]
        self.loaded = True

    @rx.event
    def load(self) -> Any:
        """Open the page: since the first go-live, all services."""
        with tenant_session(self) as session:
            staff, redirect = self._open_page(session, DASHBOARD_PAGE)
            if staff is None:
                return redirect
            self._period, self._service_id, self.filter_error = None, None, ""
            self._show(self._figures(session, staff))
        return None

    @rx.event
    def apply_filters(self, form_data: Any) -> None:
        """Show the figures of the chosen period and service; a bad choice gets a message."""
        if not isinstance(form_data, dict):
            return
        with tenant_session(self) as session:
            staff = self._staff_with(session, *DASHBOARD_ROLES)
            if staff is None:
                return
            period = parse_period(
                form_data.get("from"), form_data.get("to"), self._today(session, staff)
            )
            allowed = {
                option.id for option in stats.service_options(session, staff.organisation_id)
            }
            service = parse_service(form_data.get("service"), allowed)
            problem = next((found for found in (period, service) if isinstance(found, str)), "")
            if problem:
                self.filter_error = problem
                return
            self._period, self._service_id, self.filter_error = period, service, ""
            self._show(self._figures(session, staff))

    @rx.event
    def reset_filters(self) -> None:
        """Back to the default: since the first go-live, all services."""
        with tenant_session(self) as session:
            staff = self._staff_with(session, *DASHBOARD_ROLES)
            if staff is None:
                return
            self._period, self._service_id, self.filter_error = None, None, ""
            self._show(self._figures(session, staff))

    @rx.event
    def download_csv(self, table: Any) -> Any:
        """One table of the figures shown, as a CSV file."""
        if table not in stats.TABLES:
            return None
        with tenant_session(self) as session:
            staff = self._staff_with(session, *DASHBOARD_ROLES)
            if staff is None:
                return None
            figures = self._figures(session, staff)
        period = figures.period
        name = f"balie-{table}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
        text = stats.to_csv(stats.tables(figures)[table])
        return rx.download(data=text, filename=name, mime_type="text/csv")
