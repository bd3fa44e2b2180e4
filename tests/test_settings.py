"""Settings: defaults that work on a fresh machine, and a production mode that refuses them."""

from __future__ import annotations

import base64

import pytest

from balie.settings import Settings

LONG_SECRET = "k" * 32


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


DOCUMENTS_KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.mark.parametrize("key", ["", "bm90LTMyLWJ5dGVz", "not base64!"])
def test_production_needs_a_real_documents_key(key: str) -> None:
    problems = production(documents_key=key).production_problems()
    assert [p for p in problems if "BALIE_DOCUMENTS_KEY" in p]


@pytest.mark.parametrize("key", ["bm90LTMyLWJ5dGVz", "not base64!"])
def test_a_secrets_key_must_be_a_real_key(key: str) -> None:
    problems = production(secrets_key=key).production_problems()
    assert [p for p in problems if "BALIE_SECRETS_KEY" in p]
    assert not [p for p in production().production_problems() if "BALIE_SECRETS_KEY" in p]


def test_production_with_real_settings_starts() -> None:
    settings = Settings(
        _env_file=None,
        env="production",
        secret_key=LONG_SECRET,
        documents_key=DOCUMENTS_KEY,
        database_url="postgresql://balie@db/balie",
        public_base_url="https://balie.stad.gent",
    )
    settings.check_production()
    assert settings.allowed_origins() == ["https://balie.stad.gent"]


def production(**changes: object) -> Settings:
    """Production settings that start, with ``changes``."""
    values = {
        "env": "production",
        "secret_key": LONG_SECRET,
        "documents_key": DOCUMENTS_KEY,
        "database_url": "postgresql://balie@db/balie",
        "public_base_url": "https://balie.stad.gent",
        **changes,
    }
    return Settings(_env_file=None, **values)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"public_base_url": "http://balie.stad.gent"}, "BALIE_PUBLIC_BASE_URL"),
        ({"public_base_url": "https://"}, "BALIE_PUBLIC_BASE_URL"),
        ({"secret_key": "k" * 31}, "BALIE_SECRET_KEY"),
        ({"secret_key": "é" * 15}, "BALIE_SECRET_KEY"),  # 30 bytes, though 15 characters
        ({"cors_allowed_origins": ["*"]}, "BALIE_CORS_ALLOWED_ORIGINS"),
    ],
)
def test_production_refuses_unsafe_values(changes: dict, named: str) -> None:
    with pytest.raises(SystemExit) as refused:
        production(**changes).check_production()
    assert named in str(refused.value)


def test_a_secret_of_32_bytes_is_enough() -> None:
    production(secret_key="é" * 16).check_production()


def test_development_never_allows_any_origin() -> None:
    origins = Settings(_env_file=None).allowed_origins()
    assert "*" not in origins
    assert "http://localhost:8000" in origins  # the public base URL
    assert "http://127.0.0.1:3000" in origins  # `reflex run`'s frontend
    assert "https://evil.example" not in origins
    star = Settings(_env_file=None, cors_allowed_origins=["*", "https://a.example/"])
    assert star.allowed_origins()[0] == "https://a.example"
    assert "*" not in star.allowed_origins()


def test_production_allows_only_the_configured_or_public_origin() -> None:
    assert production().allowed_origins() == ["https://balie.stad.gent"]
    configured = production(cors_allowed_origins=["https://a.example"])
    assert configured.allowed_origins() == ["https://a.example"]


def test_hosts_come_from_the_public_url() -> None:
    assert production().allowed_host_names() == {"balie.stad.gent"}
    extra = production(allowed_hosts=["Balie.Internal"])
    assert extra.allowed_host_names() == {"balie.stad.gent", "balie.internal"}
    development = Settings(_env_file=None, public_base_url="http://balie.test:8000")
    assert development.allowed_host_names() == {"balie.test", "localhost", "127.0.0.1", "::1"}
