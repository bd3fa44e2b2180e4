"""State of the platform page (/platform): figures across organisations, and a new one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx
from sqlmodel import select

from balie.db_types import utcnow
from balie.models import Organisation, StaffMember
from balie.scoping import scope_session
from balie.services import catalogue_io, platform
from balie.services.catalogue_admin import Invalid
from balie.services.insight import platform_statistics
from balie.states.admin import _focus, _focus_first_error, _form, _typed
from balie.states.org_settings import on_own_host
from balie.states.staff_session import StaffSessionState, roles_for_page
from balie.states.tenant import tenant_session

PLATFORM_PAGE = "/platform"
PLATFORM_ROLES = roles_for_page(PLATFORM_PAGE)
MONTHS_SHOWN = 12
NEW_FIELDS = ("slug", "name", "host", "admin_email", "admin_name", "catalogue_from")


@dataclass
class TotalRow:
    """A line of a totals table."""

    key: str
    label: str
    held: int
    booked: int


@dataclass
class SourceChoice:
    """An organisation whose catalogue a new one can start from."""

    slug: str
    name: str


class PlatformState(StaffSessionState, rx.State):
    """What the platform operator sees and creates."""

    per_city: list[TotalRow] = []
    per_service: list[TotalRow] = []
    per_month: list[TotalRow] = []
    sources: list[SourceChoice] = []
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_version: int = 0
    message: str = ""
    problem: str = ""
    created: str = ""  # "<slug> at <host>, first administrator <e-mail>"

    def _clear(self) -> None:
        """Forget everything private."""
        super()._clear()
        self.per_city, self.per_service, self.per_month, self.sources = [], [], [], []
        self.values, self.errors, self.message, self.problem, self.created = {}, {}, "", "", ""

    def _operator(self, session: Any) -> StaffMember | None:
        """The platform operator on their own host, looked up again; else None."""
        staff = self._staff_with(session, *PLATFORM_ROLES)
        if staff is not None and not on_own_host(self, session, staff):
            self._clear()
            return None
        return staff

    @staticmethod
    def _across_organisations(session: Any) -> None:
        """Lift the session's organisation scope: the one place it is lifted, and only after
        the platform role was checked (the platform works across organisations)."""
        scope_session(session, None)

    def _load(self, session: Any, operator: StaffMember) -> None:
        """The last twelve months' figures and the organisations."""
        today = utcnow().date()
        first = platform_statistics.first_of_last_months(today, MONTHS_SHOWN)
        figures = platform_statistics.platform_figures(session, operator, first, today)

        def rows(totals: list[platform_statistics.Total]) -> list[TotalRow]:
            return [TotalRow(t.key, t.label, t.held, t.booked) for t in totals]

        self.per_city = rows(figures.organisations)
        self.per_service = rows(figures.services)
        self.per_month = rows(figures.per_month)
        organisations = session.exec(select(Organisation).order_by(Organisation.slug)).all()
        self.sources = [SourceChoice(o.slug, o.name) for o in organisations]

    def _empty_form(self) -> None:
        """A fresh form for a new organisation."""
        self.values = dict.fromkeys(NEW_FIELDS, "")
        self.errors = {}
        self.form_version += 1

    @rx.event
    def load(self) -> Any:
        """Open the page."""
        with tenant_session(self) as session:
            operator, redirect = self._open_page(session, PLATFORM_PAGE)
            if operator is None:
                return redirect
            if not on_own_host(self, session, operator):
                self._clear()
                self.display_name, self.roles = operator.display_name, list(operator.roles)
                self.access_denied = True
                return None
            self._across_organisations(session)
            self._load(session, operator)
            self._empty_form()
            self.message, self.problem, self.created = "", "", ""
        return None

    @rx.event
    def create(self, form_data: Any) -> Any:
        """Create an organisation (optionally with another's catalogue)."""
        form = _form(form_data)
        if form is None:
            return None
        with tenant_session(self) as session:
            operator = self._operator(session)
            if operator is None:
                return None
            self._across_organisations(session)
            source = form.get("catalogue_from")
            source = source.strip() if isinstance(source, str) else ""
            try:
                new = platform.check_new(session, form)
                catalogue = platform.catalogue_of(session, source) if source else None
                created = platform.create_organisation(
                    session, new, catalogue=catalogue, actor=operator
                )
            except (Invalid, LookupError, TypeError, catalogue_io.CatalogueError) as refused:
                session.rollback()
                errors = getattr(refused, "errors", None)
                self.errors = (
                    errors if isinstance(errors, dict) else {"catalogue_from": "admin_error_choice"}
                )
                self.values = _typed(form, NEW_FIELDS)
                self.form_version += 1
                self.message, self.problem = "", "admin_form_has_errors"
                return _focus_first_error("platform-form")
            self.created = f"{created.organisation.slug} · {created.host} · {created.admin.email}"
            self._load(session, operator)
            self._empty_form()
            self.message, self.problem = "platform_created", ""
        return _focus("#platform-created")
