"""Households (private to intake): who lives together, and how they are related."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field

from kit.db import UtcDateTime
from services.intake.tables import IntakeTable


class Household(IntakeTable, table=True):
    __tablename__ = "households"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    version: int = 1
    registered_by_organisation: str = Field(max_length=100, index=True)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class HouseholdMember(IntakeTable, table=True):
    __tablename__ = "household_members"
    __table_args__ = (Index("ix_household_members_person_id", "person_id"),)

    household_id: uuid.UUID = Field(foreign_key="households.id", primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="persons.id", primary_key=True)
    relation: str = Field(max_length=30)
