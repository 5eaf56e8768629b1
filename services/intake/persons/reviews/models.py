"""The duplicate review queue's table (private to intake)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field

from kit.db import UtcDateTime
from services.intake.tables import IntakeTable


class DuplicateCandidate(IntakeTable, table=True):
    """A pair that may be the same person, kept for review (``person_id`` the newer record)."""

    __tablename__ = "duplicate_candidates"
    __table_args__ = (UniqueConstraint("person_id", "candidate_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="persons.id", index=True)
    candidate_id: uuid.UUID = Field(foreign_key="persons.id", index=True)
    score: float
    reasons: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    status: str = Field(max_length=20, index=True)
    found_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    found_by_organisation: str = Field(max_length=100)
    decided_by: str | None = Field(default=None, max_length=100)
    decided_by_organisation: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
