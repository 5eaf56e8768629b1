"""The suppression policy: the threshold under which a published count is suppressed.

Comune coordinators change it through ``/v1/observatory/policies`` (kit.policy), with an
effective date and a reason; every figure is published under the version in force when it is
asked for. Before any version is recorded, the service's setting
(``LGNET_OBSERVATORY_SUPPRESSION_THRESHOLD``, 5) applies.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kit.policy import PolicyKind


class SuppressionPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: int = Field(
        default=5,
        ge=3,
        le=100,
        description=(
            "Published cells count at least this many, or are suppressed (zeros included). "
            "Three at the least: below it a cell of one or two people is a person."
        ),
    )


SUPPRESSION = PolicyKind(
    "observatory.suppression",
    SuppressionPolicy,
    SuppressionPolicy(),
    description="The threshold under which the Observatory suppresses a published count.",
)
KINDS: list[PolicyKind[Any]] = [SUPPRESSION]
