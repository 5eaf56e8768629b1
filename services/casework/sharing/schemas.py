"""API types of read grants and legal bases."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StrictStr

from kit.schemas import ClosedModel, PublicModel, TrimmedText
from services.casework.cases.schemas import Reach
from services.casework.sharing.domain import Basis, Purpose


class GrantIn(ClosedModel):
    reach: Reach = Field(
        description="How much of the case the organisation reads: `case` (the case, its "
        "history, team, reviews and transfers), `plan` (and its plan), `notes` (and its "
        "team-level notes)"
    )


class GrantPublic(PublicModel):
    case_id: uuid.UUID
    organisation: str
    reach: Reach
    granted_by: str
    granted_at: datetime
    revoked_at: datetime | None
    active: bool


class LegalBasisIn(ClosedModel):
    basis: Basis = Field(
        description="`network_sharing`: legal_obligation, public_task or vital_interests; "
        "`health_data`: vital_interests or health_or_social_care"
    )
    reference: Annotated[StrictStr, TrimmedText(300)] = Field(
        description="What grounds it: the decree, mandate or law (kept in casework only)"
    )


class LegalBasisPublic(PublicModel):
    case_id: uuid.UUID
    purpose: Purpose
    basis: Basis
    reference: str
    recorded_by: str
    recorded_at: datetime
