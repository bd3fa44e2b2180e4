"""Shared fixtures: a migrated test database (SQLite by default, PostgreSQL in CI's variant).

Set BALIE_TEST_DATABASE_URL to run every database test against another database; the schema
is created with the real alembic migrations, so the database-level rules are tested too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

from balie import db
from balie.db import make_engine
from balie.services import catalogue_cache, composition, tenancy
from balie.settings import get_settings
from tests.clamav import ClamAV, running_clamav
from tests.tenancy_fixtures import TwoCities, two_cities

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Every test process has all meeting providers and job handlers, as the app's worker has.
composition.check_registered()


def run_alembic(url: str, name: str, *args: str) -> None:
    """Run an alembic command (``upgrade head``, ``downgrade base``, ``check``) on ``url``."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["configure_logger"] = False
    config.cmd_opts = SimpleNamespace(x=[f"url={url}"])
    getattr(command, name)(config, *args)


@pytest.fixture(autouse=True)
def _fresh_catalogue_cache() -> Iterator[None]:
    """Every test starts without a cached catalogue or host map (test databases reuse one URL)."""
    catalogue_cache.clear()
    tenancy.forget_hosts()
    yield
    catalogue_cache.clear()
    tenancy.forget_hosts()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of the test database."""
    configured = os.environ.get("BALIE_TEST_DATABASE_URL")
    if configured:
        return configured
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a freshly migrated database."""
    run_alembic(database_url, "downgrade", "base")
    run_alembic(database_url, "upgrade", "head")
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _clear(engine: Engine) -> None:
    """Delete every row, children first."""
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(text(f'DELETE FROM "{table.name}"'))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on an empty database; everything is deleted afterwards."""
    _clear(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    _clear(engine)


# The abuse limits and the proof-of-work are tested in tests/services/abuse and
# tests/test_api_abuse.py; elsewhere tests book freely from one address and one e-mail.
RELAXED_ABUSE_LIMITS = {
    "BALIE_PROOF_OF_WORK": "false",
    "BALIE_BOOKINGS_PER_ADDRESS_PER_HOUR": "100000",
    "BALIE_BOOKINGS_PER_EMAIL_PER_HOUR": "100000",
    "BALIE_BOOKINGS_PER_PHONE_PER_HOUR": "100000",
    "BALIE_ACTIVE_BOOKINGS_PER_SERVICE": "100000",
    "BALIE_ACTIVE_BOOKINGS_TOTAL": "100000",
    # Tests change appointments behind the booking service's back and read free times at
    # once: the process's short cache of free times has its own tests (test_slots_cache.py).
    "BALIE_SLOT_CACHE_SECONDS": "0",
    # Likewise organisation settings written straight into the table (test_org_settings.py
    # tests the process's copy).
    "BALIE_SETTINGS_CACHE_SECONDS": "0",
}


@pytest.fixture(autouse=True)
def relaxed_abuse_limits(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Switch the abuse limits off unless a test sets them again (it then clears the cache).

    Browser tests keep the proof-of-work on: every booking there solves the real puzzle.
    """
    in_browser = "e2e" in request.node.path.parts
    for name, value in RELAXED_ABUSE_LIMITS.items():
        if not (in_browser and name == "BALIE_PROOF_OF_WORK"):
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def app_database(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Engine]:
    """Point the app's own settings and engine at the test database; e-mails to a temp outbox."""
    monkeypatch.setenv("BALIE_DATABASE_URL", database_url)
    monkeypatch.setenv("BALIE_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("BALIE_DOCUMENTS_DIR", str(tmp_path / "documents"))
    get_settings.cache_clear()
    db.forget_engines()
    yield engine
    get_settings.cache_clear()
    db.forget_engines()


@pytest.fixture
def cities(session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch) -> TwoCities:
    """Two organisations on their own hosts: Ghent (A, demo data) and Kleinegem (B)."""
    return two_cities(session, monkeypatch)


@pytest.fixture(scope="session")
def clamav() -> Iterator[ClamAV]:
    """A real clamd on loopback with the tests' own EICAR signature (see tests/clamav.py)."""
    with running_clamav() as engine:
        yield engine


@pytest.fixture
def scanning(clamav: ClamAV, monkeypatch: pytest.MonkeyPatch) -> ClamAV:
    """Point the app's settings at the test ClamAV."""
    for name, value in clamav.env().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return clamav


class RecordingMailer:
    """A mailer that keeps sent e-mails in memory."""

    def __init__(self) -> None:
        self.sent: list = []

    def send(self, message: object) -> str:
        """Record the message."""
        self.sent.append(message)
        return str(len(self.sent))
