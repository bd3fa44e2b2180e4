"""The migration history builds the schema the models describe, both ways."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, inspect, text

from tests.conftest import run_alembic


def test_upgrade_downgrade_upgrade_and_check(engine: Engine, database_url: str) -> None:
    run_alembic(database_url, "downgrade", "base")
    assert "appointment" not in inspect(engine).get_table_names()
    run_alembic(database_url, "upgrade", "head")
    assert {"appointment", "service", "topic", "openinghours"} <= set(
        inspect(engine).get_table_names()
    )
    run_alembic(database_url, "check")  # raises when models and migrations differ


def test_a_single_city_database_keeps_being_served_after_the_host_table_arrives(
    engine: Engine, database_url: str, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database at the revision before the host table, holding one city, is upgraded and
    then served as before: every allowed host is that city (no host rows needed)."""
    from sqlmodel import Session
    from starlette.testclient import TestClient

    from balie.api import api
    from balie.services import tenancy
    from balie.services.demo_data import load_demo_data
    from tests.conftest import _clear

    _clear(engine)
    run_alembic(database_url, "downgrade", "0006_oidc")
    try:
        assert "organisationhost" not in inspect(engine).get_table_names()
        # Only tables of the previous revision: the look (organisation settings) comes later.
        monkeypatch.setattr("balie.services.demo_data.give_demo_look", lambda *_: None)
        with Session(engine) as session:
            load_demo_data(session)
    finally:
        run_alembic(database_url, "upgrade", "head")
    try:
        tenancy.forget_hosts()
        assert tenancy.organisation_slug_for_host("localhost") == "gent"
        with TestClient(api, base_url="http://localhost") as client:
            services = client.get("/api/v1/services")
            assert services.status_code == 200
            assert "energiecentrale" in [item["slug"] for item in services.json()["services"]]
            assert client.get("/api/v1/services", headers={"host": "x.example"}).status_code == 404
    finally:
        _clear(engine)


def test_an_existing_organisation_gets_its_settings_with_the_defaults(
    engine: Engine, database_url: str
) -> None:
    run_alembic(database_url, "downgrade", "0006_oidc")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisation (slug, name, time_zone, holiday_country, created_at) "
                "VALUES ('gent', 'Stad Gent', 'Europe/Brussels', 'BE', CURRENT_TIMESTAMP)"
            )
        )
    try:
        run_alembic(database_url, "upgrade", "head")
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT display_name, brand_primary, mail_transport, meeting_provider, "
                    "languages, retention_days FROM organisationsettings"
                )
            ).one()
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM organisationsettings"))
            connection.execute(text("DELETE FROM organisation"))
    assert tuple(row[:4]) == ("Stad Gent", "#0b3d91", "relay", "platform")
    languages = json.loads(row[4]) if isinstance(row[4], str) else row[4]
    assert languages == ["nl", "en"]
    assert row[5] is None
