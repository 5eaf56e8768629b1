"""The merges API contract."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from kit.schemas import ClosedModel, Id, PublicModel


class ConfirmIn(ClosedModel):
    survivor_id: Annotated[
        uuid.UUID | None,
        Field(description="Which of the two records survives; default the older one"),
    ] = None


class MergePublic(PublicModel):
    id: Id
    survivor_id: Id
    merged_id: Id
    review_id: Id | None
    moved: dict[str, list[str]]
    merged_by: str = Field(description="The merging account (Keycloak subject id)")
    merged_by_organisation: str
    merged_at: datetime
    split_by: str | None
    split_at: datetime | None
