"""citizen identification: sign-ins, the topic's level, the verified identity of a booking

Revision ID: 0006_oidc
Revises: 0005_h7
Create Date: 2026-12-04 07:24:52.795081
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import balie.db_types

revision: str = "0006_oidc"
down_revision: str | None = "0006_docs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IDENTITY_COLUMNS = (
    ("identity_level", sa.String(length=16)),
    ("identity_method", sa.String(length=40)),
    ("identity_verified_at", balie.db_types.UTCDateTime(timezone=True)),
    ("identity_name", sa.String(length=200)),
    ("identity_birth_date", sa.String(length=10)),
    ("identity_number_hash", sa.String(length=64)),
    ("identity_number", sa.String(length=16)),
    ("identity_confirmed_at", balie.db_types.UTCDateTime(timezone=True)),
    ("identity_confirmed_by", sa.Integer()),
)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "citizensignin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cookie_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=128), nullable=True),
        sa.Column("nonce", sa.String(length=128), nullable=True),
        sa.Column("code_verifier", sa.String(length=128), nullable=True),
        sa.Column("required_level", sa.String(length=16), nullable=False),
        sa.Column("return_path", sa.String(length=500), nullable=False),
        sa.Column("created_at", balie.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", balie.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("verified_at", balie.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("method", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("birth_date", sa.String(length=10), nullable=True),
        sa.Column("number_hash", sa.String(length=64), nullable=True),
        sa.Column("number", sa.String(length=16), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cookie_hash"),
    )
    op.create_index("ix_citizensignin_expires_at", "citizensignin", ["expires_at"], unique=False)
    # Plain ADD COLUMN (no batch copy): on SQLite a table copy would drop the overlap
    # triggers that refuse overlapping appointments.
    for name, column_type in IDENTITY_COLUMNS:
        op.add_column("appointment", sa.Column(name, column_type, nullable=True))
    op.add_column(
        "topic",
        sa.Column(
            "identification_level", sa.String(length=16), nullable=False, server_default="none"
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("topic", schema=None) as batch_op:
        batch_op.drop_column("identification_level")
    for name, _type in reversed(IDENTITY_COLUMNS):
        op.drop_column("appointment", name)
    op.drop_index("ix_citizensignin_expires_at", table_name="citizensignin")
    op.drop_table("citizensignin")
