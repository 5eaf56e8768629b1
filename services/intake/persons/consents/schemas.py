"""The consents API contract."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from kit.schemas import ClosedModel, Id, PublicModel, Timestamp
from services.intake.persons.domain import GivenBy, LegalBasis, ProcessingPurpose


class ConsentIn(ClosedModel):
    purpose: ProcessingPurpose
    legal_basis: LegalBasis
    given_by: GivenBy
    given_at: Annotated[
        Timestamp,
        Field(
            description=(
                "Not in the future: a later time is a 422 implausible-time (JSON Schema cannot "
                "compare with now)"
            )
        ),
    ]


class WithdrawalIn(ClosedModel):
    withdrawn_at: Annotated[
        Timestamp | None,
        Field(
            description=(
                "When the person withdrew it; default now. Between the consent's given_at and "
                "now, else a 422 implausible-time (JSON Schema cannot compare with either)"
            )
        ),
    ] = None


class ConsentPublic(PublicModel):
    id: Id
    person_id: Id
    purpose: ProcessingPurpose
    legal_basis: LegalBasis
    given_by: GivenBy
    given_at: datetime
    recorded_by_organisation: str
    recorded_at: datetime
    withdrawn_at: datetime | None
    withdrawal_recorded_at: datetime | None
