"""The indicators API contract, and what the observatory reads from the events it consumes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kit.schemas import Id, Municipio, PublicModel
from services.observatory.indicators.breakdowns import Dimension
from services.observatory.indicators.domain import Indicator

# --- published -------------------------------------------------------------------------


class CellPublic(PublicModel):
    municipio: int
    value: int | None = Field(description="null when suppressed")
    suppressed: bool


class IndicatorPublic(PublicModel):
    name: Indicator
    description: str
    total: int = Field(description="City-wide, never suppressed")
    by_municipio: list[CellPublic]


class IndicatorsPublic(PublicModel):
    generated_at: datetime
    received_from: datetime | None = Field(description="The cohort: referrals received from…")
    received_to: datetime | None = Field(description="…and before (null: no bound)")
    suppression_threshold: int = Field(description="Cells counting fewer are suppressed")
    indicators: list[IndicatorPublic]


class BreakdownCellPublic(PublicModel):
    breakdown: dict[Dimension, str] = Field(
        description="The cell's value of each breakdown (a month as YYYY-MM, in Europe/Rome)"
    )
    value: int | None = Field(description="null when suppressed")
    suppressed: bool


class BreakdownPublic(PublicModel):
    name: Indicator
    description: str
    received_from: datetime
    received_to: datetime
    by: list[Dimension]
    suppression_threshold: int = Field(description="Cells counting fewer are suppressed")
    suppression: str = Field(description="How the cells were protected")
    total: BreakdownCellPublic = Field(description="The whole cohort; suppressed when small")
    cells: list[BreakdownCellPublic] = Field(
        description="Every combination of the breakdowns' values, nobody's counting 0"
    )


# --- consumed: tolerant readers (fields not needed are ignored; the committed JSON Schema was
# checked by the consumer already). Municipio is checked: a cell outside the nine would break
# the breakdown's sums, which the suppression relies on.


class _EventIn(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ReferralIn(_EventIn):
    """What every referral event carries: the facts a referral is counted by."""

    referral_id: Id
    municipio: Municipio
    target_group: str
    urgency: str
    reporting_organisation: str
    received_at: datetime


class ReferralReceivedIn(ReferralIn):
    channel: str


class ReferralHandedOverIn(ReferralIn):
    lead_organisation: str
    handed_over_at: datetime


class CaseOpenedIn(_EventIn):
    """Casework's ``case.opened`` v2; a case opened by a case worker has no referral (and is
    not one of the referral-to-case indicators' cases)."""

    case_id: Id
    referral_id: Id | None
    lead_organisation: str
    target_group: str
    municipio: Municipio
    urgency: str
    opened_at: datetime
    referral_received_at: datetime | None
