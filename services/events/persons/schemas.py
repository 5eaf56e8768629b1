"""What the events service reads from intake's person events (a tolerant reader)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from kit.schemas import Id


class PersonErasedIn(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    person_ref: Id
    merged_refs: list[Id]
    erased_at: datetime
