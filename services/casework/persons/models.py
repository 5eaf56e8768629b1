"""What casework keeps of intake's person events (private to casework)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field

from kit.db import UtcDateTime
from services.casework.tables import CaseworkTable


class PersonRestriction(CaseworkTable, table=True):
    """A purpose a person withdrew their consent for (intake's ``consent.withdrawn``)."""

    __tablename__ = "person_restrictions"

    person_ref: uuid.UUID = Field(primary_key=True)
    purpose: str = Field(primary_key=True, max_length=40)
    consent_id: uuid.UUID
    withdrawn_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class PersonMerge(CaseworkTable, table=True):
    """A merge casework followed: which cases and notes it repointed, so a split undoes it."""

    __tablename__ = "person_merges"

    merged_ref: uuid.UUID = Field(primary_key=True)
    survivor_ref: uuid.UUID = Field(index=True)
    # the cases repointed to the survivor, and those that concerned both (the link dropped)
    case_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    dropped_case_ids: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    note_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    merged_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
