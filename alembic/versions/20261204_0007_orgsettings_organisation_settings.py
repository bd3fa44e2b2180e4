"""organisation settings: look, mail sender, meetings and privacy per organisation

Revision ID: 0007_orgsettings
Revises: 0006_oidc
Create Date: 2026-12-04 10:30:00

Every existing organisation gets its row with the platform's defaults (its own name as display
name), so a single-city database keeps working unchanged.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import balie.db_types

revision: str = "0007_orgsettings"
down_revision: str | None = "0007_orgcore_hosts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "organisationsettings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=32), nullable=False),
        sa.Column("brand_primary", sa.String(length=7), nullable=False),
        sa.Column("brand_secondary", sa.String(length=7), nullable=False),
        sa.Column("languages", sa.JSON(), server_default='["nl", "en"]', nullable=False),
        sa.Column("privacy_contact", sa.String(length=254), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("mail_from_address", sa.String(length=254), nullable=False),
        sa.Column("mail_from_name", sa.String(length=120), nullable=False),
        sa.Column("mail_transport", sa.String(length=16), nullable=False),
        sa.Column("smtp_host", sa.String(length=253), nullable=False),
        sa.Column("smtp_port", sa.Integer(), nullable=False),
        sa.Column("smtp_username", sa.String(length=254), nullable=False),
        sa.Column("smtp_password_sealed", sa.String(length=1000), nullable=False),
        sa.Column("meeting_provider", sa.String(length=16), nullable=False),
        sa.Column("jitsi_server_url", sa.String(length=500), nullable=False),
        sa.Column("entra_tenant_id", sa.String(length=64), nullable=False),
        sa.Column("entra_client_id", sa.String(length=64), nullable=False),
        sa.Column("entra_client_secret_sealed", sa.String(length=1000), nullable=False),
        sa.Column("updated_at", balie.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_organisationsettings_organisation_id",
        "organisationsettings",
        ["organisation_id"],
        unique=True,
    )
    op.execute(
        "INSERT INTO organisationsettings (organisation_id, display_name, logo_type, "
        "brand_primary, brand_secondary, languages, privacy_contact, mail_from_address, "
        "mail_from_name, mail_transport, smtp_host, smtp_port, smtp_username, "
        "smtp_password_sealed, meeting_provider, jitsi_server_url, entra_tenant_id, "
        "entra_client_id, entra_client_secret_sealed, updated_at) "
        "SELECT id, name, '', '#0b3d91', '#eef3fb', '[\"nl\", \"en\"]', '', '', '', 'relay', "
        "'', 587, '', '', 'platform', '', '', '', '', CURRENT_TIMESTAMP FROM organisation"
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_organisationsettings_organisation_id", table_name="organisationsettings")
    op.drop_table("organisationsettings")
