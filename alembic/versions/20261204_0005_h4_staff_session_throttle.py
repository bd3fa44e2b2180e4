"""staff session idle time, sign-in attempts per address and network

Revision ID: 0005_h4
Revises: 0004
Create Date: 2026-12-04 05:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import balie.db_types

revision: str = "0005_h4"
down_revision: str | None = "0005_h3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("staffsession") as batch:
        batch.add_column(
            sa.Column("last_seen_at", balie.db_types.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("signinattempt") as batch:
        batch.add_column(
            sa.Column("network", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("throttled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index("ix_signinattempt_client_ip_at", "signinattempt", ["client_ip", "at"])
    op.create_index("ix_signinattempt_network_at", "signinattempt", ["network", "at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_signinattempt_network_at", table_name="signinattempt")
    op.drop_index("ix_signinattempt_client_ip_at", table_name="signinattempt")
    with op.batch_alter_table("signinattempt") as batch:
        batch.drop_column("throttled")
        batch.drop_column("network")
    with op.batch_alter_table("staffsession") as batch:
        batch.drop_column("last_seen_at")
