"""audit log and policy versions

Revision ID: 2fb2cc950b78
Revises: d0315c90d4c8
Create Date: 2026-11-25 15:59:20.468251
"""

from collections.abc import Sequence

from kit.migration_steps import audit_policy_v1

revision: str = "2fb2cc950b78"
down_revision: str | Sequence[str] | None = "d0315c90d4c8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    audit_policy_v1.upgrade()


def downgrade() -> None:
    audit_policy_v1.downgrade()
