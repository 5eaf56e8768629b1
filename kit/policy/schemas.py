"""What the policy API reads and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from kit.schemas import ClosedModel, PublicModel, Timestamp


class PolicyProposal(ClosedModel):
    """A new version of a policy."""

    document: dict[str, Any]
    effective_from: Timestamp
    why: str = Field(min_length=1, max_length=4000, description="The justification.")

    @field_validator("why")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("why must not be blank")
        return value.strip()


class PolicyVersionPublic(PublicModel):
    """A policy version; ``version`` is null (and ``effective_from`` too) for the default."""

    policy: str
    version: int | None
    effective_from: datetime | None
    document: dict[str, Any]
    subject: str | None = None
    organisation: str | None = None
    why: str | None = None
    recorded_at: datetime | None = None
