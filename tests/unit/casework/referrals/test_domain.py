"""The referral status machine and the answer's deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.casework.referrals import domain
from services.casework.referrals.domain import (
    DEFAULT_REFERRAL_POLICY,
    Decision,
    ReferralPolicy,
    ReferralStatus,
)

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_a_pending_referral_is_accepted_declined_or_withdrawn_and_that_is_final() -> None:
    assert domain.answer(ReferralStatus.PENDING, Decision.ACCEPT) is ReferralStatus.ACCEPTED
    assert domain.answer(ReferralStatus.PENDING, Decision.DECLINE) is ReferralStatus.DECLINED
    assert domain.withdraw(ReferralStatus.PENDING) is ReferralStatus.WITHDRAWN
    assert {
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    } == domain.TERMINAL


@given(st.sampled_from(sorted(domain.TERMINAL)), st.sampled_from(list(Decision)))
def test_an_answered_or_withdrawn_referral_moves_no_more(
    status: ReferralStatus, decision: Decision
) -> None:
    with pytest.raises(domain.IllegalReferralTransition):
        domain.answer(status, decision)
    with pytest.raises(domain.IllegalReferralTransition):
        domain.withdraw(status)


def test_only_the_receiving_organisations_case_workers_answer() -> None:
    domain.may_answer(
        receiving_organisation="coop-aurora", organisation="coop-aurora", case_worker=True
    )
    with pytest.raises(domain.NotReceiving):
        domain.may_answer(
            receiving_organisation="coop-aurora", organisation="assoc-ponte", case_worker=True
        )
    with pytest.raises(domain.NotReceiving):
        domain.may_answer(
            receiving_organisation="coop-aurora", organisation="coop-aurora", case_worker=False
        )


def test_the_answer_is_due_the_policys_time_after_the_referral() -> None:
    assert domain.answer_due(T0, DEFAULT_REFERRAL_POLICY) == T0 + timedelta(days=5)
    faster = ReferralPolicy(answer_within=timedelta(days=2))
    assert domain.answer_due(T0, faster) == T0 + timedelta(days=2)


@pytest.mark.parametrize("within", [timedelta(minutes=5), timedelta(days=61)])
def test_a_deadline_outside_an_hour_to_sixty_days_is_no_policy(within: timedelta) -> None:
    with pytest.raises(ValidationError):
        ReferralPolicy(answer_within=within)


@given(st.sampled_from(list(ReferralStatus)), st.integers(min_value=-10_000, max_value=10_000))
def test_late_means_pending_strictly_after_the_due_time(
    status: ReferralStatus, seconds: int
) -> None:
    now = T0 + timedelta(seconds=seconds)
    assert domain.overdue(status, T0, now) is (status is ReferralStatus.PENDING and seconds > 0)
