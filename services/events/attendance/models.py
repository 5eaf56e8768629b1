"""The scan and feedback tables (private to the events service)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, UniqueConstraint, Uuid
from sqlmodel import Field

from kit.db import UtcDateTime
from services.events.tables import EventsTable


class Scan(EventsTable, table=True):
    """One check-in scan as a device sent it, under the device's nonce: sent again (an offline
    device uploading its batch twice), it answers as the first time and counts once. A walk-in
    has no registration (optionally a `person_ref`)."""

    __tablename__ = "scans"
    __table_args__ = (UniqueConstraint("session_id", "nonce"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    session_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("initiative_sessions.id"), nullable=False, index=True)
    )
    nonce: str = Field(max_length=100)
    registration_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid(), index=True))
    walk_in: bool = False
    person_ref: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid()))
    outcome: str = Field(max_length=30)  # checked_in | already_checked_in | refused reasons
    scanned_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    device: str | None = Field(default=None, max_length=100)
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class Feedback(EventsTable, table=True):
    """How useful an attendee found the session (1-5), once, with an optional comment."""

    __tablename__ = "feedback"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    session_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("initiative_sessions.id"), nullable=False, index=True)
    )
    registration_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("registrations.id"), nullable=False, unique=True)
    )
    usefulness: int
    comment: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
