"""The demo-data command."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from balie import seed
from balie.db_types import utcnow
from balie.models import Appointment, Service
from balie.services.staff import staff_auth
from balie.settings import get_settings


@pytest.fixture
def configured(engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Point the app's settings at the test database."""
    monkeypatch.setenv("BALIE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    from balie import db

    db.forget_engines()
    yield engine
    get_settings.cache_clear()
    db.forget_engines()


def test_loads_when_empty_and_only_then(
    session: Session, configured: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert seed.main(["--if-empty"]) == 0
    out = capsys.readouterr().out
    assert "added 1 organisation" in out
    history = next(line for line in out.splitlines() if line.startswith("Demo history"))
    added = int(history.split("added ")[1].split()[0])
    assert added > 100
    assert session.exec(select(func.count()).where(Appointment.is_demo)).one() == added
    assert session.exec(select(func.count()).select_from(Appointment)).one() == added
    signed_in = {}
    for login in (line for line in out.splitlines() if line.startswith("Demo sign-in")):
        email, rest = login.split(": ", 1)[1].split("  password: ")
        password, roles = rest.split("  (roles: ")
        staff, _token = staff_auth.sign_in_local(session, email, password, "127.0.0.1", utcnow())
        assert roles == ", ".join(staff.roles) + ")"
        signed_in[staff.display_name] = list(staff.roles)
    # One of each kind of work, so every page of `make run` can be opened.
    assert signed_in == {
        "Sara De Smet": ["staff"],
        "Lotte Claeys": ["staff"],
        "Els Van Acker": ["manager", "admin"],
        "Gentinfo Medewerker": ["agent"],
    }
    # The second demo city: its own sign-ins, on its own host.
    merelbeke = [line for line in out.splitlines() if line.startswith("Merelbeke sign-in")]
    assert len(merelbeke) == 2
    assert all("merelbeke.localhost" in line for line in merelbeke)
    assert seed.main(["--if-empty"]) == 0
    out = capsys.readouterr().out
    assert "already has data" in out and "password" not in out
    assert session.exec(select(func.count()).select_from(Service)).one() == 9 + 2  # + Merelbeke
    assert seed.main([]) == 0
    assert "Demo history: added 0 past" in capsys.readouterr().out
    assert session.exec(select(func.count()).select_from(Appointment)).one() == added


def test_never_in_production(
    session: Session,
    configured: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BALIE_ENV", "production")
    get_settings.cache_clear()
    assert seed.main([]) == 1
    out = capsys.readouterr().out
    assert "never loaded in production" in out and "password" not in out
    assert session.exec(select(func.count()).select_from(Service)).one() == 0
    assert session.exec(select(func.count()).select_from(Appointment)).one() == 0
