"""audit log and policy versions

Revision ID: 30b1ab46ed6f
Revises: c172e64283d8
Create Date: 2026-11-25 15:59:23.087836
"""

from collections.abc import Sequence

from kit.migration_steps import audit_policy_v1

revision: str = "30b1ab46ed6f"
down_revision: str | Sequence[str] | None = "c172e64283d8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    audit_policy_v1.upgrade()


def downgrade() -> None:
    audit_policy_v1.downgrade()
