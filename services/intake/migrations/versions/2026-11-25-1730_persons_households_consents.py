"""Persons, households, consents, duplicate reviews and merges

Revision ID: c4d8f2a6e1b3
Revises: b7c3e9a1d2f4
Create Date: 2026-11-25 16:42:53.690127
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import kit.db

revision: str = "c4d8f2a6e1b3"
down_revision: str | Sequence[str] | None = "b7c3e9a1d2f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "households",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "registered_by_organisation",
            sqlmodel.sql.sqltypes.AutoString(length=100),
            nullable=False,
        ),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_households_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_households_registered_by_organisation"),
            ["registered_by_organisation"],
            unique=False,
        )

    op.create_table(
        "person_blocking_keys",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("birth_year", sa.SmallInteger(), nullable=True),
        sa.PrimaryKeyConstraint(
            "key",
            "person_id",
            name=op.f("pk_person_blocking_keys"),
            postgresql_include=["birth_year"],
        ),
    )
    with op.batch_alter_table("person_blocking_keys", schema=None) as batch_op:
        batch_op.create_index("ix_person_blocking_keys_person_id", ["person_id"], unique=False)

    op.create_table(
        "persons",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("merged_into", sa.Uuid(), nullable=True),
        sa.Column("given_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("family_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("alternative_names", sa.JSON(), nullable=False),
        sa.Column("sex", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("birth_date_estimated", sa.Boolean(), nullable=False),
        sa.Column("nationality", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column(
            "registered_by_organisation",
            sqlmodel.sql.sqltypes.AutoString(length=100),
            nullable=False,
        ),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("erased_at", kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("erased_age_band", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persons_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_persons_merged_into"), ["merged_into"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_persons_registered_by_organisation"),
            ["registered_by_organisation"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_persons_status"), ["status"], unique=False)

    op.create_table(
        "consents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("legal_basis", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("given_by", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("given_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column(
            "recorded_by_organisation", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False
        ),
        sa.Column("recorded_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("withdrawal_recorded_at", kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_consents_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consents_person_id"), ["person_id"], unique=False)

    op.create_table(
        "duplicate_candidates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("found_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "found_by_organisation", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False
        ),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column(
            "decided_by_organisation", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True
        ),
        sa.Column("decided_at", kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["persons.id"],
            name=op.f("fk_duplicate_candidates_candidate_id_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_duplicate_candidates_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_candidates")),
        sa.UniqueConstraint(
            "person_id", "candidate_id", name=op.f("uq_duplicate_candidates_person_id_candidate_id")
        ),
    )
    with op.batch_alter_table("duplicate_candidates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_duplicate_candidates_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_duplicate_candidates_found_at"), ["found_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_duplicate_candidates_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_duplicate_candidates_status"), ["status"], unique=False
        )

    op.create_table(
        "household_members",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("relation", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_members_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_household_members_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("household_id", "person_id", name=op.f("pk_household_members")),
    )
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.create_index("ix_household_members_person_id", ["person_id"], unique=False)

    op.create_table(
        "person_revisions",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_fields", sa.JSON(), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("changed_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_revisions_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("person_id", "version", name=op.f("pk_person_revisions")),
    )
    op.create_table(
        "referral_persons",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_referral_persons_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_persons_referral_id_referrals"),
        ),
        sa.PrimaryKeyConstraint("referral_id", "person_id", name=op.f("pk_referral_persons")),
    )
    with op.batch_alter_table("referral_persons", schema=None) as batch_op:
        batch_op.create_index("ix_referral_persons_person_id", ["person_id"], unique=False)

    op.create_table(
        "person_merges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("survivor_id", sa.Uuid(), nullable=False),
        sa.Column("merged_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=True),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("merged_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column(
            "merged_by_organisation", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False
        ),
        sa.Column("merged_at", kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("split_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("split_at", kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["duplicate_candidates.id"],
            name=op.f("fk_person_merges_candidate_id_duplicate_candidates"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_id"], ["persons.id"], name=op.f("fk_person_merges_merged_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["survivor_id"], ["persons.id"], name=op.f("fk_person_merges_survivor_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_merges")),
    )
    with op.batch_alter_table("person_merges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_merges_merged_id"), ["merged_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_person_merges_survivor_id"), ["survivor_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("person_merges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_merges_survivor_id"))
        batch_op.drop_index(batch_op.f("ix_person_merges_merged_id"))

    op.drop_table("person_merges")
    with op.batch_alter_table("referral_persons", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_persons_person_id")

    op.drop_table("referral_persons")
    op.drop_table("person_revisions")
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.drop_index("ix_household_members_person_id")

    op.drop_table("household_members")
    with op.batch_alter_table("duplicate_candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duplicate_candidates_status"))
        batch_op.drop_index(batch_op.f("ix_duplicate_candidates_person_id"))
        batch_op.drop_index(batch_op.f("ix_duplicate_candidates_found_at"))
        batch_op.drop_index(batch_op.f("ix_duplicate_candidates_candidate_id"))

    op.drop_table("duplicate_candidates")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_person_id"))

    op.drop_table("consents")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_status"))
        batch_op.drop_index(batch_op.f("ix_persons_registered_by_organisation"))
        batch_op.drop_index(batch_op.f("ix_persons_merged_into"))
        batch_op.drop_index(batch_op.f("ix_persons_created_at"))

    op.drop_table("persons")
    with op.batch_alter_table("person_blocking_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_person_blocking_keys_person_id")

    op.drop_table("person_blocking_keys")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_households_registered_by_organisation"))
        batch_op.drop_index(batch_op.f("ix_households_created_at"))

    op.drop_table("households")
