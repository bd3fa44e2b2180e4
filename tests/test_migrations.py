"""The migration history builds the schema the models describe, both ways."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

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
    engine: Engine, database_url: str, app_database: Engine
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
        with Session(engine) as session:
            load_demo_data(session)  # only tables of the previous revision
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
