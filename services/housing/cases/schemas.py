"""What housing reads from casework's case events (tolerant readers: fields housing does not
need are ignored)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from kit.schemas import Id


class CaseEventIn(BaseModel):
    """What every case event carries, as it is after the change."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    case_id: Id
    lead_organisation: str
    target_group: str
    municipio: int


class CaseOpenedIn(CaseEventIn):
    urgency: str
    person_refs: list[Id]
    opened_at: datetime


class CaseStatusChangedIn(CaseEventIn):
    status: str
    changed_at: datetime


class CaseClosedIn(CaseEventIn):
    closed_at: datetime


class CaseReopenedIn(CaseEventIn):
    reopened_at: datetime


class TeamMemberIn(CaseEventIn):
    member_id: Id
    member_organisation: str
    left_on: date | None


class CaseAnonymisedIn(CaseEventIn):
    anonymised_at: datetime


class TransferAnsweredIn(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    case_id: Id
    to_organisation: str
    status: str
    answered_at: datetime
