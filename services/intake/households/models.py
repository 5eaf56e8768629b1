"""Households (private to intake): who lives together, and how they are related."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field

from kit.db import UtcDateTime
from services.intake.tables import IntakeTable, VersionedTable


class Household(VersionedTable, table=True):
    __tablename__ = "households"

    registered_by_organisation: str = Field(max_length=100, index=True)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class HouseholdMember(IntakeTable, table=True):
    __tablename__ = "household_members"

    household_id: uuid.UUID = Field(foreign_key="households.id", primary_key=True)
    # looked up by person (merges, subject rights), not only by the first key column
    person_id: uuid.UUID = Field(foreign_key="persons.id", primary_key=True, index=True)
    relation: str = Field(max_length=30)
