"""States of the administrators' pages: the catalogue, the staff members and the audit log.

Every handler looks the administrator up again (role and active account) and passes what the
browser sent to balie.services.catalogue_admin, which checks it and keeps it within the
administrator's organisation. Which record is being edited is remembered in backend variables
that the browser can neither read nor set.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from balie.db_types import utcnow
from balie.i18n import LANGUAGES, TEXTS, pick
from balie.models import Organisation, StaffMember
from balie.services import catalogue_admin as admin_service
from balie.services.catalogue_admin import Invalid, NotFound
from balie.services.staff import staff_auth
from balie.states.staff_session import StaffSessionState, roles_for_page
from balie.states.tenant import tenant_session

CATALOGUE_PAGE = "/beheer/catalogus"
STAFF_PAGE = "/beheer/medewerkers"
AUDIT_PAGE = "/beheer/audit"
FORM_VALUE_MAX = 5000  # more than any field allows: longer input is refused by the checks anyway
FORM_FIELDS_MAX = 500  # a form with more fields than this is not one of ours
AUDIT_FILTER_FIELDS = ("action_prefix", "staff_id", "date_from", "date_to")
FOCUS_LATER = "setTimeout(() => document.querySelector({selector})?.focus(), 50)"


def _form(form_data: Any) -> dict[str, Any] | None:
    """The submitted form as a dict of text fields, or None when it is not a plausible form."""
    if not isinstance(form_data, dict) or len(form_data) > FORM_FIELDS_MAX:
        return None
    if not all(isinstance(name, str) and len(name) <= 100 for name in form_data):
        return None
    return form_data


def _typed(form: dict[str, Any], names: Iterable[str]) -> dict[str, str]:
    """What was typed into ``names``, as text, to show again after an error."""
    return {
        name: form[name][:FORM_VALUE_MAX] if isinstance(form.get(name), str) else ""
        for name in names
    }


def _both_languages(make: Any) -> dict[str, str]:
    """``make(language)`` for every interface language."""
    return {language: make(language) for language in LANGUAGES}


def _time_zone(session: Any, staff: StaffMember) -> ZoneInfo:
    """The time zone of the staff member's organisation."""
    return ZoneInfo(session.get(Organisation, staff.organisation_id).time_zone)


def _focus(selector: str) -> rx.event.EventSpec:
    """Move keyboard focus to the element matching ``selector`` once the page has redrawn."""
    return rx.call_script(FOCUS_LATER.replace("{selector}", json.dumps(selector)))


def _focus_first_error(form_id: str) -> rx.event.EventSpec:
    """Move keyboard focus to the first field with an error in the form ``form_id``."""
    return _focus(f"#{form_id} [aria-invalid=true]")


# ---------------------------------------------------------------------------------------------
# Catalogue


@dataclass
class ServiceRow:
    """A service in the administrator's list."""

    id: int
    slug: str
    name: dict[str, str]
    live_from: str
    minutes: int
    active: bool
    topic_count: int


@dataclass
class TopicRow:
    """A topic of the service being edited."""

    id: int
    slug: str
    name: dict[str, str]
    rule: str
    active: bool


CATALOGUE_ROLES = roles_for_page(CATALOGUE_PAGE)


class CatalogueAdminState(StaffSessionState, rx.State):
    """The services and topics of the administrator's organisation, and their edit forms."""

    services: list[ServiceRow] = []
    topics: list[TopicRow] = []
    service_mode: str = ""  # "", "new" or "edit"
    service_name: dict[str, str] = {}
    service_values: dict[str, str] = {}
    service_errors: dict[str, str] = {}
    topic_mode: str = ""  # "", "new" or "edit"
    topic_values: dict[str, str] = {}
    topic_errors: dict[str, str] = {}
    confirm_remove: str = ""  # "service" or "topic" while "really delete?" is asked
    form_version: int = 0  # a new number makes the forms show freshly loaded values
    message: str = ""
    problem: str = ""
    message_at: str = ""  # "page", "service", "topics" or "topic": where the message shows
    _service_id: int = 0
    _topic_id: int = 0

    def _clear(self) -> None:
        """Forget everything private."""
        super()._clear()
        self.services, self.topics = [], []
        self._close_service()
        self._say("", "")

    def _say(self, message: str, at: str, *, problem: bool = False) -> None:
        """Show ``message`` (a text key) at one place on the page; empty hides it."""
        self.message, self.problem = ("", message) if problem else (message, "")
        self.message_at = at

    def _admin(self, session: Any) -> StaffMember | None:
        """The signed-in administrator, looked up again; None (and cleared) otherwise."""
        return self._staff_with(session, *CATALOGUE_ROLES)

    def _load_services(self, session: Any, admin: StaffMember) -> None:
        """All services of the administrator's organisation."""
        self.services = [
            ServiceRow(
                id=row.id,
                slug=row.slug,
                name=row.name,
                live_from=row.live_from.isoformat(),
                minutes=row.appointment_minutes,
                active=row.active,
                topic_count=row.topic_count,
            )
            for row in admin_service.list_services(session, admin.organisation_id)
        ]

    def _load_topics(self, session: Any, admin: StaffMember) -> None:
        """The topics of the service being edited."""
        self.topics = [
            TopicRow(
                id=topic.id,
                slug=topic.slug,
                name=dict(topic.name),
                rule=str(topic.channel_rule),
                active=topic.active,
            )
            for topic in admin_service.list_topics(session, admin.organisation_id, self._service_id)
        ]

    def _close_topic(self) -> None:
        """Close the topic form."""
        self._topic_id, self.topic_mode, self.confirm_remove = 0, "", ""
        self.topic_values, self.topic_errors = {}, {}

    def _close_service(self) -> None:
        """Close the service form (and with it the topics)."""
        self._close_topic()
        self._service_id, self.service_mode, self.service_name = 0, "", {}
        self.service_values, self.service_errors, self.topics = {}, {}, []

    def _open_service(self, session: Any, admin: StaffMember, service: Any) -> None:
        """Show the form of an existing service, with its topics."""
        self._close_topic()
        self._service_id, self.service_mode = service.id, "edit"
        self.service_name = dict(service.name)
        self.service_values = admin_service.service_values(service)
        self.service_errors = {}
        self._load_topics(session, admin)
        self.form_version += 1

    def _open_topic(self, topic: Any) -> None:
        """Show the form of an existing topic."""
        self._topic_id, self.topic_mode = topic.id, "edit"
        self.topic_values, self.topic_errors = admin_service.topic_values(topic), {}
        self.form_version += 1

    def _not_found(self, session: Any, admin: StaffMember) -> None:
        """The record is gone (or never was the organisation's): close the forms and say so."""
        session.rollback()
        self._close_service()
        self._load_services(session, admin)
        self._say("admin_not_found", "page", problem=True)

    @rx.event
    def load(self) -> Any:
        """Open the catalogue page: every service, no form open."""
        with tenant_session(self) as session:
            admin, redirect = self._open_page(session, CATALOGUE_PAGE)
            if admin is None:
                return redirect  # _open_page has cleared everything private
            self._close_service()
            self._say("", "")
            self._load_services(session, admin)
        return None

    @rx.event
    def edit_service(self, service_id: Any) -> Any:
        """Open the form of one of the organisation's services."""
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None:
                return None
            self._say("", "")
            try:
                service = admin_service.get_service(session, admin.organisation_id, service_id)
            except NotFound:
                self._not_found(session, admin)
                return None
            self._open_service(session, admin, service)
        return _focus("#service-form-heading")

    @rx.event
    def new_service(self) -> Any:
        """Open an empty form for a new service."""
        with tenant_session(self) as session:
            if self._admin(session) is None:
                return None
        self._close_service()
        self._say("", "")
        self.service_mode, self.service_values = "new", admin_service.service_values(None)
        self.form_version += 1
        return _focus("#service-form-heading")

    @rx.event
    def close_service(self) -> Any:
        """Close the service form."""
        with tenant_session(self) as session:
            if self._admin(session) is None:
                return None
        self._close_service()
        self._say("", "")
        return _focus("#new-service")

    @rx.event
    def save_service(self, form_data: Any) -> Any:
        """Save the service form: a new service, or changes to the one being edited."""
        form = _form(form_data)
        if form is None or self.service_mode not in {"new", "edit"}:
            return None
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None:
                return None
            tz = _time_zone(session, admin)
            now = utcnow()
            today = now.astimezone(tz).date()
            try:
                if self._service_id:
                    service = admin_service.update_service(
                        session, admin, self._service_id, form, today, now
                    )
                    done = "admin_service_saved"
                else:
                    service = admin_service.create_service(session, admin, form, today)
                    done = "admin_service_created"
            except Invalid as problem:
                self.service_values = _typed(form, admin_service.SERVICE_FIELDS)
                self.service_errors = problem.errors
                self._say("admin_form_has_errors", "service", problem=True)
                return _focus_first_error("service-form")
            except NotFound:
                self._not_found(session, admin)
                return None
            self._load_services(session, admin)
            self._open_service(session, admin, service)
            self._say(done, "service")
        return _focus("#save-service")  # the form is drawn anew with the saved values

    def _asked_first(self, what: str) -> bool:
        """Whether the deletion of ``what`` was confirmed; if not, ask (deleting is final)."""
        if self.confirm_remove == what:
            self.confirm_remove = ""
            return True
        self.confirm_remove = what
        return False

    @rx.event
    def keep(self) -> Any:
        """Answer "no" to "really delete?"."""
        what, self.confirm_remove = self.confirm_remove, ""
        return _focus(f"#remove-{what}") if what in {"service", "topic"} else None

    @rx.event
    def remove_service(self) -> Any:
        """Delete the service being edited (after a confirmation), or switch it off."""
        if not self._service_id:
            return None
        if not self._asked_first("service"):
            return _focus("#confirm-remove-service")
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None:
                return None
            try:
                outcome = admin_service.remove_service(session, admin, self._service_id, utcnow())
            except NotFound:
                self._not_found(session, admin)
                return None
            self._close_service()
            self._load_services(session, admin)
            self._say(f"admin_service_{outcome}", "page")
        return _focus("#services-heading")

    @rx.event
    def edit_topic(self, topic_id: Any) -> Any:
        """Open the form of a topic of the service being edited."""
        if not self._service_id:
            return None
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None:
                return None
            self._say("", "")
            try:
                topic = admin_service.get_topic(session, admin.organisation_id, topic_id)
                if topic.service_id != self._service_id:
                    raise NotFound(topic_id)
            except NotFound:
                self._not_found(session, admin)
                return None
            self._open_topic(topic)
        return _focus("#topic-form-heading")

    @rx.event
    def new_topic(self) -> Any:
        """Open an empty form for a new topic of the service being edited."""
        if not self._service_id:
            return None
        with tenant_session(self) as session:
            if self._admin(session) is None:
                return None
        self._say("", "")
        self._topic_id, self.topic_mode = 0, "new"
        self.topic_values, self.topic_errors = admin_service.topic_values(None), {}
        self.form_version += 1
        return _focus("#topic-form-heading")

    @rx.event
    def close_topic(self) -> Any:
        """Close the topic form."""
        with tenant_session(self) as session:
            if self._admin(session) is None:
                return None
        self._close_topic()
        self._say("", "")
        return _focus("#new-topic")

    @rx.event
    def save_topic(self, form_data: Any) -> Any:
        """Save the topic form: a new topic, or changes to the one being edited."""
        form = _form(form_data)
        if form is None or not self._service_id or self.topic_mode not in {"new", "edit"}:
            return None
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None:
                return None
            try:
                if self._topic_id:
                    topic = admin_service.update_topic(session, admin, self._topic_id, form)
                    done = "admin_topic_saved"
                else:
                    topic = admin_service.create_topic(session, admin, self._service_id, form)
                    done = "admin_topic_created"
            except Invalid as problem:
                self.topic_values = _typed(form, admin_service.TOPIC_FIELDS)
                self.topic_errors = problem.errors
                self._say("admin_form_has_errors", "topic", problem=True)
                return _focus_first_error("topic-form")
            except NotFound:
                self._not_found(session, admin)
                return None
            self._load_services(session, admin)
            self._load_topics(session, admin)
            self._open_topic(topic)
            self._say(done, "topic")
        return _focus("#save-topic")

    @rx.event
    def remove_topic(self) -> Any:
        """Delete the topic being edited (after a confirmation), or switch it off."""
        if not self._service_id or not self._topic_id:
            return None
        if not self._asked_first("topic"):
            return _focus("#confirm-remove-topic")
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None:
                return None
            try:
                outcome = admin_service.remove_topic(session, admin, self._topic_id)
            except NotFound:
                self._not_found(session, admin)
                return None
            self._close_topic()
            self._load_services(session, admin)
            self._load_topics(session, admin)
            self._say(f"admin_topic_{outcome}", "topics")
        return _focus("#new-topic")


# ---------------------------------------------------------------------------------------------
# Staff members


@dataclass
class StaffRow:
    """A staff member in the administrator's list."""

    id: int
    display_name: str
    email: str
    roles: dict[str, str]
    services: dict[str, str]
    active: bool
    sign_in: str  # text key: password, Microsoft account or nothing yet


@dataclass
class ServiceChoice:
    """A service checkbox on the staff form."""

    id: int
    name: dict[str, str]
    checked: bool


STAFF_ROLES = roles_for_page(STAFF_PAGE)


def _role_names(roles: Iterable[str]) -> dict[str, str]:
    """The roles in words, per language."""
    return _both_languages(
        lambda language: ", ".join(pick(TEXTS[f"admin_role_{role}"], language) for role in roles)
    )


class StaffAdminState(StaffSessionState, rx.State):
    """The staff members of the administrator's organisation and the form to change them."""

    rows: list[StaffRow] = []
    staff_mode: str = ""  # "", "new" or "edit"
    staff_values: dict[str, str] = {}
    staff_errors: dict[str, str] = {}
    service_choices: list[ServiceChoice] = []
    editing_email: str = ""
    form_version: int = 0
    message: str = ""
    problem: str = ""
    _staff_id: int = 0
    _service_names: dict[int, dict[str, str]] = {}

    def _clear(self) -> None:
        """Forget everything private."""
        super()._clear()
        self.rows = []
        self._close_form()
        self._service_names = {}
        self.message, self.problem = "", ""

    def _admin(self, session: Any) -> StaffMember | None:
        """The signed-in administrator, looked up again; None (and cleared) otherwise."""
        return self._staff_with(session, *STAFF_ROLES)

    def _load(self, session: Any, admin: StaffMember) -> None:
        """Every staff member and every service of the organisation."""
        self._service_names = {
            row.id: row.name for row in admin_service.list_services(session, admin.organisation_id)
        }
        names = self._service_names
        self.rows = [
            StaffRow(
                id=row.id,
                display_name=row.display_name,
                email=row.email,
                roles=_role_names(row.roles),
                services=_both_languages(
                    lambda language, ids=row.service_ids: ", ".join(
                        pick(names[i], language) for i in ids if i in names
                    )
                ),
                active=row.active,
                sign_in="admin_sign_in_entra"
                if row.has_entra
                else "admin_sign_in_password"
                if row.has_password
                else "admin_sign_in_none",
            )
            for row in admin_service.list_staff(session, admin.organisation_id)
        ]

    def _show_form(self, values: dict[str, str]) -> None:
        """Fill the form with ``values`` (ticked boxes are "on")."""
        self.staff_values = values
        self.service_choices = [
            ServiceChoice(id=i, name=name, checked=values.get(f"service_{i}") == "on")
            for i, name in self._service_names.items()
        ]

    def _close_form(self) -> None:
        """Close the staff form."""
        self._staff_id, self.staff_mode, self.editing_email = 0, "", ""
        self.staff_values, self.staff_errors, self.service_choices = {}, {}, []

    def _open(self, session: Any, member: StaffMember) -> None:
        """Show the form of an existing staff member."""
        self._staff_id, self.staff_mode, self.editing_email = member.id, "edit", member.email
        self.staff_errors = {}
        self._show_form(admin_service.staff_values(session, member))
        self.form_version += 1

    def _not_found(self, session: Any, admin: StaffMember) -> None:
        """The staff member is gone (or never was the organisation's)."""
        session.rollback()
        self._close_form()
        self._load(session, admin)
        self.message, self.problem = "", "admin_not_found"

    @rx.event
    def load(self) -> Any:
        """Open the staff page: everyone, no form open."""
        with tenant_session(self) as session:
            admin, redirect = self._open_page(session, STAFF_PAGE)
            if admin is None:
                return redirect  # _open_page has cleared everything private
            self._close_form()
            self.message, self.problem = "", ""
            self._load(session, admin)
        return None

    @rx.event
    def edit_staff(self, staff_id: Any) -> Any:
        """Open the form of one of the organisation's staff members."""
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None:
                return None
            self.message, self.problem = "", ""
            try:
                member = admin_service.get_staff(session, admin.organisation_id, staff_id)
            except NotFound:
                self._not_found(session, admin)
                return None
            self._open(session, member)
        return _focus("#staff-form-heading")

    @rx.event
    def new_staff(self) -> Any:
        """Open an empty form for a new staff member."""
        with tenant_session(self) as session:
            if self._admin(session) is None:
                return None
        self._close_form()
        self.message, self.problem = "", ""
        self.staff_mode = "new"
        self._show_form(admin_service.staff_values(None, None))
        self.form_version += 1
        return _focus("#staff-form-heading")

    @rx.event
    def close_staff(self) -> Any:
        """Close the staff form."""
        with tenant_session(self) as session:
            if self._admin(session) is None:
                return None
        self._close_form()
        self.message, self.problem = "", ""
        return _focus("#new-staff")

    @rx.event
    def save_staff(self, form_data: Any) -> Any:
        """Save the staff form: a new staff member, or changes to the one being edited."""
        form = _form(form_data)
        if form is None or self.staff_mode not in {"new", "edit"}:
            return None
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None:
                return None
            try:
                if self._staff_id:
                    member = admin_service.update_staff(session, admin, self._staff_id, form)
                    done = "admin_staff_saved"
                    if not member.active and admin_service.future_appointments(
                        session, member.id, utcnow()
                    ):
                        done = "admin_staff_has_appointments"
                else:
                    member = admin_service.create_staff(session, admin, form)
                    done = "admin_staff_created"
            except Invalid as problem:
                ticked = [name for name in form if name.startswith(("role_", "service_"))]
                fields = ("display_name", "email", "active", *ticked)
                self.staff_errors = problem.errors
                self._show_form(_typed(form, fields))
                self.message, self.problem = "", "admin_form_has_errors"
                return _focus_first_error("staff-form")
            except NotFound:
                self._not_found(session, admin)
                return None
            if member.id == admin.id:
                self.roles = list(member.roles)  # the menu follows the administrator's own roles
            self._load(session, admin)
            self._open(session, member)
            self.message, self.problem = done, ""
        return _focus("#save-staff")


# ---------------------------------------------------------------------------------------------
# Audit log


@dataclass
class AuditRowView:
    """One line of the audit log as the page shows it."""

    id: int
    when: str
    who: str
    action: str
    target: str
    summary: str


@dataclass
class StaffOption:
    """A staff member to filter the audit log on."""

    id: str
    name: str


@dataclass
class SignInAlertView:
    """A sign-in spray (many accounts from one address/network) or a throttled address."""

    kind: str  # "spray" or "throttled"
    source: str
    count: int
    when: str


AUDIT_ROLES = roles_for_page(AUDIT_PAGE)


def _sign_in_alerts(session: Any, admin: StaffMember) -> list[SignInAlertView]:
    """The last day's sign-in sprays and throttled addresses, for the administrator."""
    tz = _time_zone(session, admin)
    sprays, throttled = staff_auth.throttle_report(session, admin.organisation_id, utcnow())
    stamp = "%Y-%m-%d %H:%M:%S"
    return [
        SignInAlertView(
            kind="spray",
            source=str(entry.detail.get(entry.detail.get("kind", "address"), "")),
            count=int(entry.detail.get("accounts", 0)),
            when=entry.at.astimezone(tz).strftime(stamp),
        )
        for entry in sprays
    ] + [
        SignInAlertView(
            kind="throttled", source=ip, count=count, when=last.astimezone(tz).strftime(stamp)
        )
        for ip, count, last in throttled
    ]


class AuditState(StaffSessionState, rx.State):
    """The audit log of the administrator's organisation, newest first, a page at a time."""

    rows: list[AuditRowView] = []
    staff_options: list[StaffOption] = []
    filter_values: dict[str, str] = {}
    filter_errors: dict[str, str] = {}
    page_number: int = 1
    has_previous: bool = False
    has_next: bool = False
    form_version: int = 0
    problem: str = ""
    sign_in_alerts: list[SignInAlertView] = []
    _filters: dict[str, str] = {}
    _page: int = 0

    def _clear(self) -> None:
        """Forget everything private."""
        super()._clear()
        self.rows, self.staff_options, self.sign_in_alerts = [], [], []
        self.filter_values, self.filter_errors, self._filters = {}, {}, {}
        self._page, self.page_number, self.has_previous, self.has_next = 0, 1, False, False
        self.problem = ""

    def _admin(self, session: Any) -> StaffMember | None:
        """The signed-in administrator, looked up again; None (and cleared) otherwise."""
        return self._staff_with(session, *AUDIT_ROLES)

    def _read(self, session: Any, admin: StaffMember) -> None:
        """The current page with the current filters (checked again: people may be removed)."""
        try:
            filters = admin_service.check_audit_filter(
                session, admin.organisation_id, self._filters
            )
        except Invalid:
            self._filters, filters = {}, admin_service.AuditFilter()
        tz = _time_zone(session, admin)
        found = admin_service.read_audit(session, admin.organisation_id, filters, tz, self._page)
        self._page = found.page
        self.rows = [
            AuditRowView(
                id=row.id,
                when=row.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
                who=row.staff_name,
                action=row.action,
                target=" ".join(
                    str(part) for part in (row.target_type, row.target_id) if part not in ("", None)
                ),
                summary=admin_service.summarise(row.detail),
            )
            for row in found.rows
        ]
        self.page_number = found.page + 1
        self.has_previous, self.has_next = found.has_previous, found.has_next

    @rx.event
    def load(self) -> Any:
        """Open the audit page: the newest entries, no filters."""
        with tenant_session(self) as session:
            admin, redirect = self._open_page(session, AUDIT_PAGE)
            if admin is None:
                return redirect  # _open_page has cleared everything private
            self._filters, self._page, self.problem = {}, 0, ""
            self.filter_values = dict.fromkeys(AUDIT_FILTER_FIELDS, "")
            self.filter_errors = {}
            self.staff_options = [
                StaffOption(id=str(row.id), name=row.display_name)
                for row in admin_service.list_staff(session, admin.organisation_id)
            ]
            self.form_version += 1
            self._read(session, admin)
            self.sign_in_alerts = _sign_in_alerts(session, admin)
        return None

    @rx.event
    def apply_filters(self, form_data: Any) -> Any:
        """Show the first page of the entries that match the filters."""
        form = _form(form_data)
        if form is None:
            return None
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None:
                return None
            typed = _typed(form, AUDIT_FILTER_FIELDS)
            try:
                admin_service.check_audit_filter(session, admin.organisation_id, typed)
            except Invalid as problem:
                self.filter_values, self.filter_errors = typed, problem.errors
                self.problem = "admin_form_has_errors"
                return _focus_first_error("audit-filters")
            self._filters, self._page = typed, 0
            self.filter_values, self.filter_errors, self.problem = typed, {}, ""
            self._read(session, admin)
        return None

    @rx.event
    def clear_filters(self) -> None:
        """Show every entry again, from the newest."""
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None:
                return
            self._filters, self._page, self.problem = {}, 0, ""
            self.filter_values = dict.fromkeys(AUDIT_FILTER_FIELDS, "")
            self.filter_errors = {}
            self.form_version += 1
            self._read(session, admin)

    @rx.event
    def next_page(self) -> None:
        """Older entries."""
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None or not self.has_next:
                return
            self._page += 1
            self._read(session, admin)

    @rx.event
    def previous_page(self) -> None:
        """Newer entries."""
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None or self._page == 0:
                return
            self._page -= 1
            self._read(session, admin)
