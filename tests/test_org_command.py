"""The organisation command: ``python -m balie.org create|list``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from balie import org as command
from balie import staff as staff_command
from balie.models import AuditEntry, Organisation, OrganisationSettings, StaffMember
from balie.services import catalogue_io
from tests import test_catalogue_command as catalogue_tests

configured = catalogue_tests.configured  # the demo data and the app's settings: one fixture
_services = catalogue_tests._services

CREATE = [
    "create",
    "--slug",
    "aalst",
    "--name",
    "Stad Aalst",
    "--host",
    "Videoloket.Aalst.be",
    "--admin-email",
    "ict@aalst.be",
]


def _aalst(session: Session) -> Organisation:
    """The organisation the command made."""
    session.expire_all()
    return session.exec(select(Organisation).where(Organisation.slug == "aalst")).one()


def test_create_from_ghents_catalogue(
    configured: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command.main([*CREATE, "--catalogue-from", "gent"]) == 0
    out = capsys.readouterr().out
    assert "Created organisation aalst (Stad Aalst) at videoloket.aalst.be." in out
    assert "set-password --org aalst --email ict@aalst.be" in out
    aalst = _aalst(configured)
    assert _services(configured, "aalst") == _services(configured, "gent") > 0
    admin = configured.exec(select(StaffMember).where(StaffMember.organisation_id == aalst.id))
    assert [(m.email, m.roles, m.password_hash) for m in admin] == [
        ("ict@aalst.be", ["admin"], None)
    ]
    row = configured.exec(
        select(OrganisationSettings).where(OrganisationSettings.organisation_id == aalst.id)
    ).one()
    assert row.display_name == "Stad Aalst"
    actions = configured.exec(
        select(AuditEntry.action).where(AuditEntry.organisation_id == aalst.id)
    ).all()
    assert set(actions) == {"organisation.created", "catalogue_import"}
    assert "aalst\tStad Aalst" in (command.main(["list"]), capsys.readouterr().out)[1]


def test_create_from_a_file_and_give_the_admin_a_password(
    configured: Session,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gent = configured.exec(select(Organisation).where(Organisation.slug == "gent")).one()
    document = catalogue_io.export(configured, gent)
    document["services"] = document["services"][:1]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert command.main([*CREATE, "--catalogue", str(path)]) == 0
    assert "Catalogue: 1 services" in capsys.readouterr().out
    assert _services(configured, "aalst") == 1

    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("een-lang-wachtwoord-2026\n"))
    argv = ["set-password", "--org", "aalst", "--email", "ict@aalst.be", "--password-stdin"]
    assert staff_command.main(argv) == 0
    configured.expire_all()
    admin = configured.exec(select(StaffMember).where(StaffMember.email == "ict@aalst.be")).one()
    assert admin.password_hash


def test_without_a_catalogue_the_organisation_starts_empty(
    configured: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command.main(CREATE) == 0
    assert _aalst(configured).time_zone == "Europe/Brussels"
    assert _services(configured, "aalst") == 0


def test_a_bad_catalogue_leaves_nothing_behind(
    configured: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "something-else"}), encoding="utf-8")
    assert command.main([*CREATE, "--catalogue", str(path)]) == 1
    assert "nothing was created" in capsys.readouterr().err
    configured.expire_all()
    assert configured.exec(select(Organisation).where(Organisation.slug == "aalst")).first() is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--slug", "Aalst Stad"], "--slug"),
        (["--slug", "gent"], "admin_error_slug_taken"),
        (["--host", "not a host"], "--host"),
        (["--admin-email", "nobody"], "--admin-email"),
        (["--catalogue-from", "nowhere"], "'nowhere' does not exist"),
    ],
)
def test_refused_input_is_named(
    configured: Session, capsys: pytest.CaptureFixture[str], change: list[str], message: str
) -> None:
    argv = list(CREATE)
    if change[0] in argv:
        argv[argv.index(change[0]) + 1] = change[1]
    else:
        argv += change
    assert command.main(argv) == 1
    assert message in capsys.readouterr().err
    configured.expire_all()
    assert configured.exec(select(Organisation).where(Organisation.slug == "aalst")).first() is None
