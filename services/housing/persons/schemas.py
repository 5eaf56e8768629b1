"""What housing reads from intake's person events (tolerant readers)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from kit.schemas import Id


class _PersonEventIn(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PersonErasedIn(_PersonEventIn):
    person_ref: Id
    merged_refs: list[Id]
    erased_at: datetime


class ConsentWithdrawnIn(_PersonEventIn):
    person_ref: Id
    purpose: str
    legal_basis: str
    withdrawn_at: datetime
