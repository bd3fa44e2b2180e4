"""The migration history builds the schema the models describe, both ways."""

from __future__ import annotations

import json

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
