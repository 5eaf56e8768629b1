"""Recording a first contact, and breaches judged against stored deadlines. Pure."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.intake.referrals.domain import Urgency
from services.intake.referrals.lifecycle import ReferralStatus
from services.intake.referrals.sla import (
    DEFAULT_SLA_POLICY,
    Deadlines,
    FirstContactNotAllowed,
    InvalidFirstContact,
    ReferralFacts,
    breaches,
    breaches_against,
    deadlines,
    first_contact,
)

RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = RECEIVED + timedelta(hours=5)
H = timedelta(hours=1)


def record(
    contacted_at: datetime,
    *,
    status: ReferralStatus = ReferralStatus.RECEIVED,
    first_contact_at: datetime | None = None,
) -> datetime:
    return first_contact(
        status=status,
        first_contact_at=first_contact_at,
        received_at=RECEIVED,
        contacted_at=contacted_at,
        now=NOW,
    )


@pytest.mark.parametrize("status", [ReferralStatus.RECEIVED, ReferralStatus.SCREENED])
@pytest.mark.parametrize("at", [RECEIVED, RECEIVED + H, NOW])
def test_a_first_contact_between_receipt_and_now_is_recorded(
    status: ReferralStatus, at: datetime
) -> None:
    assert record(at, status=status) == at


@pytest.mark.parametrize("at", [RECEIVED - timedelta(seconds=1), NOW + timedelta(seconds=1)])
def test_a_first_contact_before_receipt_or_in_the_future_is_invalid(at: datetime) -> None:
    with pytest.raises(InvalidFirstContact) as raised:
        record(at)
    assert raised.value.status == 422
    assert raised.value.extensions["errors"][0]["pointer"] == "#/contacted_at"


def test_a_first_contact_is_recorded_once() -> None:
    with pytest.raises(FirstContactNotAllowed) as raised:
        record(NOW, first_contact_at=RECEIVED + H)
    assert raised.value.status == 409


@pytest.mark.parametrize(
    "status",
    [
        ReferralStatus.HANDED_OVER,  # the hand-over already counts as first contact
        ReferralStatus.REFERRED_ELSEWHERE,
        ReferralStatus.CLOSED_NO_ACTION,
    ],
)
def test_an_ended_referral_takes_no_first_contact(status: ReferralStatus) -> None:
    with pytest.raises(FirstContactNotAllowed):
        record(NOW, status=status)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        record(NOW.replace(tzinfo=None))


@pytest.mark.parametrize("urgency", list(Urgency))
@pytest.mark.parametrize("hours", [0, 1, 2, 3, 25, 73, 300])
def test_breaches_against_the_stored_deadlines_are_those_under_the_policy(
    urgency: Urgency, hours: int
) -> None:
    facts = ReferralFacts(
        referral_id=uuid.uuid4(),
        status=ReferralStatus.SCREENED,
        received_at=RECEIVED,
        urgency=urgency,
    )
    now = RECEIVED + hours * H
    due = deadlines(RECEIVED, urgency, DEFAULT_SLA_POLICY)
    assert breaches_against(facts, due, now) == breaches(facts, now, DEFAULT_SLA_POLICY)
    moved = Deadlines(due.first_contact + 1000 * H, due.hand_over + 1000 * H)
    assert breaches_against(facts, moved, now) == []
