"""referral sla: first contact, SLA due dates, breaches raised

Revision ID: b7c3e9a1d2f4
Revises: 1f24ba70694e
Create Date: 2026-11-25 17:00:00

Existing referrals get their due dates backfilled here, under the ``intake.sla`` policy
version in force at their ``received_at`` (read from ``policy_versions``), or the built-in
defaults frozen below when none was.  The due columns are NOT NULL afterwards.

SQLite cannot add a NOT NULL column without a default, nor drop a default, without
rebuilding the table, and a batch rebuild of ``referrals`` would fail while ``screenings``
rows reference it (foreign keys are on).  So the columns are added with a placeholder server
default (1970-01-01) that the backfill overwrites; PostgreSQL then drops it, SQLite keeps it
(harmless: the service always sets both columns).  ``audit_log`` is not touched.
"""

from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op
from pydantic import TypeAdapter

import kit.db

revision: str = "b7c3e9a1d2f4"
down_revision: str | Sequence[str] | None = "1f24ba70694e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# DEFAULT_SLA_POLICY as of this revision (frozen: later changes to the code must not change
# what this migration computed): urgency → (first contact, hand-over) after received_at.
_DEFAULT_SLA = {
    "immediate": (timedelta(hours=2), timedelta(hours=24)),
    "high": (timedelta(hours=24), timedelta(hours=72)),
    "normal": (timedelta(hours=72), timedelta(days=10)),
}
_DURATION = TypeAdapter(timedelta)
_BATCH = 5000
_PLACEHOLDER = {"sqlite": "1970-01-01 00:00:00.000000", "postgresql": "1970-01-01 00:00:00+00"}

_referrals = sa.table(
    "referrals",
    sa.column("id", sa.Uuid()),
    sa.column("received_at", kit.db.UtcDateTime()),
    sa.column("urgency", sa.String()),
    sa.column("first_contact_due_at", kit.db.UtcDateTime()),
    sa.column("hand_over_due_at", kit.db.UtcDateTime()),
)
_policies = sa.table(
    "policy_versions",
    sa.column("policy", sa.String()),
    sa.column("version", sa.Integer()),
    sa.column("effective_from", kit.db.UtcDateTime()),
    sa.column("document", sa.JSON()),
)


def _sla_versions(
    bind: sa.Connection,
) -> tuple[list[datetime], list[dict[str, tuple[timedelta, timedelta]]]]:
    """The recorded ``intake.sla`` versions, by effective_from then version (latest last)."""
    rows = bind.execute(
        sa.select(_policies.c.effective_from, _policies.c.document)
        .where(_policies.c.policy == "intake.sla")
        .order_by(_policies.c.effective_from, _policies.c.version)
    ).all()
    starts: list[datetime] = []
    documents: list[dict[str, tuple[timedelta, timedelta]]] = []
    for effective_from, document in rows:
        deadlines: dict[str, Any] = document["deadlines"]
        starts.append(effective_from)
        documents.append(
            {
                urgency: (
                    _DURATION.validate_python(sla["first_contact"]),
                    _DURATION.validate_python(sla["hand_over"]),
                )
                for urgency, sla in deadlines.items()
            }
        )
    return starts, documents


def _backfill(bind: sa.Connection) -> None:
    starts, documents = _sla_versions(bind)
    update = (
        _referrals.update()
        .where(_referrals.c.id == sa.bindparam("rid"))
        .values(first_contact_due_at=sa.bindparam("fc"), hand_over_due_at=sa.bindparam("ho"))
    )
    after = None
    while True:
        query = sa.select(_referrals.c.id, _referrals.c.received_at, _referrals.c.urgency)
        if after is not None:
            query = query.where(_referrals.c.id > after)
        rows = bind.execute(query.order_by(_referrals.c.id).limit(_BATCH)).all()
        if not rows:
            return
        changes = []
        for referral_id, received_at, urgency in rows:
            in_force = bisect_right(starts, received_at)  # versions with effective_from <= it
            sla = documents[in_force - 1] if in_force else _DEFAULT_SLA
            first_contact, hand_over = sla[urgency]
            changes.append(
                {
                    "rid": referral_id,
                    "fc": received_at + first_contact,
                    "ho": received_at + hand_over,
                }
            )
        bind.execute(update, changes)
        after = rows[-1][0]


def upgrade() -> None:
    bind = op.get_bind()
    placeholder = _PLACEHOLDER[bind.dialect.name]
    op.create_table(
        "sla_breaches",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("raised_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_sla_breaches_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("referral_id", "kind", name=op.f("pk_sla_breaches")),
    )
    # only add_column and create_index: no table rebuild on SQLite (see the module docstring)
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_contact_at", kit.db.UtcDateTime(timezone=True), nullable=True)
        )
        for name in ("first_contact_due_at", "hand_over_due_at"):
            batch_op.add_column(
                sa.Column(
                    name,
                    kit.db.UtcDateTime(timezone=True),
                    nullable=False,
                    server_default=placeholder,
                )
            )
        batch_op.create_index(
            batch_op.f("ix_referrals_first_contact_due_at"), ["first_contact_due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referrals_hand_over_due_at"), ["hand_over_due_at"], unique=False
        )

    _backfill(bind)
    if bind.dialect.name == "postgresql":
        for name in ("first_contact_due_at", "hand_over_due_at"):
            op.alter_column("referrals", name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_hand_over_due_at"))
        batch_op.drop_index(batch_op.f("ix_referrals_first_contact_due_at"))
    # plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35), not a batch rebuild of referrals
    for name in ("hand_over_due_at", "first_contact_due_at", "first_contact_at"):
        op.drop_column("referrals", name)
    op.drop_table("sla_breaches")
