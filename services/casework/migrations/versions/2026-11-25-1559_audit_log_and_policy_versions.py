"""audit log and policy versions

Revision ID: c4fb630e0537
Revises: 144b8c320b40
Create Date: 2026-11-25 15:59:15.978018
"""

from collections.abc import Sequence

from kit.migration_steps import audit_policy_v1

revision: str = "c4fb630e0537"
down_revision: str | Sequence[str] | None = "144b8c320b40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    audit_policy_v1.upgrade()


def downgrade() -> None:
    audit_policy_v1.downgrade()
