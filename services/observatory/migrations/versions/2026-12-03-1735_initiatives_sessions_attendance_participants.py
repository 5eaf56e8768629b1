"""initiatives, sessions, attendance, participants

The initiatives' read model: each initiative's status and each session as their latest
versions say, a session's attendance totals, and the participant keys checked in at it
(one-way digests of person references, for distinct counts only). Empty until the events are
consumed, or replayed by a rebuild.

Revision ID: fdf5fe79947d
Revises: ab606c2a1646
Create Date: 2026-12-03 17:35:14.973283
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import kit.db

revision: str = "fdf5fe79947d"
down_revision: str | Sequence[str] | None = "ab606c2a1646"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "initiative_facts",
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.PrimaryKeyConstraint("initiative_id", name=op.f("pk_initiative_facts")),
    )
    op.create_table(
        "participations",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("participant", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "participant", name=op.f("pk_participations")),
    )
    op.create_table(
        "session_attendance",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("checked_in", sa.Integer(), nullable=False),
        sa.Column("walk_ins", sa.Integer(), nullable=False),
        sa.Column("recorded_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_attendance")),
    )
    op.create_table(
        "session_facts",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("municipio", sa.Integer(), nullable=False),
        sa.Column("starts_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_facts")),
    )
    with op.batch_alter_table("session_facts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_facts_municipio"), ["municipio"], unique=False)
        batch_op.create_index(batch_op.f("ix_session_facts_starts_at"), ["starts_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("session_facts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_facts_starts_at"))
        batch_op.drop_index(batch_op.f("ix_session_facts_municipio"))

    op.drop_table("session_facts")
    op.drop_table("session_attendance")
    op.drop_table("participations")
    op.drop_table("initiative_facts")
