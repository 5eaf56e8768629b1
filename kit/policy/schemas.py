"""What the policy API reads and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from kit.schemas import ClosedModel, JsonObject, PublicModel, StrictStr, Timestamp, TrimmedText


class PolicyProposal(ClosedModel):
    """A new version of a policy."""

    document: JsonObject
    effective_from: Timestamp
    why: Annotated[StrictStr, TrimmedText(4000)] = Field(description="The justification.")


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
