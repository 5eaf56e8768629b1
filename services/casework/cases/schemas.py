"""The cases API contract, and what casework reads from the events it consumes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

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
        consumer). Urgency and target group are intake's vocabularies, kept as given; the
    event's ``received_at`` is the case's ``referral_received_at``.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    referral_id: Id
    referral_received_at: datetime = Field(alias="received_at")
    handed_over_at: datetime
    reporting_organisation: str
    lead_organisation: str
    urgency: str
    target_group: str
    municipio: int
