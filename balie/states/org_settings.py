"""State of the organisation's settings page (/beheer/organisatie), for its administrators."""

from __future__ import annotations

import logging
from typing import Any

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from balie.db import session_scope
from balie.i18n import LANGUAGES, TEXTS, pick
from balie.models import Organisation, StaffMember
from balie.services import org_settings
from balie.services.catalogue_admin import Invalid
from balie.settings import get_settings
from balie.states.admin import _focus, _focus_first_error, _form, _typed
from balie.states.staff_session import StaffSessionState, roles_for_page
from balie.states.tenant import organisation_slug_of, tenant_session

log = logging.getLogger(__name__)


def check_stored_secrets() -> None:
    """At start-up: production refuses to run when stored secrets have no key to open them."""
    settings = get_settings()
    if not settings.is_production:
        return
    try:
        # Unscoped on purpose: the check covers every organisation's stored secrets.
        with session_scope(organisation_id=None) as session:
            org_settings.check_production_start(session, settings)
    except SQLAlchemyError:
        log.warning("could not check the organisations' stored secrets (database not ready)")


ORGANISATION_PAGE = "/beheer/organisatie"
ORGANISATION_ROLES = roles_for_page(ORGANISATION_PAGE)
SECRET_INPUTS = ("smtp_password_new", "entra_client_secret_new")


def on_own_host(state: rx.State, session: Any, staff: StaffMember) -> bool:
    """Whether the browser of ``state`` is on the host of the staff member's organisation."""
    organisation = session.get(Organisation, staff.organisation_id)
    slug = organisation_slug_of(state)
    return organisation is not None and slug is not None and organisation.slug == slug


def _contrast_note(problem: org_settings.ContrastProblem) -> dict[str, str]:
    """The refusal of a colour pair with its ratio, per language."""
    return {
        language: pick(TEXTS[f"org_contrast_{problem.pair}"], language).format(
            ratio=org_settings.ratio_text(problem.ratio, language),
            minimum=org_settings.ratio_text(org_settings.AA_RATIO, language),
        )
        for language in LANGUAGES
    }


class OrgSettingsState(StaffSessionState, rx.State):
    """The settings of the administrator's own organisation, on that organisation's host."""

    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    contrast_notes: dict[str, dict[str, str]] = {}
    logo_url: str = ""
    form_version: int = 0
    message: str = ""
    problem: str = ""
    logo_message: str = ""
    logo_problem: str = ""

    def _clear(self) -> None:
        """Forget everything private."""
        super()._clear()
        self.values, self.errors, self.contrast_notes = {}, {}, {}
        self.logo_url, self.message, self.problem = "", "", ""
        self.logo_message, self.logo_problem = "", ""

    def _say(self, message: str = "", problem: str = "", *, logo: bool = False) -> None:
        """Show one outcome or problem, at the form or at the logo; the others go."""
        self.message, self.problem, self.logo_message, self.logo_problem = "", "", "", ""
        if logo:
            self.logo_message, self.logo_problem = message, problem
        else:
            self.message, self.problem = message, problem

    def _on_own_host(self, session: Any, staff: StaffMember) -> bool:
        """Whether this browser is on the host of the staff member's own organisation."""
        return on_own_host(self, session, staff)

    def _admin(self, session: Any) -> StaffMember | None:
        """The organisation's administrator on its own host, looked up again; else None."""
        admin = self._staff_with(session, *ORGANISATION_ROLES)
        if admin is not None and not self._on_own_host(session, admin):
            self._clear()
            return None
        return admin

    def _show(self, session: Any, admin: StaffMember) -> None:
        """Fill the form with the stored settings (never a secret)."""
        organisation = session.get(Organisation, admin.organisation_id)
        row = org_settings.settings_row(session, organisation)
        session.commit()  # a row made with the defaults just now
        self.values = org_settings.form_values(organisation, row)
        self.logo_url = org_settings.logo_data_url(row)
        self.errors, self.contrast_notes = {}, {}
        self.form_version += 1

    @rx.event
    def load(self) -> Any:
        """Open the page: the organisation's current settings."""
        with tenant_session(self) as session:
            admin, redirect = self._open_page(session, ORGANISATION_PAGE)
            if admin is None:
                return redirect
            if not self._on_own_host(session, admin):
                self._clear()
                self.display_name, self.roles = admin.display_name, list(admin.roles)
                self.access_denied = True
                return None
            self._say()
            self._show(session, admin)
        return None

    @rx.event
    def save(self, form_data: Any) -> Any:
        """Check and store the settings; a refused form keeps what was typed (not secrets)."""
        form = _form(form_data)
        if form is None:
            return None
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None:
                return None
            try:
                org_settings.save_settings(session, admin, form, get_settings())
            except org_settings.SettingsInvalid as refused:
                session.rollback()
                kept = {name: value for name, value in self.values.items() if name.endswith("_set")}
                typed = [name for name in form if name not in SECRET_INPUTS]
                self.values = {**kept, **_typed(form, typed)}
                self.errors = refused.errors
                self.contrast_notes = {p.field: _contrast_note(p) for p in refused.contrast}
                self._say(problem="admin_form_has_errors")
                self.form_version += 1
                return _focus_first_error("organisation-form")
            except org_settings.SecretsKeyMissing:
                session.rollback()
                self._say(problem="org_secrets_key_missing")
                return None
            self._show(session, admin)
            self._say("org_saved")
        return _focus("#save-organisation")

    @rx.event
    async def upload_logo(self, files: list[rx.UploadFile]) -> Any:
        """Store the uploaded logo (PNG or WebP, small) after checking it."""
        data = b""
        if isinstance(files, list) and files and isinstance(files[0], rx.UploadFile):
            data = await files[0].read(org_settings.LOGO_MAX_BYTES + 1)
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None:
                return None
            try:
                row = org_settings.save_logo(session, admin, data)
            except Invalid as refused:
                session.rollback()
                self._say(problem=refused.errors["logo"], logo=True)
                return None
            self.logo_url = org_settings.logo_data_url(row)
            self._say("org_logo_saved", logo=True)
        return None

    @rx.event
    def remove_logo(self) -> Any:
        """Remove the organisation's logo."""
        with tenant_session(self) as session:
            admin = self._admin(session)
            if admin is None:
                return None
            org_settings.remove_logo(session, admin)
            self.logo_url = ""
            self._say("org_logo_removed", logo=True)
        return None
