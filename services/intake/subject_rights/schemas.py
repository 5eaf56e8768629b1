"""The subject rights API contract."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from kit.schemas import PublicModel
from services.intake.persons.schemas import PersonPublic


class PersonExport(PublicModel):
    """Subject access (GDPR art. 15): everything intake holds about one person."""

    exported_at: datetime
    person: PersonPublic
    merged_records: list[PersonPublic]
    consents: list[dict[str, Any]]
    households: list[dict[str, Any]]
    referrals: list[dict[str, Any]]
    duplicate_reviews: list[dict[str, Any]]
    revisions: list[dict[str, Any]]
    sync_conflicts: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Offline edits queued for an operator, and what they proposed",
    )
