"""The matching policy (``kit.policy``, served at ``/v1/housing/policies``): the priority
score's weights, and how long a proposal holds its bed. A coordinator records a version; a run
uses the one in force when it starts, and says which."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field

from kit.policy import PolicyKind
from kit.schemas import StrictFloat, StrictInt
from services.housing.matching.domain import Weights

Weight = Annotated[StrictFloat, Field(ge=0, le=100)]  # a number: JSON's true is not 1


class MatchingPolicy(BaseModel):
    """Each score term's weight (docs/domain.md §9), and a proposal's hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: Annotated[StrictFloat, Field(gt=0, le=100, description="What housing anyone is worth")]
    urgency: Weight = Field(description="Per urgency level, 0–3")
    vulnerability: Weight = Field(description="Per vulnerability level, 0–3")
    waiting: Weight = Field(description="Per 30 days waited")
    waiting_cap_days: Annotated[StrictInt, Field(ge=30, le=3650)] = Field(
        description="Waiting counts up to this many days"
    )
    preference: Weight = Field(description="The unit is in a Municipio the household prefers")
    proposal_hold_hours: Annotated[StrictInt, Field(ge=1, le=720)] = Field(
        description="How long a proposal holds its beds before it expires, in hours"
    )

    @property
    def proposal_hold(self) -> timedelta:
        return timedelta(hours=self.proposal_hold_hours)

    def weights(self) -> Weights:
        return Weights(
            base=self.base,
            urgency=self.urgency,
            vulnerability=self.vulnerability,
            waiting=self.waiting,
            waiting_cap_days=self.waiting_cap_days,
            preference=self.preference,
        )


_DEFAULT_WEIGHTS: Final = Weights()
DEFAULT_MATCHING_POLICY: Final = MatchingPolicy(
    base=_DEFAULT_WEIGHTS.base,
    urgency=_DEFAULT_WEIGHTS.urgency,
    vulnerability=_DEFAULT_WEIGHTS.vulnerability,
    waiting=_DEFAULT_WEIGHTS.waiting,
    waiting_cap_days=_DEFAULT_WEIGHTS.waiting_cap_days,
    preference=_DEFAULT_WEIGHTS.preference,
    # a co-design default, not settled policy: two days to visit and answer
    proposal_hold_hours=48,
)

MATCHING = PolicyKind(
    "housing.matching",
    MatchingPolicy,
    DEFAULT_MATCHING_POLICY,
    description="The weights of the matching score, and how long a proposal holds a bed.",
)
