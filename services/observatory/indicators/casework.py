"""The casework indicators' rules: a first plan approved in time, a review on time. Pure.

- A case's first individual plan is approved **in time** when a supervisor approved it within
  `PLAN_WITHIN` of the case's opening (the network's target). A case whose plan is still
  awaited counts as not in time, even while its 30 days run: the figure of a recent cohort
  can only rise.
- A review is **on time** when casework raised no ``review.overdue`` for its cycle: it was
  recorded by the due date its cycle started with.
- A minor turning 18 has a transition plan **in time** when one was open on the first of the
  month of the birthday, the day casework raises ``minor.turning_18``.
- A case is in an organisation's **caseload** at a moment when, by its latest lifecycle event
  before then, it is open (any status but closed: a case being transferred is still its
  lead's until the transfer is answered) and that organisation leads it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services.observatory.indicators.breakdowns import (
    LATE,
    ON_TIME,
    PLAN_IN_TIME,
    PLAN_NOT_IN_TIME,
    WITH_PLAN,
    WITHOUT_PLAN,
)

CLOSED = "closed"
PLAN_WITHIN = timedelta(days=30)
"""From a case's opening to its first plan's approval, at most."""


def plan_level(opened_at: datetime, approved_at: datetime | None) -> str:
    """Where a case stands: its first plan approved in time, or not (late, or not yet)."""
    if approved_at is not None and approved_at - opened_at <= PLAN_WITHIN:
        return PLAN_IN_TIME
    return PLAN_NOT_IN_TIME


def review_level(breached: bool) -> str:
    return LATE if breached else ON_TIME


def coming_of_age_level(with_plan: bool) -> str:
    return WITH_PLAN if with_plan else WITHOUT_PLAN


def is_open(status: str) -> bool:
    """Whether a case of this status is in its lead's caseload."""
    return status != CLOSED
