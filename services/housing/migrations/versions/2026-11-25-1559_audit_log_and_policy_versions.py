"""audit log and policy versions

Revision ID: 405afc8c2f65
Revises: 496f8fac4637
Create Date: 2026-11-25 15:59:18.016283
"""

from collections.abc import Sequence

from kit.migration_steps import audit_policy_v1

revision: str = "405afc8c2f65"
down_revision: str | Sequence[str] | None = "496f8fac4637"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    audit_policy_v1.upgrade()


def downgrade() -> None:
    audit_policy_v1.downgrade()
