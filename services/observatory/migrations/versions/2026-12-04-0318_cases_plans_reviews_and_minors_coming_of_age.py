"""cases, first plans' approvals, reviews, minors coming of age and caseloads

The casework indicators' read model: every case is kept now (a case opened by a case worker
has no referral, so ``referral_id`` and ``referral_received_at`` become optional), with the
month it opened; the first plans' approvals, the reviews recorded and their breaches, and the
minors' cases reaching the month of 18 get tables of their own, and so do the cases'
standings (open or closed, whose, from when) the caseload is counted from. Cases opened
without a referral before this revision, and the new tables, fill from the cases' topic on a
rebuild (``python -m services.observatory rebuild``).

Revision ID: cd312b4fea35
Revises: 86acd785e608
Create Date: 2026-12-04 03:18:01.523248
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import kit.db

revision: str = "cd312b4fea35"
down_revision: str | Sequence[str] | None = "86acd785e608"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coming_of_age_facts",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("municipio", sa.Integer(), nullable=False),
        sa.Column("target_group", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("with_plan", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_coming_of_age_facts")),
    )
    with op.batch_alter_table("coming_of_age_facts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coming_of_age_facts_raised_on"), ["raised_on"], unique=False
        )

    op.create_table(
        "first_plan_approvals",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("approved_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_first_plan_approvals")),
    )
    op.create_table(
        "review_breaches",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "cycle", name=op.f("pk_review_breaches")),
    )
    op.create_table(
        "review_facts",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("municipio", sa.Integer(), nullable=False),
        sa.Column("target_group", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "cycle", name=op.f("pk_review_facts")),
    )
    with op.batch_alter_table("review_facts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_facts_reviewed_at"), ["reviewed_at"], unique=False
        )

    with op.batch_alter_table("case_facts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("opened_month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True)
        )
        batch_op.alter_column("referral_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.alter_column(
            "referral_received_at", existing_type=kit.db.UtcDateTime(timezone=True), nullable=True
        )
        batch_op.create_index(batch_op.f("ix_case_facts_opened_at"), ["opened_at"], unique=False)

    op.create_table(
        "case_standings",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("since", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column(
            "lead_organisation", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False
        ),
        sa.Column("municipio", sa.Integer(), nullable=False),
        sa.Column("target_group", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "since", name=op.f("pk_case_standings")),
    )
    with op.batch_alter_table("case_standings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_standings_since"), ["since"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_standings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_standings_since"))

    op.drop_table("case_standings")
    with op.batch_alter_table("case_facts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_facts_opened_at"))
        batch_op.alter_column(
            "referral_received_at", existing_type=kit.db.UtcDateTime(timezone=True), nullable=False
        )
        batch_op.alter_column("referral_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("opened_month")

    with op.batch_alter_table("review_facts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_facts_reviewed_at"))

    op.drop_table("review_facts")
    op.drop_table("review_breaches")
    op.drop_table("first_plan_approvals")
    with op.batch_alter_table("coming_of_age_facts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coming_of_age_facts_raised_on"))

    op.drop_table("coming_of_age_facts")
