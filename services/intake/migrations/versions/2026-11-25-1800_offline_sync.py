"""Offline sync: the kept result of each uploaded item, and the conflicts queued for operators

Revision ID: d9e1f3a5b7c2
Revises: c4d8f2a6e1b3
Create Date: 2026-11-25 16:55:42.729650
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import kit.db

revision: str = "d9e1f3a5b7c2"
down_revision: str | Sequence[str] | None = "c4d8f2a6e1b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_items",
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=True),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("received_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("received_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner", "client_id", name=op.f("pk_sync_items")),
    )
    with op.batch_alter_table("sync_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_items_device_id"), ["device_id"], unique=False)

    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("device_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=False),
        sa.Column("conflicting_fields", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("resolution", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("resolved_at", kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_sync_conflicts_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflicts")),
    )
    with op.batch_alter_table("sync_conflicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sync_conflicts_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sync_conflicts_organisation"), ["organisation"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sync_conflicts_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sync_conflicts_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sync_conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_conflicts_status"))
        batch_op.drop_index(batch_op.f("ix_sync_conflicts_person_id"))
        batch_op.drop_index(batch_op.f("ix_sync_conflicts_organisation"))
        batch_op.drop_index(batch_op.f("ix_sync_conflicts_created_at"))

    op.drop_table("sync_conflicts")
    with op.batch_alter_table("sync_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_items_device_id"))

    op.drop_table("sync_items")
