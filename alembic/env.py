"""Alembic environment: migrates the database named by BALIE_DATABASE_URL."""

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import balie.models  # noqa: F401 - registers the tables
from balie.db import make_engine
from balie.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
target_metadata = SQLModel.metadata


def _url() -> str:
    """The database to migrate: ``-x url=…`` wins over the settings."""
    return context.get_x_argument(as_dictionary=True).get("url") or get_settings().database_url


def _options() -> dict:
    """Options shared by offline and online runs."""
    return {
        "target_metadata": target_metadata,
        "render_as_batch": True,
        "compare_type": True,
        "user_module_prefix": "balie.db_types.",
    }


def run_migrations_offline() -> None:
    """Write SQL instead of running it."""
    context.configure(url=_url(), literal_binds=True, **_options())
    with context.begin_transaction():
        context.run_migrations()


# Several instances may start at once: on PostgreSQL the first takes this lock for its
# migration transaction, the others wait and then find nothing left to do.
MIGRATION_LOCK_KEY = 0x62616C6965  # "balie"


def _migrate(connection) -> None:
    """Run the migrations in one transaction, under the migration lock on PostgreSQL."""
    context.configure(connection=connection, **_options())
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations against the database."""
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _migrate(connectable)
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        _migrate(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
