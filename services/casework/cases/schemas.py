"""The cases API contract, and what casework reads from the events it consumes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from kit.schemas import Id, PublicModel
from services.casework.cases.domain import Status


class CasePublic(PublicModel):
    id: Id
    version: int
    status: Status
    referral_id: Id
    lead_organisation: str
    reporting_organisation: str
    urgency: str
    target_group: str
    municipio: int
    referral_received_at: datetime
    handed_over_at: datetime
    opened_at: datetime
    updated_at: datetime


class HandedOverReferralIn(BaseModel):
    """The part of intake's ``lgnet.intake.referral.handed_over`` that opens a case.

    A tolerant reader: fields casework does not need are ignored, so intake may add some
    without breaking casework (the committed JSON Schema has already been checked by the
    consumer). Urgency and target group are intake's vocabularies, kept as given.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    referral_id: Id
    lead_organisation: str
    reporting_organisation: str
    urgency: str
    target_group: str
    municipio: int
    received_at: datetime
    handed_over_at: datetime
