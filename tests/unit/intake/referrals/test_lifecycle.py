"""The referral status machine, without I/O: named rules and a stateful property test."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from services.intake.referrals.domain import IllegalTransition
from services.intake.referrals.lifecycle import (
    TERMINAL,
    TRANSITIONS,
    ReferralStatus,
    ScreeningOutcome,
    hand_over,
    is_terminal,
    screen,
    transition,
)

S = ReferralStatus
Out = ScreeningOutcome


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (Out.TAKE_IN_CHARGE, S.SCREENED),
        (Out.REFER_ELSEWHERE, S.REFERRED_ELSEWHERE),
        (Out.NO_ACTION, S.CLOSED_NO_ACTION),
    ],
)
def test_screening_a_received_referral_moves_it_by_its_outcome(
    outcome: ScreeningOutcome, status: ReferralStatus
) -> None:
    assert screen(S.RECEIVED, outcome) is status


def test_a_referral_taken_in_charge_is_handed_over() -> None:
    assert hand_over(screen(S.RECEIVED, Out.TAKE_IN_CHARGE)) is S.HANDED_OVER


def test_a_referral_not_yet_screened_cannot_be_handed_over() -> None:
    with pytest.raises(IllegalTransition, match="received cannot become handed_over by hand_over"):
        hand_over(S.RECEIVED)


@pytest.mark.parametrize("outcome", list(ScreeningOutcome))
def test_a_screened_referral_can_be_screened_again_before_hand_over(
    outcome: ScreeningOutcome,
) -> None:
    assert screen(S.SCREENED, outcome) is screen(S.RECEIVED, outcome)


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_nothing_moves_a_referral_out_of_a_terminal_status(status: ReferralStatus) -> None:
    for outcome in ScreeningOutcome:
        with pytest.raises(IllegalTransition):
            screen(status, outcome)
    with pytest.raises(IllegalTransition):
        hand_over(status)


def test_the_terminal_statuses_are_the_three_endings() -> None:
    assert {S.HANDED_OVER, S.REFERRED_ELSEWHERE, S.CLOSED_NO_ACTION} == TERMINAL
    assert not is_terminal(S.RECEIVED)
    assert not is_terminal(S.SCREENED)


def test_an_illegal_transition_answers_409() -> None:
    with pytest.raises(IllegalTransition) as raised:
        transition(S.CLOSED_NO_ACTION, S.RECEIVED)
    assert raised.value.status == 409


def test_every_status_is_in_the_table_and_nothing_returns_to_received() -> None:
    assert set(TRANSITIONS) == set(ReferralStatus)
    assert all(S.RECEIVED not in targets for targets in TRANSITIONS.values())


class ReferralLifecycle(RuleBasedStateMachine):
    """Random command sequences against a model: what is legal, and what the status becomes."""

    def __init__(self) -> None:
        super().__init__()
        self.status = S.RECEIVED
        self.history: list[ReferralStatus] = [S.RECEIVED]
        self.last_outcome: ScreeningOutcome | None = None
        self.ended_at: int | None = None  # index in history where a terminal status appeared

    def _moved(self, new: ReferralStatus) -> None:
        assert new in TRANSITIONS[self.status]
        self.status = new
        self.history.append(new)
        if is_terminal(new) and self.ended_at is None:
            self.ended_at = len(self.history) - 1

    @rule(outcome=st.sampled_from(ScreeningOutcome))
    def screen_it(self, outcome: ScreeningOutcome) -> None:
        legal = self.status in {S.RECEIVED, S.SCREENED}
        if legal:
            self._moved(screen(self.status, outcome))
            self.last_outcome = outcome
        else:
            with pytest.raises(IllegalTransition):
                screen(self.status, outcome)

    @rule()
    def hand_it_over(self) -> None:
        if self.status is S.SCREENED:
            assert self.last_outcome is Out.TAKE_IN_CHARGE
            self._moved(hand_over(self.status))
        else:
            with pytest.raises(IllegalTransition):
                hand_over(self.status)

    @rule(wanted=st.sampled_from(ReferralStatus))
    def ask_transition_directly(self, wanted: ReferralStatus) -> None:
        # commands are the way in; here only check that the table and transition() agree
        if wanted in TRANSITIONS[self.status]:
            assert transition(self.status, wanted) is wanted
        else:
            with pytest.raises(IllegalTransition):
                transition(self.status, wanted)

    @invariant()
    def terminal_stays_terminal(self) -> None:
        if self.ended_at is not None:
            assert self.history[self.ended_at :] == [self.history[self.ended_at]] * (
                len(self.history) - self.ended_at
            )

    @invariant()
    def handed_over_only_after_taking_in_charge(self) -> None:
        if self.status is S.HANDED_OVER:
            assert self.history[-2] is S.SCREENED
            assert self.last_outcome is Out.TAKE_IN_CHARGE

    @invariant()
    def screened_means_the_last_screening_took_in_charge(self) -> None:
        if self.status is S.SCREENED:
            assert self.last_outcome is Out.TAKE_IN_CHARGE

    @invariant()
    def moves_follow_the_table(self) -> None:
        for before, after in pairwise(self.history):
            assert after in TRANSITIONS[before]


TestReferralLifecycle = ReferralLifecycle.TestCase
