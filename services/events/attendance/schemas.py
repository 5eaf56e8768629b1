"""The attendance API contract: check-in scans in batches, the session's attendance, and
feedback."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from kit.schemas import ClosedModel, Id, PublicModel, StrictInt, StrictStr, Timestamp, TrimmedText
from services.events.attendance.domain import ScanOutcome

MAX_SCANS = 500

Nonce = Annotated[
    StrictStr,
    Field(
        min_length=8,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="The device's own id for this scan, unique per session: sent again, "
        "the scan answers as the first time and counts once",
    ),
]


class ScanIn(ClosedModel):
    """A registration scanned, or (without ``registration_id``) a walk-in, with the intake
    ``person_ref`` of a walk-in the network knows, if any."""

    nonce: Nonce
    registration_id: Id | None = None
    person_ref: Annotated[Id | None, Field(description="A walk-in's intake person_ref")] = None
    scanned_at: Timestamp


class ScanBatch(ClosedModel):
    device: Annotated[StrictStr, TrimmedText(100), Field(description="The device's label")]
    scans: Annotated[list[ScanIn], Field(min_length=1, max_length=MAX_SCANS)]


class ScanResult(PublicModel):
    nonce: str
    outcome: ScanOutcome
    registration_id: uuid.UUID | None
    counted: bool = Field(description="Whether this scan is the one that counted the person")
    replayed: bool = Field(description="Sent before under this nonce: answered as then")


class ScanBatchResult(PublicModel):
    results: list[ScanResult]
    checked_in: int = Field(description="Registrants counted by this batch")
    walk_ins: int = Field(description="Walk-ins counted by this batch")
    refused: int


class Attendance(PublicModel):
    session_id: uuid.UUID
    registered: int = Field(description="Registrations holding a seat")
    checked_in: int
    walk_ins: int
    no_shows: int = Field(description="Registered, not checked in")


Usefulness = Annotated[StrictInt, Field(ge=1, le=5, description="1 (not at all) to 5 (very)")]


class FeedbackIn(ClosedModel):
    usefulness: Usefulness
    comment: Annotated[StrictStr, TrimmedText(1000)] | None = None


class FeedbackPublic(PublicModel):
    id: Id
    session_id: Id
    registration_id: Id
    usefulness: int
    comment: str | None
    created_at: datetime


class FeedbackSummary(PublicModel):
    session_id: uuid.UUID
    answers: int
    mean_usefulness: float | None
    by_usefulness: dict[str, int] = Field(description="Answers per score, '1' to '5'")
    found_useful: int = Field(description="Answers of 4 or 5")
