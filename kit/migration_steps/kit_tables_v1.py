"""The kit's first tables, version 1: idempotency keys, inbox and outbox."""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

import kit.db


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("owner", AutoString(length=255), nullable=False),
        sa.Column("key", AutoString(length=255), nullable=False),
        sa.Column("method", AutoString(length=16), nullable=False),
        sa.Column("path", AutoString(length=2048), nullable=False),
        sa.Column("fingerprint", AutoString(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("response_headers", sa.JSON(), nullable=False),
        sa.Column("created_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner", "key", name=op.f("pk_idempotency_keys")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "inbox",
        sa.Column("consumer", AutoString(length=100), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", AutoString(length=200), nullable=False),
        sa.Column("processed_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_inbox")),
    )
    op.create_table(
        "outbox",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", AutoString(length=200), nullable=False),
        sa.Column("key", AutoString(length=200), nullable=False),
        sa.Column("event_type", AutoString(length=200), nullable=False),
        sa.Column("headers", sa.LargeBinary(), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("published_at", kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_unpublished", ["published_at", "position"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unpublished")

    op.drop_table("outbox")
    op.drop_table("inbox")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_created_at"))

    op.drop_table("idempotency_keys")
