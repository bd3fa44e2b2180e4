"""Settings read from environment variables (prefix ``BALIE_``) and an optional ``.env`` file."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from balie.services.client_address import Network, parse_networks

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SECRET = "change-me"
MIN_SECRET_BYTES = 32
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
# Ports of `reflex run` in development (frontend 3000, backend 8000): their loopback origins
# may call the backend; any other origin needs BALIE_CORS_ALLOWED_ORIGINS.
DEVELOPMENT_PORTS = (3000, 8000)


class Settings(BaseSettings):
    """All configuration of one Digitale Balie deployment."""

    model_config = SettingsConfigDict(
        env_prefix="BALIE_",
        env_file=PROJECT_ROOT / ".env",
        env_ignore_empty=True,
        extra="ignore",
    )

    env: Literal["development", "production"] = Field(
        "development", description="`production` refuses default secrets and never loads demo data."
    )
    database_url: str = Field(
        f"sqlite:///{DATA_DIR / 'balie.db'}", description="SQLAlchemy URL of the database."
    )
    database_pool_size: int = Field(
        20,
        ge=1,
        le=200,
        description="Database connections per app process; the request thread pool is sized "
        "to it (plus up to 10 more connections for the background work).",
    )
    redis_url: str | None = Field(
        None,
        description="Redis URL; when set, Reflex keeps session state in Redis (several workers).",
    )
    session_expiry_seconds: int = Field(
        1800,
        ge=60,
        le=86_400,
        description="A visitor's page state is released after this many idle seconds.",
    )
    max_sessions_per_worker: int = Field(
        2000,
        ge=100,
        le=1_000_000,
        description="Visitors' page states one app process keeps in memory without Redis; above "
        "it the least recently used idle ones are released first. With Redis: the idle "
        "visitors' lease locks one process keeps.",
    )
    redis_state_leases: bool = Field(
        True,
        description="With Redis: a process keeps a visitor's state and lock for a short lease "
        "(half the lock expiry) so a burst of events costs one Redis read and write; another "
        "process that needs the state gets it written first. Off: every event reads and writes "
        "Redis.",
    )
    public_base_url: str = Field(
        "http://localhost:8000", description="Address citizens use; links in e-mails start with it."
    )
    organisation: str = Field("gent", description="Slug of the organisation this site serves.")
    time_zone: str = Field("Europe/Brussels", description="Time zone in which times are shown.")
    retention_days: int = Field(
        30, ge=1, le=3650, description="Days after the appointment before personal data is erased."
    )
    secret_key: SecretStr = Field(
        SecretStr(DEFAULT_SECRET),
        description="Secret for signing tokens; must be set in production.",
    )
    previous_secret_keys: list[SecretStr] = Field(
        default_factory=list,
        description="Earlier secret keys (JSON list), only to rebuild the personal links of "
        "bookings made before the secret was rotated; never used for new bookings.",
    )
    cors_allowed_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the backend with cookies (default: the public base "
        "URL, in development also loopback; `*` is refused).",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Extra `Host` names answered besides the public base URL's (e.g. an internal "
        "name for health checks); any other Host gets 400.",
    )

    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses/ranges of the city's reverse proxies; only they may set "
        'X-Forwarded-For (e.g. ["127.0.0.1"]).',
    )

    staff_idle_minutes: int = Field(
        30,
        ge=1,
        le=600,
        description="Minutes without activity after which a staff session ends (max. 10 hours).",
    )
    sign_in_address_limit: int = Field(
        20, ge=1, description="Failed staff sign-ins per client address per 10 minutes."
    )
    sign_in_network_limit: int = Field(
        100, ge=1, description="Failed staff sign-ins per network (/24, /56) per 10 minutes."
    )
    bookings_per_address_per_hour: int = Field(
        10, ge=1, description="Public bookings per hour from one client address."
    )
    bookings_per_email_per_hour: int = Field(
        3, ge=1, description="Public bookings per hour for one e-mail address."
    )
    bookings_per_phone_per_hour: int = Field(
        3, ge=1, description="Public bookings per hour for one phone number."
    )
    active_bookings_per_service: int = Field(
        2, ge=1, description="Future booked appointments one e-mail address may hold per service."
    )
    active_bookings_total: int = Field(
        4, ge=1, description="Future booked appointments one e-mail address may hold in total."
    )
    proof_of_work: bool = Field(
        True, description="Ask the browser (and API calls without a key) to solve a small puzzle."
    )
    proof_of_work_max_number: int = Field(
        50_000,
        ge=1_000,
        le=10_000_000,
        description="Difficulty of the puzzle when bookings are calm (hashes tried at most).",
    )
    proof_of_work_raise_after: int = Field(
        30,
        ge=1,
        description="Public bookings in 10 minutes after which the puzzle gets 4 times harder "
        "(again at each multiple, at most 3 times).",
    )
    spike_bookings_per_service: int = Field(
        20,
        ge=1,
        description="Bookings of one service within the spike window that count as a spike.",
    )
    spike_bookings_per_address: int = Field(
        8, ge=1, description="Booking attempts from one address within the spike window: a spike."
    )
    spike_window_minutes: int = Field(
        10, ge=1, le=1440, description="Length of the window in which spikes are counted."
    )
    job_lease_seconds: int = Field(
        120,
        ge=5,
        le=3600,
        description="How long a worker holds a claimed job; after that another instance takes it.",
    )
    metrics_allowed: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description="Addresses/ranges that may read /api/metrics without a token.",
    )
    metrics_token: SecretStr = Field(
        SecretStr(""), description="Bearer token that opens /api/metrics from anywhere (optional)."
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="`json`: one JSON object per log line, with the request id."
    )

    meeting_provider: Literal["jitsi", "teams"] = Field(
        "jitsi", description="`jitsi` (default, no account needed) or `teams` (Microsoft Graph)."
    )
    jitsi_base_url: str = Field("https://meet.jit.si", description="Jitsi Meet server for rooms.")
    graph_base_url: str = Field(
        "https://graph.microsoft.com/v1.0", description="Microsoft Graph endpoint."
    )
    entra_login_url: str = Field(
        "https://login.microsoftonline.com", description="Microsoft Entra ID login endpoint."
    )
    entra_tenant_id: str = Field("", description="Entra ID tenant (directory) id.")
    entra_client_id: str = Field("", description="Application (client) id of the app registration.")
    entra_client_secret: SecretStr = Field(
        SecretStr(""), description="Client secret of the app registration."
    )
    teams_organiser_mailbox: str = Field(
        "", description="Shared organiser mailbox for staff without an Entra object id."
    )

    slot_cache_seconds: float = Field(
        1.0,
        ge=0,
        le=10,
        description="How long one app process reuses the free times it computed for a service "
        "(the API's and the booking pages' lists; a booking in the process forgets them at "
        "once). 0: always compute.",
    )

    settings_cache_seconds: float = Field(
        2.0,
        ge=0,
        le=60,
        description="How long one app process reuses an organisation's own settings (look, "
        "sender, meeting provider) it read; a save in the process forgets them at once, other "
        "processes see it within this time. 0: always read.",
    )

    meeting_wait_seconds: float = Field(
        2.0,
        ge=0,
        le=30,
        description="How long a booking's answer waits for the meeting link before it says the "
        "link follows.",
    )

    share_question_with_meeting_provider: bool = Field(
        False,
        description="Copy the citizen's question into the meeting (e.g. the Teams calendar item).",
    )

    smtp_host: str = Field("", description="SMTP server; empty writes e-mails to data/outbox/.")
    smtp_port: int = Field(587, description="SMTP port.")
    smtp_username: str = Field("", description="SMTP user name.")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP password.")
    smtp_starttls: bool = Field(True, description="Use STARTTLS when talking to the SMTP server.")
    mail_from: str = Field(
        "Digitale Balie <noreply@localhost>", description="Sender address of outgoing e-mails."
    )
    outbox_dir: Path = Field(
        DATA_DIR / "outbox", description="Folder for e-mails when SMTP is off."
    )

    documents_dir: Path = Field(
        DATA_DIR / "documents",
        description="Folder where exchanged documents are kept, encrypted (AES-256-GCM).",
    )
    documents_key: SecretStr = Field(
        SecretStr(""),
        description="Key that encrypts the documents at rest: 32 random bytes, base64 "
        "(required in production; in development derived from BALIE_SECRET_KEY).",
    )
    secrets_key: SecretStr = Field(
        SecretStr(""),
        description="Key that encrypts the organisations' SMTP passwords and client secrets in "
        "the database: 32 random bytes, base64 (production refuses to start without it once a "
        "secret is stored; in development derived from BALIE_SECRET_KEY).",
    )
    document_max_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024, description="Largest document accepted."
    )
    documents_per_appointment: int = Field(
        10, ge=1, le=100, description="Documents one appointment may hold (citizen and staff)."
    )
    document_uploads_per_address_per_hour: int = Field(
        20, ge=1, description="Documents a citizen's address may upload per hour."
    )
    clamd_address: str = Field(
        "unix:///var/run/clamav/clamd.ctl",
        description="Where clamd listens: `unix:///path/to/socket` or `tcp://host:port`.",
    )
    clamd_timeout_seconds: float = Field(
        30.0, gt=0, le=600, description="How long a virus scan may take before it counts as down."
    )
    clamscan_fallback: bool = Field(
        True, description="When clamd does not answer, scan with the `clamscan` program instead."
    )
    clamscan_database: str = Field(
        "", description="Signature folder or file for the clamscan fallback (`-d`); empty: default."
    )
    identity_discovery_url: str = Field(
        "",
        description="OpenID Connect discovery URL of the citizens' identity provider (FAS, "
        "ACM/IDM or itsme), e.g. https://idp.iamfas.belgium.be/fas/oauth2/.well-known/"
        "openid-configuration; empty: topics that need identification stay refused.",
    )
    identity_client_id: str = Field("", description="Client id the provider gave the city.")
    identity_client_auth: Literal["private_key_jwt", "client_secret_basic"] = Field(
        "private_key_jwt", description="How the app proves itself at the token endpoint."
    )
    identity_client_secret: SecretStr = Field(
        SecretStr(""), description="Client secret (only for `client_secret_basic`)."
    )
    identity_private_key: SecretStr = Field(
        SecretStr(""),
        description="The city's private key (PEM, or a JWK as JSON) for `private_key_jwt`; "
        "its public half is registered with the provider.",
    )
    identity_private_key_id: str = Field("", description="Key id (`kid`) of that key.")
    identity_scopes: str = Field(
        "openid profile", description="Scopes asked for (FAS: `openid profile egovnrn`)."
    )
    identity_userinfo: bool = Field(
        True,
        description="Also read the provider's userinfo endpoint (FAS gives the national "
        "register number there); the ID token's claims win.",
    )
    identity_acr_substantial: list[str] = Field(
        default_factory=list,
        description="`acr` values that mean level 'substantial' (JSON list); the first is sent.",
    )
    identity_acr_high: list[str] = Field(
        default_factory=list,
        description="`acr` values that mean level 'high' (JSON list); the first is sent.",
    )
    identity_provider_name: str = Field(
        "eID/itsme", description="Name shown to counsellors when the token names no method."
    )
    identity_claim_name: str = Field("name", description="Claim with the full name.")
    identity_claim_given_name: str = Field("given_name", description="Claim with the first name.")
    identity_claim_family_name: str = Field(
        "family_name", description="Claim with the family name."
    )
    identity_claim_birth_date: str = Field(
        "birthdate", description="Claim with the birth date (YYYY-MM-DD); empty: not asked."
    )
    identity_claim_national_number: str = Field(
        "", description="Claim with the national register number (FAS: `egovNRN`); empty: none."
    )
    identity_claim_email: str = Field("email", description="Claim with the e-mail address.")
    identity_claim_method: str = Field(
        "amr", description="Claim naming the method used (e.g. itsme, eid); empty: not read."
    )
    identity_hash_key: SecretStr = Field(
        SecretStr(""),
        description="Key of the keyed hash (HMAC-SHA-256) of the national register number; "
        "required in production when identification is configured.",
    )
    identity_store_national_number: bool = Field(
        False,
        description="Store the national register number itself (only for a city authorised "
        "to process it); otherwise only its keyed hash.",
    )
    identity_national_number_roles: list[str] = Field(
        default_factory=list,
        description="Staff roles that see the stored number unmasked (JSON list).",
    )
    identity_links_per_agent_per_hour: int = Field(
        20, ge=1, description="Identification links one agent may e-mail per hour."
    )
    identity_links_per_address_per_day: int = Field(
        3, ge=1, description="Identification links one e-mail address may receive per day."
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_url(cls, value: str) -> str:
        """Accept the common ``postgres://`` spelling and use the psycopg 3 driver."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @field_validator("trusted_proxies", "metrics_allowed")
    @classmethod
    def _valid_proxies(cls, value: list[str]) -> list[str]:
        """Every trusted proxy must be an address or a CIDR range."""
        parse_networks(value)
        return value

    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        """The trusted proxies as networks."""
        return parse_networks(self.trusted_proxies)

    @property
    def is_production(self) -> bool:
        """Whether this deployment runs in production mode."""
        return self.env == "production"

    @property
    def entra_sign_in_configured(self) -> bool:
        """Whether staff can sign in with Microsoft Entra ID (tenant, client id and secret set)."""
        return bool(
            self.entra_tenant_id
            and self.entra_client_id
            and self.entra_client_secret.get_secret_value()
        )

    @property
    def identification_configured(self) -> bool:
        """Whether citizens can identify: a provider, a client and a way to authenticate."""
        if not (self.identity_discovery_url and self.identity_client_id):
            return False
        if self.identity_client_auth == "client_secret_basic":
            return bool(self.identity_client_secret.get_secret_value())
        return bool(self.identity_private_key.get_secret_value())

    def secret_keys(self) -> list[str]:
        """The current secret first, then the earlier ones."""
        secrets = [self.secret_key, *self.previous_secret_keys]
        return [secret.get_secret_value() for secret in secrets]

    @property
    def public_origin(self) -> str:
        """Scheme, host and port of the public base URL (where redirects go)."""
        parts = urlsplit(self.public_base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def reflex_state_options(self) -> dict[str, str]:
        """Reflex config for visitors' state: Redis if set, else this process's memory."""
        # Reflex's default without Redis pickles every change to .states/; its write queue falls
        # behind under load and pins the states in memory (issue 12: RSS after 5,000 sessions).
        return {} if self.redis_url else {"state_manager_mode": "memory"}

    def allowed_origins(self) -> list[str]:
        """Origins for CORS: never `*`, so no foreign origin is reflected with credentials."""
        configured = [origin.rstrip("/") for origin in self.cors_allowed_origins if origin != "*"]
        origins = configured or [self.public_origin]
        if not self.is_production:
            loopback = ("localhost", "127.0.0.1", "[::1]")
            ports = {*DEVELOPMENT_PORTS, urlsplit(self.public_base_url).port or 80}
            origins += [f"http://{host}:{port}" for host in loopback for port in sorted(ports)]
        return list(dict.fromkeys(origins))

    def allowed_host_names(self) -> frozenset[str]:
        """`Host` names this site answers: the public URL's (and loopback in development)."""
        hosts = {urlsplit(self.public_base_url).hostname or ""}
        hosts.update(host.lower() for host in self.allowed_hosts)
        if not self.is_production:
            hosts.update(LOOPBACK_HOSTS)
        return frozenset(hosts - {""})

    def production_problems(self) -> list[str]:
        """Settings that make a production start unsafe, each as a readable sentence."""
        problems: list[str] = []
        secret = self.secret_key.get_secret_value()
        if secret in ("", DEFAULT_SECRET):
            problems.append("BALIE_SECRET_KEY is missing or still the default value.")
        elif len(secret.encode()) < MIN_SECRET_BYTES:
            # Manage tokens are HMACs of the (known) reference: a short secret falls offline.
            problems.append(
                f"BALIE_SECRET_KEY is shorter than {MIN_SECRET_BYTES} bytes; "
                "make one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        if self.database_url.startswith("sqlite"):
            problems.append("BALIE_DATABASE_URL points at SQLite; use PostgreSQL in production.")
        if (
            not self.public_base_url.startswith("https://")
            or not urlsplit(self.public_base_url).hostname
        ):
            problems.append(
                "BALIE_PUBLIC_BASE_URL must be an https:// address (cookies are Secure only then)."
            )
        if "*" in self.cors_allowed_origins:
            problems.append("BALIE_CORS_ALLOWED_ORIGINS must list origins, not `*`.")
        if self.meeting_provider == "teams":
            for name in ("entra_tenant_id", "entra_client_id"):
                if not getattr(self, name):
                    problems.append(f"BALIE_{name.upper()} is required for the Teams provider.")
            if not self.entra_client_secret.get_secret_value():
                problems.append("BALIE_ENTRA_CLIENT_SECRET is required for the Teams provider.")
        documents_key = self.documents_key.get_secret_value()
        if not documents_key:
            problems.append(
                "BALIE_DOCUMENTS_KEY is missing; make one with "
                "`python -c 'import os, base64; print(base64.b64encode(os.urandom(32)).decode())'`."
            )
        elif not _is_aes_key(documents_key):
            problems.append(
                "BALIE_DOCUMENTS_KEY must be 32 random bytes in base64 (44 characters)."
            )
        secrets_key = self.secrets_key.get_secret_value()
        if secrets_key and not _is_aes_key(secrets_key):
            problems.append("BALIE_SECRETS_KEY must be 32 random bytes in base64 (44 characters).")
        if self.smtp_host and not self.smtp_password.get_secret_value() and self.smtp_username:
            problems.append("BALIE_SMTP_PASSWORD is missing for the configured SMTP user.")
        if self.identification_configured and not self.identity_hash_key.get_secret_value():
            problems.append("BALIE_IDENTITY_HASH_KEY is required when identification is on.")
        if self.identification_configured and not self.identity_discovery_url.startswith(
            "https://"
        ):
            problems.append("BALIE_IDENTITY_DISCOVERY_URL must be an https:// address.")
        return problems

    def check_production(self) -> None:
        """Refuse to start in production mode with unsafe settings."""
        if not self.is_production:
            return
        problems = self.production_problems()
        if problems:
            raise SystemExit(
                "Digitale Balie refuses to start in production mode:\n- " + "\n- ".join(problems)
            )


def _is_aes_key(value: str) -> bool:
    """Whether ``value`` is 32 bytes in base64 (an AES-256 key)."""
    try:
        return len(base64.b64decode(value, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (read once)."""
    return Settings()
