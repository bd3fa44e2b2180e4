"""The catalogue command: ``python -m balie.catalogue export|import|schema``."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from balie import catalogue as command
from balie import db
from balie.models import Organisation, Service, StaffMember
from balie.services import catalogue_io
from balie.services.demo_data import load_demo_data
from balie.settings import get_settings


@pytest.fixture
def configured(
    session: Session, engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Session]:
    """Demo data in the test database, and the app's settings pointing at it."""
    load_demo_data(session)
    monkeypatch.setenv("BALIE_DATABASE_URL", database_url)
    monkeypatch.setenv("BALIE_ORGANISATION", "gent")
    get_settings.cache_clear()
    db.forget_engines()
    yield session
    get_settings.cache_clear()
    db.forget_engines()


def _services(session: Session, slug: str) -> int:
    """Number of services of the organisation ``slug``."""
    session.expire_all()
    return session.exec(
        select(func.count())
        .select_from(Service)
        .join(Organisation, Organisation.id == Service.organisation_id)
        .where(Organisation.slug == slug)
    ).one()


def test_export_then_import_into_a_new_organisation(
    configured: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command.main(["export", "--org", "gent", "--with-staff"]) == 0
    exported = capsys.readouterr().out
    document = json.loads(exported)
    assert document["format"] == catalogue_io.FORMAT and len(document["staff"]) == 20
    path = tmp_path / "gent.json"
    path.write_text(exported, encoding="utf-8")

    assert command.main(["import", "--org", "aalst", str(path)]) == 1
    assert "does not exist (add --create NAME" in capsys.readouterr().err

    assert command.main(["import", "--org", "aalst", str(path), "--create", "Stad Aalst"]) == 0
    out = capsys.readouterr().out
    assert "Created organisation aalst. Imported into aalst; services added: 9" in out
    assert _services(configured, "aalst") == 9
    aalst = configured.exec(select(Organisation).where(Organisation.slug == "aalst")).one()
    assert (aalst.name, aalst.time_zone) == ("Stad Aalst", "Europe/Brussels")
    assert (
        configured.exec(
            select(func.count())
            .select_from(StaffMember)
            .where(StaffMember.organisation_id == aalst.id)
        ).one()
        == 20
    )

    assert command.main(["import", "--org", "aalst", str(path), "--replace"]) == 0
    assert "services added: 0, services updated: 0" in capsys.readouterr().out


def test_a_refused_file_lists_each_problem_with_its_path_and_changes_nothing(
    configured: Session,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = {
        "format": catalogue_io.FORMAT,
        "version": 1,
        "services": [{"slug": "Zwembad", "name": {"nl": "Zwembad"}, "live_from": "2026-01-01"}],
    }
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(json.dumps(document).encode())))

    assert command.main(["import", "-", "--org", "aalst", "--create", "Stad Aalst"]) == 1

    err = capsys.readouterr().err
    assert "nothing was changed" in err
    assert "  $.services[0].slug: String should match pattern" in err
    assert configured.exec(select(Organisation).where(Organisation.slug == "aalst")).first() is None


def test_a_missing_or_too_large_file_is_refused(
    configured: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command.main(["import", str(tmp_path / "nowhere.json")]) == 1
    assert "No such file" in capsys.readouterr().err
    large = tmp_path / "large.json"
    large.write_bytes(b" " * (catalogue_io.MAX_BYTES + 1))
    assert command.main(["import", str(large)]) == 1
    assert "larger than" in capsys.readouterr().err
    assert _services(configured, "gent") == 9


def test_export_of_an_unknown_organisation_fails(
    configured: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command.main(["export", "--org", "nergens"]) == 1
    assert "Organisation 'nergens' does not exist." in capsys.readouterr().err


def test_schema_prints_the_committed_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert command.main(["schema"]) == 0
    assert capsys.readouterr().out == catalogue_io.schema_text()
