"""audit log and policy versions

Revision ID: f1f90849030c
Revises: dbf3faa3b0b2
Create Date: 2026-11-25 15:59:13.815165
"""

from collections.abc import Sequence

from kit.migration_steps import audit_policy_v1

revision: str = "f1f90849030c"
down_revision: str | Sequence[str] | None = "dbf3faa3b0b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    audit_policy_v1.upgrade()


def downgrade() -> None:
    audit_policy_v1.downgrade()
