"""State of /medewerkers/uren: weekly hours per service, leave, and (admins) closures.

Unsaved edits of the hours live in this state, so nothing typed is lost when a save is
refused. Every handler looks the staff member up again; the schedule service checks once more
whose hours may be changed, so a forged event cannot reach someone else's hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from balie.db_types import utcnow
from balie.i18n import LANGUAGES, format_day, format_moment, ui_text
from balie.models import AvailabilityException, Organisation, Service, StaffMember
from balie.services import schedule
from balie.states.staff_session import StaffSessionState, roles_for_page
from balie.states.tenant import tenant_session

HOURS_PAGE = "/medewerkers/uren"
HOURS_ROLES = roles_for_page(HOURS_PAGE)
MAX_ROWS = schedule.MAX_RANGES
FIELD_LIMIT = 12
PERIOD_FIELDS = ("date_from", "date_until", "time_from", "time_until", "reason")
RESET_LEAVE = "document.getElementById('leave-form')?.reset()"
RESET_CLOSURE = "document.getElementById('closure-form')?.reset()"


@dataclass
class HourRow:
    """One time range being edited."""

    key: str
    weekday: int
    start: str
    end: str
    error: str = ""


@dataclass
class ServiceHours:
    """The weekly hours of one service, as edited."""

    service_id: int
    name: dict[str, str]
    rows: list[HourRow]
    empty_days: list[int]


@dataclass
class PeriodRow:
    """A leave period or closure in a list."""

    period_id: int
    label: dict[str, str]
    reason: str


@dataclass
class StrandedRow:
    """A booked appointment a change would strand."""

    appointment_id: int
    reference: str
    when: dict[str, str]
    service_name: dict[str, str]
    citizen_name: str
    staff_name: str


@dataclass
class StaffOption:
    """A staff member an administrator can choose."""

    value: str
    label: str


def as_id(value: Any) -> int | None:
    """A positive id from an int or a digit string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.isdigit() and len(value) <= 18:
        return int(value) or None
    return None


def _text(value: Any, limit: int) -> str | None:
    """``value`` when it is a string of at most ``limit`` characters."""
    return value if isinstance(value, str) and len(value) <= limit else None


def _empty_days(rows: list[HourRow]) -> list[int]:
    """Weekdays without any range."""
    return [day for day in range(7) if not any(row.weekday == day for row in rows)]


def _whole_days(start: datetime, end: datetime) -> bool:
    """Whether a local period starts and ends at midnight."""
    return start.time() == time(0, 0) and end.time() == time(0, 0)


def period_label(start_utc: datetime, end_utc: datetime, tz: ZoneInfo) -> dict[str, str]:
    """A period in words per language, whole days without times."""
    start, end = start_utc.astimezone(tz), end_utc.astimezone(tz)
    labels = {}
    for lang in LANGUAGES:
        if _whole_days(start, end):
            last = end.date() - timedelta(days=1)
            if last == start.date():
                label = f"{format_day(start.date(), lang)} ({ui_text('hours_whole_day', lang)})"
            else:
                label = (
                    f"{format_day(start.date(), lang)} {ui_text('hours_through', lang)} "
                    f"{format_day(last, lang)}"
                )
        else:
            label = (
                f"{format_moment(start, lang)} {ui_text('hours_to', lang)} "
                f"{format_moment(end, lang)}"
            )
        labels[lang] = label
    return labels


class HoursState(StaffSessionState, rx.State):
    """Opening hours and leave of the signed-in counsellor, or (admins) of anyone."""

    is_admin: bool = False
    loaded: bool = False
    staff_options: list[StaffOption] = []
    target_id: str = ""
    target_name: str = ""
    services: list[ServiceHours] = []
    leave: list[PeriodRow] = []
    closures: list[PeriodRow] = []
    leave_errors: dict[str, str] = {}
    closure_errors: dict[str, str] = {}
    cancel_errors: dict[str, str] = {}
    stranded: list[StrandedRow] = []
    message: str = ""
    problem: str = ""
    _target: int = 0
    _row_serial: int = 0
    _pending: dict[str, Any] = {}

    # --- private helpers ----------------------------------------------------------------------

    def _clear(self) -> None:
        """Forget everything private."""
        super()._clear()
        self.is_admin, self.loaded = False, False
        self.staff_options, self.target_id, self.target_name = [], "", ""
        self.services, self.leave, self.closures = [], [], []
        self._clear_feedback()
        self._target, self._pending = 0, {}

    def _clear_feedback(self) -> None:
        """Forget messages, errors and a pending refusal."""
        self.leave_errors, self.closure_errors, self.cancel_errors = {}, {}, {}
        self.stranded, self._pending = [], {}
        self.message, self.problem = "", ""

    def _actor(self, session: Any) -> StaffMember | None:
        """The signed-in staff member with a role of this page; else everything is cleared."""
        staff = self._staff_with(session, *HOURS_ROLES)
        if staff is not None:
            self.is_admin = schedule.is_admin(staff)
        return staff

    def _tz(self, session: Any, actor: StaffMember) -> ZoneInfo:
        """The organisation's time zone."""
        return ZoneInfo(session.get(Organisation, actor.organisation_id).time_zone)

    def _next_key(self) -> str:
        """A fresh key for a new row."""
        self._row_serial += 1
        return f"r{self._row_serial}"

    def _load_service(self, session: Any, service: Any) -> ServiceHours:
        """The saved weekly hours of the target for one service."""
        rows = [
            HourRow(
                self._next_key(), item.weekday, schedule.clock(item.start), schedule.clock(item.end)
            )
            for item in schedule.weekly_hours(session, self._target, service.id)
        ]
        return ServiceHours(service.id, dict(service.name), rows, _empty_days(rows))

    def _load_periods(self, session: Any, actor: StaffMember) -> None:
        """Leave of the target and (admins) the closures."""
        tz, now = self._tz(session, actor), utcnow()
        self.leave = [
            self._period_row(row, tz) for row in schedule.leave_of(session, self._target, now)
        ]
        if self.is_admin:
            closures = schedule.closures_of(session, actor.organisation_id, now)
            self.closures = [self._period_row(row, tz) for row in closures]
        else:
            self.closures = []

    @staticmethod
    def _period_row(row: AvailabilityException, tz: ZoneInfo) -> PeriodRow:
        """A list row for a leave period or closure."""
        return PeriodRow(row.id, period_label(row.start_at, row.end_at, tz), row.reason)

    def _load_target(self, session: Any, actor: StaffMember, staff_id: int) -> None:
        """Show the hours, leave (and closures) of ``staff_id``."""
        member = session.get(StaffMember, staff_id)
        self._target = staff_id
        self.target_id, self.target_name = str(staff_id), member.display_name
        self.services = [
            self._load_service(session, service)
            for service in schedule.services_of(session, staff_id)
        ]
        self._load_periods(session, actor)

    def _allowed_targets(self, session: Any, actor: StaffMember) -> list[StaffMember]:
        """Whose hours this person may edit."""
        return schedule.editable_staff(session, actor)

    def _current(self, session: Any) -> StaffMember | None:
        """The actor, when the target shown is still one they may edit."""
        actor = self._actor(session)
        if actor is None or not self._target:
            return None
        if not any(m.id == self._target for m in self._allowed_targets(session, actor)):
            return None
        return actor

    def _service(self, service_id: Any) -> ServiceHours | None:
        """The shown service with this id."""
        wanted = as_id(service_id)
        return next((s for s in self.services if s.service_id == wanted), None)

    def _replace_service(self, updated: ServiceHours) -> None:
        """Put an edited service back in the list (so the change reaches the browser)."""
        updated.empty_days = _empty_days(updated.rows)
        self.services = [
            updated if s.service_id == updated.service_id else s for s in self.services
        ]

    def _show_stranded(self, problem: schedule.Stranded, pending: dict, resolving: bool) -> None:
        """Show the refusal with its appointments and remember the change for a confirmation."""
        self.stranded = [
            StrandedRow(
                appointment_id=item.appointment_id,
                reference=item.reference,
                when={lang: format_moment(item.start, lang) for lang in LANGUAGES},
                service_name=item.service_name,
                citizen_name=item.citizen_name,
                staff_name=item.staff_name,
            )
            for item in problem.appointments
        ]
        self._pending = pending
        self.cancel_errors = {}
        self.problem = "hours_stranded_changed" if resolving else ""

    def _resolution(self, reason: str) -> schedule.Resolution:
        """Cancel exactly the appointments shown, with ``reason``."""
        return schedule.Resolution(frozenset(row.appointment_id for row in self.stranded), reason)

    # --- page ---------------------------------------------------------------------------------

    @rx.event
    def load(self) -> Any:
        """Open the page: the counsellor's own hours, or (admins) the first staff member's."""
        self.loaded = False
        with tenant_session(self) as session:
            actor, redirect = self._open_page(session, HOURS_PAGE)
            if actor is None:
                return redirect
            self.is_admin = schedule.is_admin(actor)
            self._clear_feedback()
            targets = self._allowed_targets(session, actor)
            self.staff_options = (
                [StaffOption(str(m.id), m.display_name) for m in targets] if self.is_admin else []
            )
            chosen = self._target if any(m.id == self._target for m in targets) else 0
            if not chosen:
                chosen = actor.id if any(m.id == actor.id for m in targets) else 0
            if not chosen and targets:
                chosen = targets[0].id
            if chosen:
                self._load_target(session, actor, chosen)
            else:
                self._target, self.target_id, self.target_name = 0, "", actor.display_name
                self.services, self.leave = [], []
                self._load_closures_only(session, actor)
        self.loaded = True
        return None

    def _load_closures_only(self, session: Any, actor: StaffMember) -> None:
        """Closures for an administrator who can pick nobody."""
        tz, now = self._tz(session, actor), utcnow()
        if self.is_admin:
            closures = schedule.closures_of(session, actor.organisation_id, now)
            self.closures = [self._period_row(row, tz) for row in closures]

    @rx.event
    def choose_staff(self, staff_id: Any) -> None:
        """Administrators: show another staff member's hours and leave."""
        wanted = as_id(staff_id)
        if wanted is None:
            return
        with tenant_session(self) as session:
            actor = self._actor(session)
            if actor is None or not self.is_admin:
                return
            if not any(m.id == wanted for m in self._allowed_targets(session, actor)):
                return
            self._clear_feedback()
            self._load_target(session, actor, wanted)

    # --- weekly hours (edited in the state, saved per service) ----------------------------------

    @rx.event
    def set_range(self, service_id: Any, key: Any, field: Any, value: Any) -> None:
        """Keep what was typed in a start or end time."""
        service = self._service(service_id)
        value = _text(value, FIELD_LIMIT)
        if service is None or field not in ("start", "end") or value is None:
            return
        row = next((r for r in service.rows if r.key == key), None)
        if row is None:
            return
        with tenant_session(self) as session:
            if self._current(session) is None:
                return
        setattr(row, field, value)
        self._replace_service(service)

    @rx.event
    def add_range(self, service_id: Any, weekday: Any) -> None:
        """Add an empty time range on ``weekday``."""
        service = self._service(service_id)
        valid_day = isinstance(weekday, int) and not isinstance(weekday, bool) and 0 <= weekday < 7
        if service is None or not valid_day or len(service.rows) >= MAX_ROWS:
            return
        with tenant_session(self) as session:
            if self._current(session) is None:
                return
        service.rows = [*service.rows, HourRow(self._next_key(), weekday, "", "")]
        self._replace_service(service)

    @rx.event
    def remove_range(self, service_id: Any, key: Any) -> None:
        """Drop a time range (saved only with the service's save button)."""
        service = self._service(service_id)
        if service is None or not any(r.key == key for r in service.rows):
            return
        with tenant_session(self) as session:
            if self._current(session) is None:
                return
        service.rows = [r for r in service.rows if r.key != key]
        self._replace_service(service)

    def _parsed(self, service: ServiceHours) -> list[schedule.Range] | None:
        """The rows as ranges; None (and errors on the rows) when a time is missing or wrong."""
        ranges, ok = [], True
        for row in service.rows:
            start, end = schedule.parse_clock(row.start), schedule.parse_clock(row.end)
            row.error = "" if start and end else "hours_error_time"
            ok = ok and bool(start and end)
            if start and end:
                ranges.append(schedule.Range(row.weekday, start, end))
        return ranges if ok else None

    @rx.event
    def save_hours(self, service_id: Any) -> None:
        """Save the weekly hours of one service (refused with a list when it strands bookings)."""
        service = self._service(service_id)
        if service is None:
            return
        with tenant_session(self) as session:
            actor = self._current(session)
            if actor is None:
                return
            self._clear_feedback()
            ranges = self._parsed(service)
            if ranges is None:
                self.problem = "hours_not_saved"
                self._replace_service(service)
                return
            pending = {
                "kind": "hours",
                "staff_id": self._target,
                "service_id": service.service_id,
                "ranges": [
                    (r.weekday, schedule.clock(r.start), schedule.clock(r.end)) for r in ranges
                ],
            }
            self._apply(session, actor, pending, None)

    # --- leave and closures -------------------------------------------------------------------

    def _period_form(
        self, session: Any, actor: StaffMember, form_data: Any
    ) -> tuple[tuple[datetime, datetime], str] | dict[str, str]:
        """The period and reason of a submitted leave or closure form, or field errors."""
        if not isinstance(form_data, dict):
            return {"date_from": "hours_error_date"}
        values = {name: form_data.get(name, "") for name in PERIOD_FIELDS}
        if any(_text(value, 400) is None for value in values.values()):
            return {"date_from": "hours_error_date"}
        try:
            period = schedule.period_from_form(
                self._tz(session, actor),
                values["date_from"],
                values["date_until"],
                values["time_from"],
                values["time_until"],
            )
        except schedule.Invalid as problem:
            return problem.errors
        return period, values["reason"]

    @rx.event
    def add_leave(self, form_data: Any) -> Any:
        """Add leave for the staff member shown."""
        with tenant_session(self) as session:
            actor = self._current(session)
            if actor is None:
                return None
            self._clear_feedback()
            parsed = self._period_form(session, actor, form_data)
            if isinstance(parsed, dict):
                self.leave_errors, self.problem = parsed, "hours_not_saved"
                return None
            (start, end), reason = parsed
            pending = {
                "kind": "leave",
                "staff_id": self._target,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "reason": reason,
            }
            return self._apply(session, actor, pending, None)

    @rx.event
    def add_closure(self, form_data: Any) -> Any:
        """Administrators: close the whole organisation for a period."""
        with tenant_session(self) as session:
            actor = self._actor(session)
            if actor is None or not self.is_admin:
                return None
            self._clear_feedback()
            parsed = self._period_form(session, actor, form_data)
            if isinstance(parsed, dict):
                self.closure_errors, self.problem = parsed, "hours_not_saved"
                return None
            (start, end), reason = parsed
            pending = {
                "kind": "closure",
                "start": start.isoformat(),
                "end": end.isoformat(),
                "reason": reason,
            }
            return self._apply(session, actor, pending, None)

    @rx.event
    def remove_leave(self, leave_id: Any) -> None:
        """Remove a leave period shown in the list."""
        wanted = as_id(leave_id)
        if wanted is None or not any(row.period_id == wanted for row in self.leave):
            return
        with tenant_session(self) as session:
            actor = self._current(session)
            if actor is None:
                return
            self._clear_feedback()
            try:
                schedule.remove_leave(session, actor, self._target, wanted, now=utcnow())
            except PermissionError:
                self.problem = "hours_not_allowed"
            else:
                self.message = "hours_leave_removed"
            self._load_periods(session, actor)

    @rx.event
    def remove_closure(self, closure_id: Any) -> None:
        """Administrators: remove a closure shown in the list."""
        wanted = as_id(closure_id)
        if wanted is None or not any(row.period_id == wanted for row in self.closures):
            return
        with tenant_session(self) as session:
            actor = self._actor(session)
            if actor is None or not self.is_admin:
                return
            self._clear_feedback()
            try:
                schedule.remove_closure(session, actor, wanted, now=utcnow())
            except PermissionError:
                self.problem = "hours_not_allowed"
            else:
                self.message = "hours_closure_removed"
            if self._target:
                self._load_periods(session, actor)
            else:
                self._load_closures_only(session, actor)

    # --- applying a change, and the administrator's explicit resolution ------------------------

    def _run(
        self,
        session: Any,
        actor: StaffMember,
        pending: dict[str, Any],
        resolution: schedule.Resolution | None,
    ) -> None:
        """Carry out the remembered change through the schedule service."""
        now = utcnow()
        kind = pending["kind"]
        if kind == "hours":
            ranges = [
                schedule.Range(day, schedule.parse_clock(start), schedule.parse_clock(end))
                for day, start, end in pending["ranges"]
            ]
            schedule.replace_weekly_hours(
                session,
                actor,
                pending["staff_id"],
                pending["service_id"],
                ranges,
                now=now,
                resolution=resolution,
            )
            return
        period = (
            datetime.fromisoformat(pending["start"]).astimezone(UTC),
            datetime.fromisoformat(pending["end"]).astimezone(UTC),
        )
        if kind == "leave":
            schedule.add_leave(
                session,
                actor,
                pending["staff_id"],
                period,
                pending["reason"],
                now=now,
                resolution=resolution,
            )
        else:
            schedule.add_closure(
                session, actor, period, pending["reason"], now=now, resolution=resolution
            )

    def _apply(
        self,
        session: Any,
        actor: StaffMember,
        pending: dict[str, Any],
        resolution: schedule.Resolution | None,
    ) -> Any:
        """Run the change and show its outcome; a form script to run on success, if any."""
        kind = pending["kind"]
        try:
            self._run(session, actor, pending, resolution)
        except schedule.Stranded as problem:
            session.rollback()
            self._show_stranded(problem, pending, resolution is not None)
            return None
        except schedule.Invalid as problem:
            session.rollback()
            self._show_invalid(pending, problem.errors, resolution is not None)
            return None
        except PermissionError:
            session.rollback()
            self.problem = "hours_not_allowed"
            return None
        self.stranded, self._pending, self.cancel_errors = [], {}, {}
        if resolution is not None:
            self.message = "hours_cancelled_and_saved"
        else:
            self.message = {
                "hours": "hours_saved",
                "leave": "hours_leave_added",
                "closure": "hours_closure_added",
            }[kind]
        if kind == "hours":
            service = session.get(Service, pending["service_id"])
            if self._service(pending["service_id"]) is not None:
                self._replace_service(self._load_service(session, service))
            return None
        if self._target:
            self._load_periods(session, actor)
        else:
            self._load_closures_only(session, actor)
        return rx.call_script(RESET_LEAVE if kind == "leave" else RESET_CLOSURE)

    def _show_invalid(
        self, pending: dict[str, Any], errors: dict[str, str], resolving: bool
    ) -> None:
        """Tie the service's errors to the fields they belong to."""
        self.problem = "hours_not_saved"
        if resolving and "cancel_reason" in errors:
            self.cancel_errors = {"cancel_reason": errors["cancel_reason"]}
            return
        if pending["kind"] == "leave":
            self.leave_errors = errors
        elif pending["kind"] == "closure":
            self.closure_errors = errors
        else:
            self._errors_on_rows(self._service(pending["service_id"]), errors)

    def _errors_on_rows(self, service: ServiceHours | None, errors: dict[str, str]) -> None:
        """Row errors (by index) on the rows of ``service``."""
        if service is None:
            return
        for index, row in enumerate(service.rows):
            row.error = errors.get(str(index), "")
        if "form" in errors and service.rows:
            service.rows[0].error = errors["form"]
        self._replace_service(service)

    @rx.event
    def confirm_cancel(self, form_data: Any) -> Any:
        """Administrators: cancel the listed appointments (citizens are told), then apply."""
        if not isinstance(form_data, dict) or not self._pending or not self.stranded:
            return None
        reason = _text(form_data.get("cancel_reason", ""), 2000)
        if reason is None:
            return None
        with tenant_session(self) as session:
            actor = self._actor(session)
            if actor is None or not self.is_admin:
                return None
            if self._pending.get("kind") != "closure" and self._current(session) is None:
                return None
            if self._pending.get("staff_id", self._target) != self._target:
                return None
            self.message, self.problem = "", ""
            return self._apply(session, actor, self._pending, self._resolution(reason))

    @rx.event
    def dismiss_stranded(self) -> None:
        """Close the refusal without changing anything (the edits stay on the screen)."""
        self.stranded, self._pending, self.cancel_errors = [], {}, {}
        self.problem = ""
