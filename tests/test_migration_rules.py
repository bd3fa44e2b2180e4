"""Zero-downtime rule: from MARKER on, a migration only expands the schema.

During a rolling deploy the previous release's instances run against the new schema. That
works when every migration after MARKER keeps every table and column, keeps their types, and
adds only new tables or columns that are nullable or have a server default (the previous
release does not know them, so its INSERTs leave them out). Removing or renaming things is a
later "contract" release, once no instance of the old code runs. See README, Production.
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from tests.conftest import PROJECT_ROOT, run_alembic

# The last revision before the rule; a contract release moves the marker to its own head,
# after the README's checklist.
MARKER = "0004"


def schema(url: str) -> dict[str, dict[str, dict]]:
    """Table -> column -> (type, nullable, default) of the database at ``url``."""
    engine = create_engine(url)
    found = {}
    with engine.connect() as connection:
        inspector = inspect(connection)
        for table in inspector.get_table_names():
            if table == "alembic_version":
                continue
            found[table] = {
                column["name"]: {
                    "type": str(column["type"]),
                    "nullable": column["nullable"],
                    "default": column.get("default"),
                }
                for column in inspector.get_columns(table)
            }
    engine.dispose()
    return found


def expansion_problems(before: dict, after: dict) -> list[str]:
    """What in ``after`` would break code written for ``before``."""
    problems = []
    for table, columns in before.items():
        if table not in after:
            problems.append(f"table {table} was dropped or renamed")
            continue
        for name, column in columns.items():
            new = after[table].get(name)
            if new is None:
                problems.append(f"column {table}.{name} was dropped or renamed")
            elif new["type"] != column["type"]:
                problems.append(f"column {table}.{name} changed type")
            elif column["nullable"] and not new["nullable"]:
                problems.append(f"column {table}.{name} became NOT NULL")
        for name, new in after[table].items():
            if name not in columns and not new["nullable"] and new["default"] is None:
                problems.append(f"new column {table}.{name} is NOT NULL without a default")
    return problems


def test_the_rule_catches_a_contracting_change() -> None:
    before = {
        "job": {
            "id": {"type": "INTEGER", "nullable": False, "default": None},
            "kind": {"type": "VARCHAR(40)", "nullable": False, "default": None},
        }
    }
    after = {
        "job": {
            "id": {"type": "INTEGER", "nullable": False, "default": None},
            "owner": {"type": "TEXT", "nullable": False, "default": None},
        }
    }
    assert expansion_problems(before, after) == [
        "column job.kind was dropped or renamed",
        "new column job.owner is NOT NULL without a default",
    ]


def test_migrations_after_the_marker_only_expand_the_schema(tmp_path: Path) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    assert ScriptDirectory.from_config(config).get_revision(MARKER) is not None
    url = f"sqlite:///{tmp_path / 'rules.db'}"
    run_alembic(url, "upgrade", MARKER)
    previous = schema(url)
    run_alembic(url, "upgrade", "head")
    assert expansion_problems(previous, schema(url)) == []
