"""Settings: defaults that work on a fresh machine, and a production mode that refuses them."""

from __future__ import annotations

import pytest

from balie.settings import Settings


def test_defaults_need_no_services(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BALIE_DATABASE_URL", "BALIE_REDIS_URL", "BALIE_ENV"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("data/balie.db")
    assert settings.redis_url is None
    assert settings.time_zone == "Europe/Brussels"
    assert settings.meeting_provider == "jitsi"
    settings.check_production()  # development mode never refuses


def test_postgres_urls_use_psycopg3() -> None:
    settings = Settings(_env_file=None, database_url="postgres://u@db/balie")
    assert settings.database_url == "postgresql+psycopg://u@db/balie"


def test_production_refuses_default_secrets_and_says_which() -> None:
    settings = Settings(_env_file=None, env="production", meeting_provider="teams")
    with pytest.raises(SystemExit) as refused:
        settings.check_production()
    message = str(refused.value)
    assert "BALIE_SECRET_KEY" in message
    assert "BALIE_DATABASE_URL" in message
    assert "BALIE_PUBLIC_BASE_URL" in message
    assert "BALIE_ENTRA_CLIENT_SECRET" in message


def test_production_with_real_settings_starts() -> None:
    settings = Settings(
        _env_file=None,
        env="production",
        secret_key="a-long-random-value-0123456789",
        database_url="postgresql://balie@db/balie",
        public_base_url="https://balie.stad.gent",
    )
    settings.check_production()
    assert settings.allowed_origins() == ["https://balie.stad.gent"]


def test_development_allows_any_origin_unless_configured() -> None:
    assert Settings(_env_file=None).allowed_origins() == ["*"]
    configured = Settings(_env_file=None, cors_allowed_origins=["https://a.example"])
    assert configured.allowed_origins() == ["https://a.example"]
