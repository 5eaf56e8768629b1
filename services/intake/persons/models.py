"""The person registry's tables (private to intake)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, PrimaryKeyConstraint, SmallInteger
from sqlmodel import Field

from kit.db import UtcDateTime
from services.intake.tables import IntakeTable, VersionedTable


class Person(VersionedTable, table=True):
    """One person as intake knows them. ``id`` is the pseudonymous reference events carry."""

    __tablename__ = "persons"

    status: str = Field(max_length=20, index=True)
    merged_into: uuid.UUID | None = Field(default=None, index=True)
    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    alternative_names: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    sex: str | None = Field(default=None, max_length=10)
    birth_date: date | None = None
    birth_date_estimated: bool = False
    nationality: str | None = Field(default=None, max_length=2)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    documents: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    contacts: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    registered_by_organisation: str = Field(max_length=100, index=True)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    erased_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    erased_age_band: str | None = Field(default=None, max_length=10)


class PersonRevision(IntakeTable, table=True):
    """Which fields each version changed (names of fields, never values): it tells an offline
    edit made from an older version whether it would overwrite someone else's change."""

    __tablename__ = "person_revisions"

    person_id: uuid.UUID = Field(foreign_key="persons.id", primary_key=True)
    version: int = Field(primary_key=True)
    changed_fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    changed_by: str = Field(max_length=100)
    changed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class PersonBlockingKey(IntakeTable, table=True):
    """Duplicate-detection index: a lossy phonetic key (no raw name) → the persons having it.

    ``birth_year`` rides along in the primary key's index (PostgreSQL ``INCLUDE``), so the
    candidate query filters on it with an index-only scan (see repository.candidate_rows).
    """

    __tablename__ = "person_blocking_keys"
    __table_args__ = (
        PrimaryKeyConstraint("key", "person_id", postgresql_include=["birth_year"]),
        Index("ix_person_blocking_keys_person_id", "person_id"),
    )

    key: str = Field(max_length=120)
    person_id: uuid.UUID
    birth_year: int | None = Field(default=None, sa_type=SmallInteger)
