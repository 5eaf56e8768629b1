"""Referral flags: what the first responder must know at once

Revision ID: 5509a27994fc
Revises: d9e1f3a5b7c2
Create Date: 2026-11-25 17:57:48.627195
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5509a27994fc"
down_revision: str | Sequence[str] | None = "d9e1f3a5b7c2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN (existing referrals get no flags), no batch rebuild
    op.add_column("referrals", sa.Column("flags", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    # plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35), not a batch rebuild of referrals
    op.drop_column("referrals", "flags")
