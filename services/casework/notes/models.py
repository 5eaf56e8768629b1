"""The case notes table (private to casework)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field

from kit.db import UtcDateTime
from services.casework.tables import CaseworkTable


class Note(CaseworkTable, table=True):
    """A note on a case: written once, never edited (a correction is a new note)."""

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_case_written", "case_id", "written_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="cases.id")
    person_ref: uuid.UUID | None = Field(default=None, index=True)
    confidentiality: str = Field(max_length=30)
    health: bool = False
    body: str = Field(max_length=10_000)
    author: str = Field(max_length=100)
    author_organisation: str = Field(max_length=100)
    written_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
