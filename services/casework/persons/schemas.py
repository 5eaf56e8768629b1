"""What casework reads from intake's person events (tolerant readers: fields casework does
not need are ignored)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from kit.schemas import Id


class _PersonEventIn(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PersonMergedIn(_PersonEventIn):
    survivor_ref: Id
    merged_ref: Id
    merged_at: datetime


class PersonSplitIn(_PersonEventIn):
    survivor_ref: Id
    restored_ref: Id
    split_at: datetime


class PersonErasedIn(_PersonEventIn):
    person_ref: Id
    merged_refs: list[Id]
    erased_at: datetime


class ConsentWithdrawnIn(_PersonEventIn):
    consent_id: Id
    person_ref: Id
    purpose: str
    legal_basis: str
    withdrawn_at: datetime


class PersonUpdatedIn(_PersonEventIn):
    person_ref: Id
    version: int
    changed: list[str]  # the names of the fields changed, never their values
