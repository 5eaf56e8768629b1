"""Periodic reviews of a case's plan: when the next one is due, and raising a missed one once.
Pure.

Each target group has a cadence (a versioned `ReviewPolicy`, which Comune coordinators change
through ``/v1/casework/policies``; `DEFAULT_REVIEW_POLICY` holds starting defaults for the
co-design, not settled policy). Rules, decided here:

- The first review is due one cadence after the case opened; each later one, one cadence after
  the review before it. Elapsed time in UTC, as intake's deadlines.
- Only a running case has reviews due: a closed or transferred one has none.
- A review done exactly at its due instant is on time; overdue is strictly after.
- Each due date is computed when its cycle starts (the opening, a re-opening, the review
  before), under the cadence in force then, and kept with the case: a new cadence applies from
  the next cycle, so no team finds a review suddenly overdue by a policy published today.
- A breach is identified by (case, cycle), the cycle being the number of the review that is
  late (1 for the first): a policy change that moves the due date of the same review must not
  raise a second event, and the next review missed is a new breach.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Final, NamedTuple, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.casework.cases.domain import RUNNING, Status, TargetGroup

# a week to a year: a cadence outside that is a typo, not a policy
Cadence = Annotated[timedelta, Field(ge=timedelta(days=7), le=timedelta(days=366))]


class ReviewPolicy(BaseModel):
    """How often a running case's plan is reviewed, per target group (all of them)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cadence: dict[TargetGroup, Cadence]

    @model_validator(mode="after")
    def _complete(self) -> Self:
        missing = [group.value for group in TargetGroup if group not in self.cadence]
        if missing:
            raise ValueError(f"cadence must cover every target group; missing: {missing}")
        return self


DEFAULT_REVIEW_POLICY: Final = ReviewPolicy(
    # co-design defaults: a minor's situation moves fast (school, guardian, documents, the
    # approach of 18); young adults and families are reviewed quarterly
    cadence={
        TargetGroup.UNACCOMPANIED_MINOR: timedelta(days=60),
        TargetGroup.YOUNG_ADULT_LEAVING_CARE: timedelta(days=90),
        TargetGroup.VULNERABLE_FAMILY: timedelta(days=90),
        TargetGroup.OTHER_VULNERABLE: timedelta(days=120),
    }
)
"""The review policy used until a coordinator publishes a version."""


@dataclass(frozen=True)
class ReviewFacts:
    """What the review rule needs to know of a case."""

    case_id: UUID
    status: Status
    target_group: TargetGroup
    opened_at: datetime
    reviews_done: int = 0
    last_review_at: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("opened_at", "last_review_at"):
            value = getattr(self, name)
            if value is not None and (value.tzinfo is None or value.utcoffset() is None):
                raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
        if (self.reviews_done == 0) != (self.last_review_at is None):
            raise ValueError("last_review_at is set exactly when a review was done")


class BreachKey(NamedTuple):
    case_id: UUID
    cycle: int  # the number of the review that is late, 1 for the first


class ReviewBreach(NamedTuple):
    key: BreachKey
    due: datetime


class ReviewOutcome(StrEnum):
    """What a review concluded."""

    PLAN_CONFIRMED = "plan_confirmed"  # on track, the plan stands
    PLAN_TO_REVISE = "plan_to_revise"  # new needs: a new plan version follows
    CLOSURE_PROPOSED = "closure_proposed"  # goals reached or support no longer possible


def due_after(since: datetime, target_group: TargetGroup, policy: ReviewPolicy) -> datetime:
    """When the review after `since` (the opening, a re-opening or the last review) is due."""
    return since.astimezone(UTC) + policy.cadence[target_group]


def next_review_due(facts: ReviewFacts, policy: ReviewPolicy) -> datetime | None:
    """When the case's next review is due, in UTC; None for a case no longer running."""
    if facts.status not in RUNNING:
        return None
    return due_after(facts.last_review_at or facts.opened_at, facts.target_group, policy)


def overdue(facts: ReviewFacts, policy: ReviewPolicy, now: datetime) -> ReviewBreach | None:
    """The review the case has missed as of `now`, if it has missed one."""
    due = next_review_due(facts, policy)
    if due is None or now <= due:
        return None
    return ReviewBreach(BreachKey(facts.case_id, facts.reviews_done + 1), due)


def new_breaches(
    cases: Iterable[ReviewFacts],
    policy: ReviewPolicy,
    now: datetime,
    raised: Collection[BreachKey],
) -> list[ReviewBreach]:
    """The missed reviews not raised yet (`raised`: the keys raised before), oldest due first."""
    found = (overdue(facts, policy, now) for facts in cases)
    return sorted(
        (breach for breach in found if breach is not None and breach.key not in raised),
        key=lambda breach: breach.due,
    )
