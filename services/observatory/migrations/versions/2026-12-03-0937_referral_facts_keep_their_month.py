"""referral facts keep their month

The month a referral was received, in the city's calendar (Europe/Rome), as ``YYYY-MM``: the
breakdown ``by=month`` groups by it, the same on SQLite and PostgreSQL. Rows already there
get it from their ``received_at``.

Revision ID: de90ff2b5370
Revises: 30b1ab46ed6f
Create Date: 2026-12-03 09:37:16.371424
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from kit.db import CITY_ZONE, UtcDateTime

revision: str = "de90ff2b5370"
down_revision: str | Sequence[str] | None = "30b1ab46ed6f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_facts = sa.table(
    "referral_facts",
    sa.column("referral_id", sa.Uuid()),
    sa.column("received_at", UtcDateTime()),
    sa.column("received_month", sa.String(7)),
)


def upgrade() -> None:
    with op.batch_alter_table("referral_facts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("received_month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True)
        )
    connection = op.get_bind()
    rows = connection.execute(sa.select(_facts.c.referral_id, _facts.c.received_at)).all()
    for referral_id, received_at in rows:
        connection.execute(
            _facts.update()
            .where(_facts.c.referral_id == referral_id)
            .values(received_month=received_at.astimezone(CITY_ZONE).strftime("%Y-%m"))
        )


def downgrade() -> None:
    with op.batch_alter_table("referral_facts", schema=None) as batch_op:
        batch_op.drop_column("received_month")
