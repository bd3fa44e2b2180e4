"""State of the administrators' page against abuse: partners' API keys and booking spikes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from balie.db_types import utcnow
from balie.models import StaffMember
from balie.services.abuse import api_keys
from balie.services.abuse import public as abuse
from balie.services.validation import positive_id
from balie.states.admin import _focus, _form, _time_zone, _typed
from balie.states.staff_session import StaffSessionState, roles_for_page
from balie.states.tenant import tenant_session

ABUSE_PAGE = "/beheer/misbruik"
ABUSE_ROLES = roles_for_page(ABUSE_PAGE)
KEY_FIELDS = ("name", "partner", "bookings_per_hour")


@dataclass
class ApiKeyRow:
    """A key in the list (never the key itself)."""

    id: int
    name: str
    partner: str
    prefix: str
    bookings_per_hour: int
    created: str
    active: bool


@dataclass
class SpikeRow:
    """A spike from the audit log."""

    when: str
    scope: str
    what: str
    count: int


class AbuseAdminState(StaffSessionState, rx.State):
    """API keys (make, revoke) and the recent spikes of the administrator's organisation."""

    keys: list[ApiKeyRow] = []
    spikes: list[SpikeRow] = []
    key_values: dict[str, str] = {}
    key_errors: dict[str, str] = {}
    new_secret: str = ""
    message: str = ""
    form_version: int = 0

    def _clear(self) -> None:
        """Forget everything private."""
        super()._clear()
        self.keys, self.spikes, self.new_secret, self.message = [], [], "", ""
        self.key_values, self.key_errors = {}, {}

    def _load(self, session: Any, admin: StaffMember) -> None:
        """Keys and spikes of the organisation."""
        tz = _time_zone(session, admin)
        self.keys = [
            ApiKeyRow(
                id=row.id,
                name=row.name,
                partner=row.partner,
                prefix=row.prefix,
                bookings_per_hour=row.bookings_per_hour,
                created=row.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                active=row.active,
            )
            for row in api_keys.list_keys(session, admin.organisation_id)
        ]
        self.spikes = [
            SpikeRow(
                when=entry.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                scope=str(entry.detail.get("scope", "")),
                what=str(entry.detail.get("service") or entry.detail.get("address") or ""),
                count=int(entry.detail.get("count", 0) or 0),
            )
            for entry in abuse.recent_spikes(session, admin.organisation_id, utcnow())
        ]

    def _fresh_form(self) -> None:
        """An empty key form."""
        self.key_values = {"name": "", "partner": "", "bookings_per_hour": "60"}
        self.key_errors = {}
        self.form_version += 1

    @rx.event
    def load(self) -> Any:
        """Open the page: the keys, the spikes and an empty form."""
        with tenant_session(self) as session:
            admin, redirect = self._open_page(session, ABUSE_PAGE)
            if admin is None:
                return redirect
            self.new_secret, self.message = "", ""
            self._fresh_form()
            self._load(session, admin)
        return None

    @rx.event
    def create_key(self, form_data: Any) -> Any:
        """Make a key; it is shown once on this page and only its hash is kept."""
        form = _form(form_data)
        if form is None:
            return None
        with tenant_session(self) as session:
            admin = self._staff_with(session, *ABUSE_ROLES)
            if admin is None:
                return None
            typed = _typed(form, KEY_FIELDS)
            rate = typed["bookings_per_hour"].strip()
            try:
                made = api_keys.create_key(
                    session,
                    admin.organisation_id,
                    typed["name"],
                    typed["partner"],
                    int(rate) if rate.isdigit() and len(rate) < 7 else 0,
                    utcnow(),
                )
            except api_keys.ApiKeyProblem as problem:
                field = "name" if problem.key == "admin_error_api_key_name" else "bookings_per_hour"
                self.key_values, self.key_errors = typed, {field: problem.key}
                self.new_secret, self.message = "", ""
                return _focus(f"#key-{field.replace('_', '-')}")
            self.new_secret, self.message = made.secret, "abuse_key_created"
            self._fresh_form()
            self._load(session, admin)
        return _focus("#new-secret")

    @rx.event
    def revoke_key(self, key_id: Any) -> Any:
        """Revoke one of the organisation's keys."""
        wanted = positive_id(key_id)
        with tenant_session(self) as session:
            admin = self._staff_with(session, *ABUSE_ROLES)
            if admin is None or wanted is None:
                return None
            if api_keys.revoke_key(session, admin.organisation_id, wanted, utcnow()):
                self.message, self.new_secret = "abuse_key_revoked", ""
            self._load(session, admin)
        return None
