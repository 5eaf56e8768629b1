"""Merges of duplicate persons (private to intake)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from kit.db import UtcDateTime
from services.intake.tables import IntakeTable


class PersonMerge(IntakeTable, table=True):
    """A merge of ``merged_id`` into ``survivor_id``; what moved, so that a split undoes it."""

    __tablename__ = "person_merges"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    survivor_id: uuid.UUID = Field(foreign_key="persons.id", index=True)
    merged_id: uuid.UUID = Field(foreign_key="persons.id", index=True)
    candidate_id: uuid.UUID | None = Field(default=None, foreign_key="duplicate_candidates.id")
    moved: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    merged_by: str = Field(max_length=100)
    merged_by_organisation: str = Field(max_length=100)
    merged_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    split_by: str | None = Field(default=None, max_length=100)
    split_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
