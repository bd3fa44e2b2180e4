"""idempotency request hash, hashed keys, mail suppression

Revision ID: 0005_h3
Revises: 0004
Create Date: 2026-12-04 05:00:00

Existing idempotency keys are replaced by their SHA-256 (scoped to the organisation). The body
of those old requests is unknown, so their request hash stays NULL: within 24 hours of the
booking the same key is refused (422), never replayed; after that it is free again.
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import balie.db_types

revision: str = "0005_h3"
down_revision: str | None = "0005_h6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _hash_keys() -> None:
    """Replace each stored key by sha256('<organisation id>:<key>')."""
    appointment = sa.table(
        "appointment",
        sa.column("id", sa.Integer),
        sa.column("organisation_id", sa.Integer),
        sa.column("idempotency_key", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            appointment.c.id, appointment.c.organisation_id, appointment.c.idempotency_key
        ).where(appointment.c.idempotency_key.is_not(None))
    ).all()
    for row_id, organisation_id, key in rows:
        hashed = hashlib.sha256(f"{organisation_id}:{key}".encode()).hexdigest()
        connection.execute(
            sa.update(appointment).where(appointment.c.id == row_id).values(idempotency_key=hashed)
        )


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "mailsuppression",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", balie.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("address_hash"),
    )
    # Plain ADD COLUMN, not batch mode: a batch rebuild of appointment on SQLite would drop the
    # triggers that refuse overlapping appointments.
    op.add_column(
        "appointment",
        sa.Column("idempotency_request_hash", sa.String(length=64), nullable=True),
    )
    _hash_keys()


def downgrade() -> None:
    """Revert this revision (the hashed keys stay hashed: the originals are gone)."""
    op.drop_column("appointment", "idempotency_request_hash")
    op.drop_table("mailsuppression")
