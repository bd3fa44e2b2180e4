"""The staff-account command: ``python -m balie.staff create|set-password``."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from balie import staff as command
from balie.db_types import utcnow
from balie.models import Service, StaffMember, StaffService
from balie.services.demo_data import load_demo_data
from balie.services.staff import staff_auth
from balie.settings import get_settings

PASSWORD = "een lang genoeg wachtwoord"
NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
CREATE = ["create", "--email", "lies.baert@stad.gent", "--name", "Lies Baert"]


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheaper argon2id parameters for the tests."""
    monkeypatch.setattr(staff_auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def configured(
    session: Session, engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Session:
    """Demo data in the test database, and the app's settings pointing at it."""
    load_demo_data(session)
    monkeypatch.setenv("BALIE_DATABASE_URL", database_url)
    monkeypatch.setenv("BALIE_ORGANISATION", "gent")
    get_settings.cache_clear()
    from balie import db

    db.forget_engines()
    yield session
    get_settings.cache_clear()
    db.forget_engines()


def run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = PASSWORD + "\n") -> int:
    """Run the command with ``stdin`` as standard input."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return command.main(argv)


def staff_count(session: Session) -> int:
    """Number of staff members."""
    return session.exec(select(func.count()).select_from(StaffMember)).one()


def test_create_an_account(
    configured: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*CREATE, "--role", "staff", "--role", "manager", "--service", "energiecentrale"]
    assert run(monkeypatch, [*argv, "--password-stdin"]) == 0
    out = capsys.readouterr().out
    assert "Created staff member Lies Baert <lies.baert@stad.gent>" in out
    assert "roles: staff, manager; services: energiecentrale" in out
    assert PASSWORD not in out
    session = configured
    session.expire_all()
    lies = session.exec(
        select(StaffMember).where(StaffMember.email == "lies.baert@stad.gent")
    ).one()
    assert lies.roles == ["staff", "manager"]
    energie = session.exec(select(Service.id).where(Service.slug == "energiecentrale")).one()
    links = session.exec(select(StaffService.service_id).where(StaffService.staff_id == lies.id))
    assert list(links) == [energie]
    staff, token = staff_auth.sign_in_local(session, "lies.baert@stad.gent", PASSWORD, "", NOW)
    assert staff.id == lies.id and token


def test_create_asks_twice_without_stdin(
    configured: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert command.main(CREATE) == 1
    assert "do not match" in capsys.readouterr().err
    answers = iter([PASSWORD, PASSWORD])
    assert command.main(CREATE) == 0
    assert "roles: staff; services: none" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "stdin", "message"),
    [
        (["--service", "energiecentrale", "--service", "bestaat-niet"], PASSWORD, "bestaat-niet"),
        (["--role", "baas"], PASSWORD, "Unknown role(s): baas"),
        ([], "kort\n", "too weak"),
        ([], "\n", "too weak"),
    ],
)
def test_create_refuses(
    configured: Session,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    stdin: str,
    message: str,
) -> None:
    before = staff_count(configured)
    assert run(monkeypatch, [*CREATE, *extra, "--password-stdin"], stdin) == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""
    assert staff_count(configured) == before


def test_create_refuses_duplicates(
    configured: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(monkeypatch, [*CREATE, "--password-stdin"]) == 0
    before = staff_count(configured)
    upper = ["create", "--email", "LIES.BAERT@stad.gent", "--name", "Lies", "--password-stdin"]
    assert run(monkeypatch, upper) == 1
    assert "already exists" in capsys.readouterr().err
    assert staff_count(configured) == before


def test_refuses_an_unknown_organisation(
    configured: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BALIE_ORGANISATION", "brugge")
    get_settings.cache_clear()
    assert run(monkeypatch, [*CREATE, "--password-stdin"]) == 1
    assert "'brugge' does not exist" in capsys.readouterr().err


def test_set_password(
    configured: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    session = configured
    assert run(monkeypatch, [*CREATE, "--password-stdin"]) == 0
    now = utcnow()  # the command ends sessions that are open at the real current time
    _, token = staff_auth.sign_in_local(session, "lies.baert@stad.gent", PASSWORD, "", now)
    new = "een ander lang wachtwoord"
    argv = ["set-password", "--email", "Lies.Baert@stad.gent", "--password-stdin"]
    assert run(monkeypatch, argv, new + "\n") == 0
    out = capsys.readouterr().out
    assert "Password set for Lies Baert" in out and "1 session(s) ended" in out
    assert new not in out
    session.expire_all()
    assert staff_auth.staff_for_token(session, token, now) is None
    assert staff_auth.sign_in_local(session, "lies.baert@stad.gent", new, "", now)
    assert run(monkeypatch, argv, "kort\n") == 1
    assert "too weak" in capsys.readouterr().err
    unknown = ["set-password", "--email", "niemand@stad.gent", "--password-stdin"]
    assert run(monkeypatch, unknown) == 1
    assert "No staff member with e-mail niemand@stad.gent" in capsys.readouterr().err
