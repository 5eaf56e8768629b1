"""After a case is closed: re-opening within the window, anonymisation after retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.casework.cases.closure import (
    DEFAULT_CLOSURE_POLICY,
    REOPENED_TO,
    Closure,
    ClosurePolicy,
    ReopeningRefused,
    anonymisation_due,
    due_for_anonymisation,
    reopen,
)
from services.casework.cases.domain import Outcome, Status

CLOSED_AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
POLICY = ClosurePolicy(reopen_within=timedelta(days=180), anonymise_after=timedelta(days=365))


def test_a_closed_case_reopens_to_assessment_up_to_the_end_of_the_window() -> None:
    closure = Closure(Outcome.LOST_CONTACT, CLOSED_AT)
    now = CLOSED_AT + POLICY.reopen_within
    reopened = reopen(Status.CLOSED, closure, now=now, policy=POLICY, anonymised=False)
    assert reopened is REOPENED_TO is Status.ASSESSMENT


@pytest.mark.parametrize(
    ("status", "after", "anonymised", "why"),
    [
        (Status.CLOSED, timedelta(days=180, seconds=1), False, "more than 180 days"),
        (Status.CLOSED, timedelta(days=1), True, "anonymised"),
        (Status.TRANSFERRED, timedelta(days=1), False, "Only a closed case"),
        (Status.MONITORING, timedelta(days=1), False, "Only a closed case"),
    ],
)
def test_reopening_outside_the_rules_is_a_409_problem(
    status: Status, after: timedelta, anonymised: bool, why: str
) -> None:
    closure = Closure(Outcome.MOVED_AWAY, CLOSED_AT)
    with pytest.raises(ReopeningRefused, match=why) as raised:
        reopen(status, closure, now=CLOSED_AT + after, policy=POLICY, anonymised=anonymised)
    assert raised.value.status == 409
    assert raised.value.type == "urn:lgnet:problem:case-reopening-refused"


def test_a_closed_case_without_its_closure_is_not_reopened() -> None:
    with pytest.raises(ReopeningRefused):
        reopen(Status.CLOSED, None, now=CLOSED_AT, policy=POLICY, anonymised=False)


@given(
    st.sampled_from(Outcome),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=800)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=731)),
)
def test_whatever_the_outcome_only_the_window_and_anonymisation_decide(
    outcome: Outcome, after: timedelta, window: timedelta
) -> None:
    policy = ClosurePolicy(reopen_within=window, anonymise_after=max(window, timedelta(days=30)))
    closure, now = Closure(outcome, CLOSED_AT), CLOSED_AT + after
    if after <= window:
        assert reopen(Status.CLOSED, closure, now=now, policy=policy, anonymised=False) is (
            Status.ASSESSMENT
        )
    else:
        with pytest.raises(ReopeningRefused):
            reopen(Status.CLOSED, closure, now=now, policy=policy, anonymised=False)
    with pytest.raises(ReopeningRefused):
        reopen(Status.CLOSED, closure, now=now, policy=policy, anonymised=True)


def test_a_closed_case_is_anonymised_once_its_retention_has_run() -> None:
    closure = Closure(Outcome.AUTONOMY_REACHED, CLOSED_AT)
    due = anonymisation_due(closure, POLICY)
    assert due == CLOSED_AT + timedelta(days=365)
    assert not due_for_anonymisation(
        Status.CLOSED, closure, now=due - timedelta(seconds=1), policy=POLICY
    )
    assert due_for_anonymisation(Status.CLOSED, closure, now=due, policy=POLICY)


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.CLOSED])
def test_only_closed_cases_are_anonymised_by_retention(status: Status) -> None:
    closure = Closure(Outcome.OTHER, CLOSED_AT)
    later = CLOSED_AT + timedelta(days=10_000)
    assert not due_for_anonymisation(status, closure, now=later, policy=POLICY)


def test_a_policy_cannot_anonymise_a_case_that_may_still_be_reopened() -> None:
    with pytest.raises(ValidationError, match="still be re-opened"):
        ClosurePolicy(reopen_within=timedelta(days=400), anonymise_after=timedelta(days=399))
    assert DEFAULT_CLOSURE_POLICY.anonymise_after >= DEFAULT_CLOSURE_POLICY.reopen_within
