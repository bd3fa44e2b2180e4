"""Settings read from environment variables (prefix ``BALIE_``) and an optional ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from balie.services.client_address import Network, parse_networks

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SECRET = "change-me"


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
    redis_url: str | None = Field(
        None,
        description="Redis URL; when set, Reflex keeps session state in Redis (several workers).",
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
    cors_allowed_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the backend (default: public base URL in production).",
    )

    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses/ranges of the city's reverse proxies; only they may set "
        'X-Forwarded-For (e.g. ["127.0.0.1"]).',
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

    def allowed_origins(self) -> list[str]:
        """Origins for CORS: the configured list; else the public base URL (any in development)."""
        if self.cors_allowed_origins:
            return self.cors_allowed_origins
        return [self.public_base_url.rstrip("/")] if self.is_production else ["*"]

    def production_problems(self) -> list[str]:
        """Settings that make a production start unsafe, each as a readable sentence."""
        problems: list[str] = []
        if self.secret_key.get_secret_value() in ("", DEFAULT_SECRET):
            problems.append("BALIE_SECRET_KEY is missing or still the default value.")
        if self.database_url.startswith("sqlite"):
            problems.append("BALIE_DATABASE_URL points at SQLite; use PostgreSQL in production.")
        if self.public_base_url.startswith("http://localhost"):
            problems.append("BALIE_PUBLIC_BASE_URL is still http://localhost.")
        if self.meeting_provider == "teams":
            for name in ("entra_tenant_id", "entra_client_id"):
                if not getattr(self, name):
                    problems.append(f"BALIE_{name.upper()} is required for the Teams provider.")
            if not self.entra_client_secret.get_secret_value():
                problems.append("BALIE_ENTRA_CLIENT_SECRET is required for the Teams provider.")
        if self.smtp_host and not self.smtp_password.get_secret_value() and self.smtp_username:
            problems.append("BALIE_SMTP_PASSWORD is missing for the configured SMTP user.")
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (read once)."""
    return Settings()
