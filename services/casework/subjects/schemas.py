"""The subject access export's contract."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from kit.schemas import Id, PublicModel


class CaseHeld(PublicModel):
    """One case concerning the person, and everything casework records in it."""

    case: dict[str, Any]
    person_refs: list[Id]
    status_history: list[dict[str, Any]]
    team: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    plan_versions: list[dict[str, Any]]
    approvals: list[dict[str, Any]]
    notes: list[dict[str, Any]] = Field(
        description="The notes about the person (naming them or no one) at levels you read"
    )
    transfers: list[dict[str, Any]] = Field(description="Requests that another organisation lead")
    grants: list[dict[str, Any]] = Field(description="Organisations reading it by a grant")
    legal_bases: list[dict[str, Any]] = Field(description="Bases other than consent it rests on")
    minors_track: dict[str, Any] | None = Field(
        description="A minor's case: every version of its track's records (the guardian's "
        "contact for the case's team only), and the day the turn of 18 was raised"
    )
    referrals: list[dict[str, Any]] = Field(
        default_factory=list, description="The case's referrals to the directory's services"
    )


class SubjectExport(PublicModel):
    person_ref: Id
    exported_at: datetime
    cases: list[CaseHeld] = Field(description="The cases concerning the person that you see")
    consent_withdrawals: list[dict[str, Any]] = Field(
        description="The purposes the person withdrew consent for, as casework follows them"
    )
    birth_date_copy: dict[str, Any] | None = Field(
        description="The birth date casework keeps from intake for the minors' track"
    )
