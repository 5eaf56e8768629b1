"""Rapid-response SLAs: deadlines per urgency, breaches, and raising each breach once. Pure.

Each urgency has a deadline for **first contact** with the person and one for **hand-over** to a
lead organisation, both counted from the referral's ``received_at``. The deadlines are a
versioned `SlaPolicy` document the Comune's coordinator changes through the policy store (the
co-design is reopened every year, docs/domain.md §1); `DEFAULT_SLA_POLICY` holds starting
defaults for that co-design, not settled policy.

Rules, decided here:

- Deadlines are elapsed time, computed in UTC: 24 hours are 24 hours across a change of
  summer time (wall-clock arithmetic in Europe/Rome would give 23 or 25).
- A step is late when it is done, or still not done, strictly after its deadline; done exactly
  at the deadline is on time.
- A hand-over is also a first contact: a referral handed over with no first contact recorded
  counts its hand-over time as its first contact.
- A referral that ended without hand-over (``referred_elsewhere``, ``closed_no_action``)
  breaches nothing: its deadlines no longer apply.
- A breach is also reported when the step was done late (``met_at`` set), so a breach the
  scheduler did not see while it was open is still raised once; the overdue list keeps only
  the open ones (`Breach.overdue`).
- A breach is identified by (referral, kind), not by its deadline: re-scoring the urgency moves
  the deadline, and the same missed step must not raise a second event.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Final, NamedTuple, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from kit.errors import Conflict, ValidationFailed
from services.intake.referrals.domain import URGENCY_ORDER, Urgency
from services.intake.referrals.lifecycle import ReferralStatus, is_terminal

__all__ = [
    "DEFAULT_SLA_POLICY",
    "ENDED_WITHOUT_HAND_OVER",
    "Breach",
    "BreachKey",
    "BreachKind",
    "Deadlines",
    "FirstContactNotAllowed",
    "InvalidFirstContact",
    "ReferralFacts",
    "SlaPolicy",
    "UrgencySla",
    "breaches",
    "breaches_against",
    "deadlines",
    "first_contact",
    "new_breaches",
    "overdue",
]

_DOCUMENT = ConfigDict(frozen=True, extra="forbid")

# no SLA longer than a year: a typo ("P100D" for "PT100H") should not pass
Duration = Annotated[timedelta, Field(gt=timedelta(0), le=timedelta(days=366))]


class UrgencySla(BaseModel):
    """Deadlines of one urgency level, from ``received_at``; first contact ≤ hand-over."""

    model_config = _DOCUMENT

    first_contact: Duration
    hand_over: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.first_contact > self.hand_over:
            raise ValueError("the first-contact deadline cannot be after the hand-over deadline")
        return self


class SlaPolicy(BaseModel):
    """The SLA document: deadlines for every urgency; a more urgent level is never slower."""

    model_config = _DOCUMENT

    deadlines: dict[Urgency, UrgencySla]

    @model_validator(mode="after")
    def _complete_and_ordered(self) -> Self:
        missing = [u.value for u in Urgency if u not in self.deadlines]
        if missing:
            raise ValueError(f"deadlines must cover every urgency; missing: {missing}")
        for less, more in pairwise(URGENCY_ORDER):
            slow, fast = self.deadlines[less], self.deadlines[more]
            if fast.first_contact > slow.first_contact or fast.hand_over > slow.hand_over:
                raise ValueError(f"{more} deadlines cannot be later than {less} deadlines")
        return self


DEFAULT_SLA_POLICY: Final = SlaPolicy(
    # Defaults for the co-design to set: immediate means the same day (mobile unit or hotline
    # on duty); high within a working day; normal within three days, hand-over within ten.
    deadlines={
        Urgency.IMMEDIATE: UrgencySla(
            first_contact=timedelta(hours=2), hand_over=timedelta(hours=24)
        ),
        Urgency.HIGH: UrgencySla(first_contact=timedelta(hours=24), hand_over=timedelta(hours=72)),
        Urgency.NORMAL: UrgencySla(first_contact=timedelta(hours=72), hand_over=timedelta(days=10)),
    }
)
"""The SLA policy used until a coordinator publishes a version (co-design defaults)."""


class BreachKind(StrEnum):
    FIRST_CONTACT = "first_contact"
    HAND_OVER = "hand_over"


class Deadlines(NamedTuple):
    first_contact: datetime
    hand_over: datetime


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value!r}")


def deadlines(received_at: datetime, urgency: Urgency, policy: SlaPolicy) -> Deadlines:
    """When first contact and hand-over are due for a referral, in UTC."""
    _require_aware("received_at", received_at)
    start = received_at.astimezone(UTC)
    sla = policy.deadlines[urgency]
    return Deadlines(first_contact=start + sla.first_contact, hand_over=start + sla.hand_over)


class ReferralFacts(BaseModel):
    """What the SLA rule needs to know of a referral."""

    model_config = _DOCUMENT

    referral_id: UUID
    status: ReferralStatus
    received_at: AwareDatetime
    urgency: Urgency
    first_contact_at: AwareDatetime | None = None
    handed_over_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.status is ReferralStatus.HANDED_OVER) != (self.handed_over_at is not None):
            raise ValueError("handed_over_at is set exactly when the status is handed_over")
        return self


class BreachKey(NamedTuple):
    referral_id: UUID
    kind: BreachKind


class Breach(BaseModel):
    """A deadline missed: the step ``kind`` was not done by ``deadline``."""

    model_config = _DOCUMENT

    referral_id: UUID
    kind: BreachKind
    urgency: Urgency
    deadline: AwareDatetime
    met_at: AwareDatetime | None = None  # when the step was done, late; None while overdue

    @property
    def key(self) -> BreachKey:
        """What identifies the breach for raising it once (not the deadline: see module)."""
        return BreachKey(self.referral_id, self.kind)

    @property
    def overdue(self) -> bool:
        """The step is still not done."""
        return self.met_at is None


ENDED_WITHOUT_HAND_OVER: Final = frozenset(
    {ReferralStatus.REFERRED_ELSEWHERE, ReferralStatus.CLOSED_NO_ACTION}
)
"""Statuses whose deadlines no longer apply: the referral ended without hand-over."""


def breaches(facts: ReferralFacts, now: datetime, policy: SlaPolicy) -> list[Breach]:
    """The SLA breaches of one referral as of ``now`` (late-done steps included, see module)."""
    _require_aware("now", now)
    return breaches_against(facts, deadlines(facts.received_at, facts.urgency, policy), now)


def breaches_against(facts: ReferralFacts, due: Deadlines, now: datetime) -> list[Breach]:
    """`breaches` of a referral whose deadlines were already computed (stored with it)."""
    _require_aware("now", now)
    if facts.status in ENDED_WITHOUT_HAND_OVER:
        return []
    first_contact_at = facts.first_contact_at or facts.handed_over_at
    found = []
    for kind, deadline, done_at in (
        (BreachKind.FIRST_CONTACT, due.first_contact, first_contact_at),
        (BreachKind.HAND_OVER, due.hand_over, facts.handed_over_at),
    ):
        if done_at is not None and done_at > now:
            done_at = None  # as of ``now`` the step is not done yet
        late = done_at > deadline if done_at is not None else now > deadline
        if late:
            found.append(
                Breach(
                    referral_id=facts.referral_id,
                    kind=kind,
                    urgency=facts.urgency,
                    deadline=deadline,
                    met_at=done_at,
                )
            )
    return found


def overdue(found: Iterable[Breach]) -> list[Breach]:
    """The breaches whose step is still not done (the overdue list)."""
    return [breach for breach in found if breach.overdue]


def new_breaches(found: Iterable[Breach], already_raised: Collection[BreachKey]) -> list[Breach]:
    """The breaches to raise now: not raised before, and each once even if listed twice.

    The scheduler raises ``lgnet.intake.referral.overdue`` for each and records its key in the
    same transaction, so a breach is raised exactly once however often the scheduler runs.
    """
    seen = set(already_raised)
    fresh = []
    for breach in found:
        if breach.key not in seen:
            seen.add(breach.key)
            fresh.append(breach)
    return fresh


class FirstContactNotAllowed(
    Conflict, slug="first-contact-not-allowed", title="First contact cannot be recorded"
): ...


class InvalidFirstContact(ValidationFailed):
    """422 ``validation-failed`` on ``contacted_at``, as if the body had failed its schema."""

    slug = "validation-failed"


def first_contact(
    *,
    status: ReferralStatus,
    first_contact_at: datetime | None,
    received_at: datetime,
    contacted_at: datetime,
    now: datetime,
) -> datetime:
    """``contacted_at``, if a first contact at that time may be recorded on the referral.

    Recorded once (`FirstContactNotAllowed`, 409, the second time) and only while the referral
    is open: an ended one has no deadline left, and a hand-over already counts as first contact.
    The contact happened between the referral's receipt and now (`InvalidFirstContact`, 422).
    """
    for name, value in (("received_at", received_at), ("contacted_at", contacted_at)):
        _require_aware(name, value)
    _require_aware("now", now)
    if first_contact_at is not None:
        raise FirstContactNotAllowed("The first contact of this referral is already recorded.")
    if is_terminal(status):
        raise FirstContactNotAllowed(f"A referral that is {status} takes no first contact.")
    if contacted_at > now or contacted_at < received_at:
        where = "in the future" if contacted_at > now else "before the referral was received"
        raise InvalidFirstContact.for_field(
            "contacted_at", f"cannot be {where}", code="out_of_range"
        )
    return contacted_at
