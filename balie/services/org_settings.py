"""An organisation's own settings: look, languages, privacy, mail sender and meeting provider.

Checked here, stored in ``OrganisationSettings``; secrets (SMTP password, Entra client secret)
are sealed with AES-GCM (balie.services.documents.vault) under BALIE_SECRETS_KEY and bound to
their organisation and field, so a sealed value copied to another row does not open.

Brand colours must pass WCAG AA (4.5:1) in the three places the citizen pages use them
(``CONTRAST_PAIRS``): white text on the primary colour (buttons; the same ratio as primary
links on the white page), dark text on the secondary colour (the header band) and the primary
colour on the secondary colour (the header's link and language button).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
import struct
import threading
import time
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from pydantic import SecretStr
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.i18n import LANGUAGES
from balie.models import (
    MailTransport,
    MeetingChoice,
    Organisation,
    OrganisationSettings,
    Role,
    StaffMember,
)
from balie.scoping import scope_of
from balie.services.catalogue_admin import Invalid, _checked, _clean
from balie.services.documents import vault
from balie.services.palette import contrast
from balie.services.staff.staff_auth import audit, require_role
from balie.services.validation import check_email
from balie.settings import Settings, get_settings

AA_RATIO = 4.5
INK = "#1a1d23"  # the text colour of the citizen pages
WHITE = "#ffffff"
COLOUR_PATTERN = re.compile(r"^#[0-9a-f]{6}$")
GUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HOST_PATTERN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9-]+)*$")
LOGO_MAX_BYTES = 100_000
LOGO_MAX_SIDE = 1024
LOGO_TYPES = ("image/png", "image/webp")  # no SVG: it can carry scripts
DISPLAY_NAME_MAX = 200
SENDER_NAME_MAX = 120
URL_MAX = 500
SECRET_MAX = 500
SECRET_FIELDS = ("smtp_password", "entra_client_secret")
TIME_ZONES = frozenset(available_timezones())

# (field whose colour is checked, text colour, background colour, what the pair is for)
CONTRAST_PAIRS: tuple[tuple[str, str, str, str], ...] = (
    ("brand_primary", WHITE, "primary", "white_on_primary"),
    ("brand_secondary", INK, "secondary", "ink_on_secondary"),
    ("brand_secondary", "primary", "secondary", "primary_on_secondary"),
)


class SecretsKeyMissing(RuntimeError):
    """A secret is to be sealed or opened in production without BALIE_SECRETS_KEY."""


# ---------------------------------------------------------------------------------------------
# Secrets


def secrets_key(settings: Settings) -> bytes:
    """The 32-byte key: BALIE_SECRETS_KEY, or in development one derived from the secret."""
    configured = settings.secrets_key.get_secret_value()
    if configured:
        try:
            key = base64.b64decode(configured, validate=True)
        except (binascii.Error, ValueError) as error:
            raise SecretsKeyMissing("BALIE_SECRETS_KEY is not base64") from error
        if len(key) != 32:
            raise SecretsKeyMissing("BALIE_SECRETS_KEY must be 32 bytes (base64)")
        return key
    if settings.is_production:
        raise SecretsKeyMissing("BALIE_SECRETS_KEY is required to store or use secrets")
    secret = settings.secret_key.get_secret_value().encode()
    return hashlib.sha256(b"balie-secrets-key:" + secret).digest()


def _opened(key: bytes | None, organisation_id: int, name: str, stored: str) -> SecretStr:
    """A stored secret opened (with ``key``), or empty when it is not to be opened."""
    return SecretStr(open_secret(key, organisation_id, name, stored) if key else "")


def _bound_to(organisation_id: int, name: str) -> bytes:
    """What a sealed secret belongs to: its organisation and field."""
    return f"organisation:{organisation_id}:{name}".encode()


def seal_secret(key: bytes, organisation_id: int, name: str, value: str) -> str:
    """``value`` encrypted for the database (base64 text; empty stays empty)."""
    if not value:
        return ""
    sealed = vault.seal(key, value.encode(), _bound_to(organisation_id, name))
    return base64.b64encode(sealed).decode()


def open_secret(key: bytes, organisation_id: int, name: str, stored: str) -> str:
    """The plain secret of a stored value (empty stays empty)."""
    if not stored:
        return ""
    raw = base64.b64decode(stored)
    return vault.unseal(key, raw, _bound_to(organisation_id, name)).decode()


def has_stored_secrets(session: Session) -> bool:
    """Whether any organisation has a sealed secret (then production needs the key)."""
    row = session.exec(
        select(OrganisationSettings.id).where(
            (OrganisationSettings.smtp_password_sealed != "")
            | (OrganisationSettings.entra_client_secret_sealed != "")
        )
    ).first()
    return row is not None


def production_problem(session: Session, settings: Settings) -> str | None:
    """Why production cannot start with the organisations' stored secrets, if it cannot."""
    if not settings.is_production or settings.secrets_key.get_secret_value():
        return None
    if has_stored_secrets(session):
        return "BALIE_SECRETS_KEY is missing while organisations have stored secrets."
    return None


def check_production_start(session: Session, settings: Settings) -> None:
    """Refuse to start production when stored secrets could not be opened (no key)."""
    problem = production_problem(session, settings)
    if problem:
        raise SystemExit(f"Digitale Balie refuses to start in production mode:\n- {problem}")


# ---------------------------------------------------------------------------------------------
# Colours


def ratio_text(ratio: float, language: str) -> str:
    """A contrast ratio as people read it: rounded down to one decimal, '3,2:1' in Dutch."""
    shown = f"{math.floor(ratio * 10) / 10:.1f}"
    return f"{shown.replace('.', ',') if language == 'nl' else shown}:1"


@dataclass(frozen=True)
class ContrastProblem:
    """A colour pair below AA: which field, which pair, and its ratio."""

    field: str
    pair: str
    ratio: float


def contrast_problems(primary: str, secondary: str) -> list[ContrastProblem]:
    """The pairs of CONTRAST_PAIRS below 4.5:1 (at most one per field: the lowest)."""
    named = {"primary": primary, "secondary": secondary}
    worst: dict[str, ContrastProblem] = {}
    for field, text, background, pair in CONTRAST_PAIRS:
        ratio = contrast(named.get(text, text), named.get(background, background))
        if ratio < AA_RATIO and (field not in worst or ratio < worst[field].ratio):
            worst[field] = ContrastProblem(field, pair, ratio)
    return list(worst.values())


def shade(colour: str, amount: float) -> str:
    """``colour`` mixed with black (``amount`` 0..1): darker, so white text keeps its contrast."""
    value = colour.lstrip("#")
    parts = (round(int(value[i : i + 2], 16) * (1 - amount)) for i in (0, 2, 4))
    return "#" + "".join(f"{part:02x}" for part in parts)


def theme_variables(primary: str, secondary: str) -> dict[str, str]:
    """CSS custom properties for the citizen pages' root: Radix's accent scale and ours."""
    hover, deep = shade(primary, 0.15), shade(primary, 0.45)
    variables = {
        "--brand-primary": primary,
        "--brand-secondary": secondary,
        "--brand-ink": INK,
    }
    for scale in ("blue", "accent"):
        variables.update(
            {
                f"--{scale}-9": primary,
                f"--{scale}-10": hover,
                f"--{scale}-11": primary,
                f"--{scale}-12": deep,
                f"--{scale}-a11": primary,
            }
        )
    variables["--accent-contrast"] = WHITE
    return variables


# ---------------------------------------------------------------------------------------------
# Logo


def _png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG (from its IHDR chunk), or None when it is not a PNG."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _webp_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a WebP (VP8, VP8L or VP8X), or None when it is not a WebP."""
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def check_logo(data: bytes) -> str:
    """The content type of an acceptable logo (PNG or WebP, small); Invalid otherwise."""
    if not data:
        raise Invalid({"logo": "admin_error_logo_required"})
    if len(data) > LOGO_MAX_BYTES:
        raise Invalid({"logo": "admin_error_logo_too_large"})
    for content_type, size_of in (("image/png", _png_size), ("image/webp", _webp_size)):
        size = size_of(data)
        if size is not None:
            if not all(1 <= side <= LOGO_MAX_SIDE for side in size):
                raise Invalid({"logo": "admin_error_logo_size"})
            return content_type
    raise Invalid({"logo": "admin_error_logo_type"})


def logo_data_url(row: OrganisationSettings) -> str:
    """The logo as a data: URL for an <img> (empty without a logo)."""
    if not row.logo or row.logo_type not in LOGO_TYPES:
        return ""
    return f"data:{row.logo_type};base64,{base64.b64encode(row.logo).decode()}"


# ---------------------------------------------------------------------------------------------
# Reading


def settings_row(session: Session, organisation: Organisation) -> OrganisationSettings:
    """The organisation's settings, made with the defaults when it has none yet (not committed)."""
    row = session.exec(
        select(OrganisationSettings).where(OrganisationSettings.organisation_id == organisation.id)
    ).first()
    if row is None:
        row = OrganisationSettings(organisation_id=organisation.id, display_name=organisation.name)
        session.add(row)
        session.flush()
    return row


# Every page, booking and e-mail job reads its organisation's settings; administrators change
# them rarely. Each process keeps a detached copy per database and organisation for
# ``settings_cache_seconds``; a save in this process forgets it at once (``forget_settings``),
# other processes see it when their copy runs out.
_cached_rows: dict[tuple[str, int], tuple[float, OrganisationSettings | None]] = {}
_cache_lock = threading.Lock()


def _read_row(session: Session, organisation_id: int) -> OrganisationSettings | None:
    """The organisation's settings row from the database."""
    return session.exec(
        select(OrganisationSettings).where(OrganisationSettings.organisation_id == organisation_id)
    ).first()


def _stored_row(session: Session, organisation_id: int) -> OrganisationSettings | None:
    """The organisation's settings row without making one (read-only; cached per process)."""
    scope = scope_of(session)
    if scope is not None and scope != organisation_id:
        return None  # what the scoped session would read of another organisation
    seconds = get_settings().settings_cache_seconds
    if seconds <= 0:
        return _read_row(session, organisation_id)
    key = (str(session.get_bind().url), organisation_id)
    now = time.monotonic()
    cached = _cached_rows.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    row = _read_row(session, organisation_id)
    copy = (
        None if row is None else OrganisationSettings.model_validate(row.model_dump(warnings=False))
    )
    with _cache_lock:
        _cached_rows[key] = (now + seconds, copy)
    return copy


def forget_settings(organisation_id: int | None = None) -> None:
    """Drop this process's copies (of one organisation, or all): the next read is fresh."""
    with _cache_lock:
        for key in [k for k in _cached_rows if organisation_id in (None, k[1])]:
            del _cached_rows[key]


@dataclass(frozen=True)
class Look:
    """What the citizen pages show of an organisation (public data only)."""

    display_name: str
    primary: str
    secondary: str
    logo_url: str
    languages: tuple[str, ...]

    @property
    def variables(self) -> dict[str, str]:
        """The CSS custom properties of this look."""
        return theme_variables(self.primary, self.secondary)


DEFAULT_PRIMARY = "#0b3d91"
DEFAULT_SECONDARY = "#eef3fb"


def look_of(session: Session, organisation: Organisation) -> Look:
    """The organisation's look; the platform's defaults where it has none."""
    row = _stored_row(session, organisation.id)
    if row is None:
        return Look(organisation.name, DEFAULT_PRIMARY, DEFAULT_SECONDARY, "", LANGUAGES)
    return Look(
        display_name=row.display_name or organisation.name,
        primary=row.brand_primary,
        secondary=row.brand_secondary,
        logo_url=logo_data_url(row),
        languages=tuple(lang for lang in LANGUAGES if lang in row.languages) or LANGUAGES,
    )


def retention_days_by_organisation(session: Session) -> dict[int, int]:
    """Organisations that keep personal data for their own number of days."""
    rows = session.exec(
        select(OrganisationSettings.organisation_id, OrganisationSettings.retention_days).where(
            OrganisationSettings.retention_days.is_not(None)
        )
    )
    return dict(rows.all())


def effective_settings(
    session: Session, organisation_id: int, base: Settings, *, with_secrets: bool = True
) -> Settings:
    """``base`` with the organisation's own sender, SMTP, meeting provider and retention.

    Without ``with_secrets`` the secrets stay closed (empty): for what pages may tell.
    """
    row = _stored_row(session, organisation_id)
    if row is None:
        return base
    update: dict[str, Any] = {}
    if row.mail_from_address:
        update["mail_from"] = formataddr((row.mail_from_name, row.mail_from_address))
    if row.retention_days:
        update["retention_days"] = row.retention_days
    key = None
    if row.mail_transport == MailTransport.SMTP and row.smtp_host:
        key = secrets_key(base) if with_secrets else None
        update.update(
            smtp_host=row.smtp_host,
            smtp_port=row.smtp_port,
            smtp_username=row.smtp_username,
            smtp_password=_opened(key, organisation_id, "smtp_password", row.smtp_password_sealed),
        )
    if row.meeting_provider == MeetingChoice.JITSI and row.jitsi_server_url:
        update.update(meeting_provider="jitsi", jitsi_base_url=row.jitsi_server_url)
    elif row.meeting_provider == MeetingChoice.TEAMS:
        key = key or (secrets_key(base) if with_secrets else None)
        sealed = row.entra_client_secret_sealed
        secret = _opened(key, organisation_id, "entra_client_secret", sealed)
        update.update(
            meeting_provider="teams",
            entra_tenant_id=row.entra_tenant_id,
            entra_client_id=row.entra_client_id,
            entra_client_secret=secret,
        )
    if not update:
        return base
    return base.model_copy(update=update)


# ---------------------------------------------------------------------------------------------
# The form


def form_values(organisation: Organisation, row: OrganisationSettings) -> dict[str, str]:
    """The settings as form values (never a secret: only whether one is set)."""
    values = {
        "display_name": row.display_name,
        "brand_primary": row.brand_primary,
        "brand_secondary": row.brand_secondary,
        "time_zone": organisation.time_zone,
        "counter_booking_url": organisation.counter_booking_url or "",
        "privacy_contact": row.privacy_contact,
        "retention_days": str(row.retention_days or ""),
        "mail_from_address": row.mail_from_address,
        "mail_from_name": row.mail_from_name,
        "mail_transport": str(row.mail_transport),
        "smtp_host": row.smtp_host,
        "smtp_port": str(row.smtp_port),
        "smtp_username": row.smtp_username,
        "meeting_provider": str(row.meeting_provider),
        "jitsi_server_url": row.jitsi_server_url,
        "entra_tenant_id": row.entra_tenant_id,
        "entra_client_id": row.entra_client_id,
        "smtp_password_set": "on" if row.smtp_password_sealed else "",
        "entra_client_secret_set": "on" if row.entra_client_secret_sealed else "",
    }
    values.update({f"language_{lang}": "on" for lang in row.languages if lang in LANGUAGES})
    return values


def _https_url(value: Any, field: str, errors: dict[str, str], *, required: bool) -> str:
    """An https:// address (empty allowed unless ``required``)."""
    url = _clean(value)
    if not url:
        if required:
            errors[field] = "admin_error_url_required"
        return ""
    parts = urlsplit(url)
    if len(url) > URL_MAX or parts.scheme != "https" or not parts.hostname:
        errors[field] = "admin_error_https_url"
    return url


def _colour(value: Any, field: str, errors: dict[str, str]) -> str:
    """A ``#rrggbb`` colour (lower case)."""
    colour = _clean(value).lower()
    if not COLOUR_PATTERN.fullmatch(colour):
        errors[field] = "admin_error_colour"
    return colour


def _optional_email(value: Any, field: str, errors: dict[str, str]) -> str:
    """An e-mail address, or empty."""
    if not _clean(value):
        return ""
    email, problem = check_email(value)
    if problem:
        errors[field] = "admin_error_email_invalid"
    return email


def _number(value: Any, field: str, bounds: tuple[int, int], errors: dict[str, str]) -> int | None:
    """A whole number within ``bounds``; None when empty."""
    text = _clean(value)
    if not text:
        return None
    if not text.isdigit() or not bounds[0] <= int(text) <= bounds[1]:
        errors[field] = "admin_error_number_range"
        return None
    return int(text)


def _look_values(form: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Display name, colours, time zone, languages and addresses from the form."""
    name = _clean(form.get("display_name"))
    if not 2 <= len(name) <= DISPLAY_NAME_MAX:
        errors["display_name"] = "admin_error_display_name"
    zone = _clean(form.get("time_zone"))
    if zone not in TIME_ZONES:
        errors["time_zone"] = "admin_error_time_zone"
    languages = [lang for lang in LANGUAGES if _checked(form.get(f"language_{lang}"))]
    if "nl" not in languages:
        errors["languages"] = "admin_error_languages"
    privacy = _clean(form.get("privacy_contact"))
    if privacy and "@" in privacy:
        privacy = _optional_email(privacy, "privacy_contact", errors)
    elif privacy:
        privacy = _https_url(privacy, "privacy_contact", errors, required=False)
    return {
        "display_name": name,
        "brand_primary": _colour(form.get("brand_primary"), "brand_primary", errors),
        "brand_secondary": _colour(form.get("brand_secondary"), "brand_secondary", errors),
        "time_zone": zone,
        "languages": languages,
        "counter_booking_url": _https_url(
            form.get("counter_booking_url"), "counter_booking_url", errors, required=False
        ),
        "privacy_contact": privacy,
        "retention_days": _number(form.get("retention_days"), "retention_days", (1, 3650), errors),
    }


def _mail_values(form: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Sender and SMTP settings from the form."""
    sender_name = _clean(form.get("mail_from_name"))
    if len(sender_name) > SENDER_NAME_MAX:
        errors["mail_from_name"] = "admin_error_too_long"
    transport = _clean(form.get("mail_transport"))
    if transport not in {choice.value for choice in MailTransport}:
        errors["mail_transport"] = "admin_error_choice"
    host = _clean(form.get("smtp_host")).lower()
    if transport == MailTransport.SMTP and not HOST_PATTERN.fullmatch(host):
        errors["smtp_host"] = "admin_error_host"
    port = _number(form.get("smtp_port"), "smtp_port", (1, 65535), errors)
    return {
        "mail_from_address": _optional_email(
            form.get("mail_from_address"), "mail_from_address", errors
        ),
        "mail_from_name": sender_name,
        "mail_transport": transport,
        "smtp_host": host if HOST_PATTERN.fullmatch(host) else "",
        "smtp_port": port or 587,
        "smtp_username": _clean(form.get("smtp_username"))[:254],
    }


def _meeting_values(form: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Meeting provider settings from the form."""
    provider = _clean(form.get("meeting_provider"))
    if provider not in {choice.value for choice in MeetingChoice}:
        errors["meeting_provider"] = "admin_error_choice"
    jitsi = _https_url(
        form.get("jitsi_server_url"),
        "jitsi_server_url",
        errors,
        required=provider == MeetingChoice.JITSI,
    )
    ids = {}
    for field in ("entra_tenant_id", "entra_client_id"):
        value = _clean(form.get(field)).lower()
        if (value or provider == MeetingChoice.TEAMS) and not GUID_PATTERN.fullmatch(value):
            errors[field] = "admin_error_guid"
        ids[field] = value if GUID_PATTERN.fullmatch(value) else ""
    return {"meeting_provider": provider, "jitsi_server_url": jitsi, **ids}


def _new_secret(form: dict[str, Any], name: str, errors: dict[str, str]) -> str | None:
    """The replacement typed for a secret: None keeps it, "" removes it."""
    if _checked(form.get(f"{name}_clear")):
        return ""
    typed = form.get(f"{name}_new")
    if not isinstance(typed, str) or not typed:
        return None
    if len(typed) > SECRET_MAX or any(ord(ch) < 32 for ch in typed):
        errors[f"{name}_new"] = "admin_error_secret"
    return typed


class SettingsInvalid(Invalid):
    """The form has errors; ``contrast`` holds the colour pairs that fail AA."""

    def __init__(self, errors: dict[str, str], contrast: list[ContrastProblem]) -> None:
        super().__init__(errors)
        self.contrast = contrast


def check_form(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str | None]]:
    """The checked values and the typed secrets (None: keep); SettingsInvalid when wrong."""
    errors: dict[str, str] = {}
    values = {
        **_look_values(form, errors),
        **_mail_values(form, errors),
        **_meeting_values(form, errors),
    }
    secrets = {name: _new_secret(form, name, errors) for name in SECRET_FIELDS}
    problems: list[ContrastProblem] = []
    if "brand_primary" not in errors and "brand_secondary" not in errors:
        problems = contrast_problems(values["brand_primary"], values["brand_secondary"])
        errors.update({problem.field: "admin_error_contrast" for problem in problems})
    if errors:
        raise SettingsInvalid(errors, problems)
    return values, secrets


def _missing_secrets(
    row: OrganisationSettings, values: dict[str, Any], secrets: dict[str, str | None]
) -> dict[str, str]:
    """The secrets the chosen SMTP server or Teams need but neither has nor gets."""
    errors = {}
    has = {
        "smtp_password": bool(row.smtp_password_sealed),
        "entra_client_secret": bool(row.entra_client_secret_sealed),
    }
    needed = {
        "smtp_password": values["mail_transport"] == MailTransport.SMTP
        and bool(values["smtp_username"]),
        "entra_client_secret": values["meeting_provider"] == MeetingChoice.TEAMS,
    }
    for name in SECRET_FIELDS:
        new = secrets[name]
        if needed[name] and (new == "" or (new is None and not has[name])):
            errors[f"{name}_new"] = "admin_error_secret_required"
    return errors


def save_settings(
    session: Session,
    admin: StaffMember,
    form: dict[str, Any],
    settings: Settings,
) -> OrganisationSettings:
    """Check and store the administrator's own organisation's settings; audited (no values)."""
    require_role(admin, Role.ADMIN)
    organisation = session.get(Organisation, admin.organisation_id)
    row = settings_row(session, organisation)
    values, secrets = check_form(form)
    missing = _missing_secrets(row, values, secrets)
    if missing:
        raise SettingsInvalid(missing, [])
    changed = []
    for name in ("time_zone", "counter_booking_url"):
        value = values.pop(name) or None  # the time zone is never empty here
        if getattr(organisation, name) != value:
            setattr(organisation, name, value)
            changed.append(name)
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    key = None
    for name, new in secrets.items():
        if new is None:
            continue
        key = key or (secrets_key(settings) if new else b"")
        setattr(row, f"{name}_sealed", seal_secret(key, organisation.id, name, new))
        changed.append(f"{name} ({'replaced' if new else 'removed'})")
    row.updated_at = utcnow()
    session.add_all([row, organisation])
    audit(session, admin, "organisation.settings", "organisation", organisation.id, changed=changed)
    session.commit()
    forget_settings(organisation.id)
    return row


def save_logo(session: Session, admin: StaffMember, data: bytes) -> OrganisationSettings:
    """Store a new logo for the administrator's organisation (checked first); audited."""
    require_role(admin, Role.ADMIN)
    content_type = check_logo(data)
    row = settings_row(session, session.get(Organisation, admin.organisation_id))
    row.logo, row.logo_type, row.updated_at = data, content_type, utcnow()
    session.add(row)
    audit(
        session, admin, "organisation.logo", "organisation", admin.organisation_id, size=len(data)
    )
    session.commit()
    forget_settings(admin.organisation_id)
    return row


def remove_logo(session: Session, admin: StaffMember) -> OrganisationSettings:
    """Remove the organisation's logo; audited."""
    require_role(admin, Role.ADMIN)
    row = settings_row(session, session.get(Organisation, admin.organisation_id))
    row.logo, row.logo_type, row.updated_at = None, "", utcnow()
    session.add(row)
    audit(session, admin, "organisation.logo_removed", "organisation", admin.organisation_id)
    session.commit()
    forget_settings(admin.organisation_id)
    return row
