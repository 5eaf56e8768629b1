"""facility units, sex policy, age range and address

Revision ID: e986ab553758
Revises: 405afc8c2f65
Create Date: 2026-12-02 03:39:04.205714
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import kit.db

revision: str = "e986ab553758"
down_revision: str | Sequence[str] | None = "405afc8c2f65"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("beds", sa.Integer(), nullable=False),
        sa.Column("letting", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("accessible", sa.Boolean(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_units_facility_id_facilities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
    )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_units_facility_id"), ["facility_id"], unique=False)

    # plain ALTERs, never a batch's copy of the table: on SQLite the copy would drop a table
    # that units and target groups reference; the new NOT NULL columns take a default there
    op.add_column(
        "facilities",
        sa.Column(
            "address",
            sqlmodel.sql.sqltypes.AutoString(length=300),
            nullable=False,
            server_default="(not given)",
        ),
    )
    op.add_column(
        "facilities",
        sa.Column(
            "sex_policy",
            sqlmodel.sql.sqltypes.AutoString(length=10),
            nullable=False,
            server_default="mixed",
        ),
    )
    op.add_column(
        "facilities", sa.Column("min_age", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("facilities", sa.Column("max_age", sa.Integer(), nullable=True))

    # a facility registered before units: its beds become one unit let by the bed, and "any"
    # sex is now "mixed"
    connection = op.get_bind()
    facilities = sa.table(
        "facilities",
        sa.column("id", sa.Uuid()),
        sa.column("capacity_beds", sa.Integer()),
        sa.column("accessible", sa.Boolean()),
        sa.column("created_by", sa.String()),
        sa.column("created_at", kit.db.UtcDateTime()),
        sa.column("sex", sa.String()),
        sa.column("sex_policy", sa.String()),
    )
    units = sa.table(
        "units",
        sa.column("id", sa.Uuid()),
        sa.column("version", sa.Integer()),
        sa.column("facility_id", sa.Uuid()),
        sa.column("label", sa.String()),
        sa.column("beds", sa.Integer()),
        sa.column("letting", sa.String()),
        sa.column("accessible", sa.Boolean()),
        sa.column("created_by", sa.String()),
        sa.column("created_at", kit.db.UtcDateTime()),
        sa.column("updated_at", kit.db.UtcDateTime()),
    )
    rows = connection.execute(sa.select(facilities)).all()
    if rows:
        connection.execute(
            units.insert(),
            [
                {
                    "id": uuid.uuid4(),
                    "version": 1,
                    "facility_id": row.id,
                    "label": "all beds",
                    "beds": row.capacity_beds,
                    "letting": "by_bed",
                    "accessible": row.accessible,
                    "created_by": row.created_by,
                    "created_at": row.created_at,
                    "updated_at": row.created_at,
                }
                for row in rows
            ],
        )
    connection.execute(
        facilities.update().values(
            sex_policy=sa.case((facilities.c.sex == "any", "mixed"), else_=facilities.c.sex)
        )
    )
    for column in ("capacity_beds", "sex"):
        op.execute(f"ALTER TABLE facilities DROP COLUMN {column}")
    if connection.dialect.name == "postgresql":
        for column in ("address", "sex_policy", "min_age"):
            op.alter_column("facilities", column, server_default=None)


def downgrade() -> None:
    op.add_column(
        "facilities",
        sa.Column("sex", sa.VARCHAR(length=10), nullable=False, server_default="any"),
    )
    op.add_column(
        "facilities",
        sa.Column("capacity_beds", sa.INTEGER(), nullable=False, server_default="0"),
    )
    op.execute(
        "UPDATE facilities SET sex = CASE sex_policy WHEN 'mixed' THEN 'any' WHEN 'family'"
        " THEN 'any' ELSE sex_policy END, capacity_beds = COALESCE((SELECT SUM(beds) FROM"
        " units WHERE units.facility_id = facilities.id), 0)"
    )
    for column in ("max_age", "min_age", "sex_policy", "address"):
        op.execute(f"ALTER TABLE facilities DROP COLUMN {column}")
    op.drop_index(op.f("ix_units_facility_id"), table_name="units")
    op.drop_table("units")
