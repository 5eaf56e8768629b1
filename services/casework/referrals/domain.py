"""Service referral rules: the status machine and the deadline for the answer. Pure: no I/O.

A case's team refers the case to a service of the directory: the network organisation that
runs the service answers — accepts, and one of its workers joins the team in the role the
referral names, or declines with a reason — by a deadline (`ReferralPolicy`, versioned, which
Comune coordinators change). The team may withdraw a referral not answered yet. An answer
that is late is raised once (``lgnet.casework.referral.overdue``); the referral stays open to
an answer.

Before the answer the receiving organisation sees the referral alone (the service, the case's
id and target group, the dates, the team's request), never the case; after an accept, the
worker who joined sees what a member in their role sees, as any member.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field

from kit.errors import Conflict, Forbidden


class ReferralStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Decision(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"


class Direction(StrEnum):
    """A list of referrals seen from the caller's organisation."""

    INCOMING = "incoming"  # to a service the caller's organisation runs
    OUTGOING = "outgoing"  # made by the caller's organisation


INITIAL: Final = ReferralStatus.PENDING

TRANSITIONS: Final[dict[ReferralStatus, frozenset[ReferralStatus]]] = {
    ReferralStatus.PENDING: frozenset(
        {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN}
    ),
    ReferralStatus.ACCEPTED: frozenset(),
    ReferralStatus.DECLINED: frozenset(),
    ReferralStatus.WITHDRAWN: frozenset(),
}
TERMINAL: Final = frozenset(s for s, targets in TRANSITIONS.items() if not targets)

_OUTCOME = {Decision.ACCEPT: ReferralStatus.ACCEPTED, Decision.DECLINE: ReferralStatus.DECLINED}


class IllegalReferralTransition(
    Conflict, slug="illegal-referral-transition", title="The referral cannot move so"
):
    """The referral was answered or withdrawn already (409)."""


class NotReceiving(
    Forbidden, slug="not-receiving-the-referral", title="Your organisation does not answer it"
):
    """Only the receiving organisation's case workers and supervisors answer a referral (403)."""


def transition(current: ReferralStatus, target: ReferralStatus) -> ReferralStatus:
    if target not in TRANSITIONS[current]:
        raise IllegalReferralTransition(f"A referral that is {current} cannot become {target}.")
    return target


def answer(current: ReferralStatus, decision: Decision) -> ReferralStatus:
    return transition(current, _OUTCOME[decision])


def withdraw(current: ReferralStatus) -> ReferralStatus:
    return transition(current, ReferralStatus.WITHDRAWN)


def may_answer(*, receiving_organisation: str, organisation: str, case_worker: bool) -> None:
    """The answer is the receiving organisation's, given by one of its case workers or
    supervisors (`case_worker`)."""
    if organisation != receiving_organisation or not case_worker:
        raise NotReceiving("A case worker of the organisation that runs the service answers it.")


AnswerWithin = Annotated[timedelta, Field(ge=timedelta(hours=1), le=timedelta(days=60))]


class ReferralPolicy(BaseModel):
    """How long a receiving organisation has to answer a referral."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    answer_within: AnswerWithin


DEFAULT_REFERRAL_POLICY: Final = ReferralPolicy(
    # a co-design default, not settled policy: a week of working days
    answer_within=timedelta(days=5)
)
"""The referral policy used until a coordinator publishes a version."""


def answer_due(referred_at: datetime, policy: ReferralPolicy) -> datetime:
    """When the answer to a referral made at `referred_at` is due (elapsed time, UTC), under
    the policy in force when it was made: a later policy moves no deadline already set."""
    return referred_at + policy.answer_within


def overdue(status: ReferralStatus, answer_due_at: datetime, now: datetime) -> bool:
    """Whether the answer is late at `now`: still pending strictly after its due time."""
    return status is ReferralStatus.PENDING and now > answer_due_at
