"""After a case is closed: re-opening it, and anonymising it once its retention ends. Pure.

Both periods are a versioned `ClosurePolicy` (``/v1/casework/policies``), counted from the
closure. Rules, decided here:

- Only a closed case re-opens (a transferred one lives on with its new lead), within
  ``reopen_within`` of its latest closure and only while its data are still there. Later, the
  person's new situation is a new case. A re-opened case is assessed again (``assessment``):
  the situation it was closed in has changed.
- A closed case is anonymised ``anonymise_after`` its closure, which is never shorter than the
  re-opening window: a case that can still be re-opened keeps what a re-opening needs.
- Re-opening clears nothing: the closures stay in the case's history, and the next closure
  starts both periods again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Final, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kit.errors import Conflict
from services.casework.cases.domain import Outcome, Status


class ReopeningRefused(
    Conflict, slug="case-reopening-refused", title="The case cannot be re-opened"
):
    """A case outside the re-opening rules (409): a new case is opened instead."""


REOPENED_TO: Final = Status.ASSESSMENT


class ClosurePolicy(BaseModel):
    """How long a closed case may be re-opened, and when it is anonymised."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reopen_within: Annotated[timedelta, Field(ge=timedelta(0), le=timedelta(days=731))]
    anonymise_after: Annotated[timedelta, Field(ge=timedelta(days=30), le=timedelta(days=7306))]

    @model_validator(mode="after")
    def _keeps_what_a_reopening_needs(self) -> Self:
        if self.anonymise_after < self.reopen_within:
            raise ValueError("a case cannot be anonymised while it may still be re-opened")
        return self


DEFAULT_CLOSURE_POLICY: Final = ClosurePolicy(
    # co-design defaults: six months to come back to the same team; records kept five years
    reopen_within=timedelta(days=183),
    anonymise_after=timedelta(days=5 * 365 + 1),
)
"""The closure policy used until a coordinator publishes a version."""


@dataclass(frozen=True)
class Closure:
    """How and when a case was last closed (its reason, free text, stays in casework)."""

    outcome: Outcome
    closed_at: datetime


def reopen(
    status: Status,
    closure: Closure | None,
    *,
    now: datetime,
    policy: ClosurePolicy,
    anonymised: bool,
) -> Status:
    """The status of the re-opened case, or ``ReopeningRefused`` (409)."""
    if status is not Status.CLOSED or closure is None:
        raise ReopeningRefused(f"Only a closed case can be re-opened; this one is {status}.")
    if anonymised:
        raise ReopeningRefused(
            "The case was anonymised after its retention period: open a new one."
        )
    if now - closure.closed_at > policy.reopen_within:
        raise ReopeningRefused(
            f"The case was closed more than {policy.reopen_within.days} days ago: open a new one."
        )
    return REOPENED_TO


def anonymisation_due(closure: Closure, policy: ClosurePolicy) -> datetime:
    """When the closed case is to be anonymised, in UTC."""
    return closure.closed_at.astimezone(UTC) + policy.anonymise_after


def due_for_anonymisation(
    status: Status, closure: Closure | None, *, now: datetime, policy: ClosurePolicy
) -> bool:
    """Whether the retention job anonymises the case now: closed, and past its period."""
    return (
        status is Status.CLOSED
        and closure is not None
        and now >= anonymisation_due(closure, policy)
    )
