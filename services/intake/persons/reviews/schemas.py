"""The duplicate review queue's API contract."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from kit.schemas import Id, PublicModel
from services.intake.persons.reviews.domain import ReviewStatus as ReviewStatus
from services.intake.persons.schemas import MatchBand, ReasonPublic


class ReviewPublic(PublicModel):
    id: Id
    person_id: Id
    candidate_id: Id
    score: float
    band: MatchBand
    reasons: list[ReasonPublic]
    status: ReviewStatus
    found_at: datetime
    found_by_organisation: str
    decided_by: str | None = Field(description="The deciding account (Keycloak subject id)")
    decided_by_organisation: str | None
    decided_at: datetime | None
