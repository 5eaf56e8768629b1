"""Periodic plan reviews: due dates per target group, a missed review raised once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.casework.cases.domain import RUNNING, Status, TargetGroup
from services.casework.cases.reviews import (
    DEFAULT_REVIEW_POLICY,
    BreachKey,
    ReviewFacts,
    ReviewPolicy,
    new_breaches,
    next_review_due,
    overdue,
)

OPENED = datetime(2026, 1, 10, 9, tzinfo=UTC)
MINOR_CADENCE = DEFAULT_REVIEW_POLICY.cadence[TargetGroup.UNACCOMPANIED_MINOR]


def _case(**changes: object) -> ReviewFacts:
    facts: dict[str, object] = {
        "case_id": uuid.UUID(int=1),
        "status": Status.PLAN_ACTIVE,
        "target_group": TargetGroup.UNACCOMPANIED_MINOR,
        "opened_at": OPENED,
    }
    return ReviewFacts(**{**facts, **changes})  # type: ignore[arg-type]


def test_the_first_review_is_due_one_cadence_after_opening_then_after_each_review() -> None:
    assert next_review_due(_case(), DEFAULT_REVIEW_POLICY) == OPENED + MINOR_CADENCE
    reviewed = OPENED + timedelta(days=50)
    later = _case(reviews_done=1, last_review_at=reviewed)
    assert next_review_due(later, DEFAULT_REVIEW_POLICY) == reviewed + MINOR_CADENCE


@pytest.mark.parametrize("group", list(TargetGroup))
def test_each_target_group_has_its_own_cadence(group: TargetGroup) -> None:
    due = next_review_due(_case(target_group=group), DEFAULT_REVIEW_POLICY)
    assert due == OPENED + DEFAULT_REVIEW_POLICY.cadence[group]


@pytest.mark.parametrize("status", [Status.CLOSED])
def test_a_case_no_longer_running_has_no_review_due(status: Status) -> None:
    case = _case(status=status)
    assert next_review_due(case, DEFAULT_REVIEW_POLICY) is None
    assert overdue(case, DEFAULT_REVIEW_POLICY, OPENED + timedelta(days=1000)) is None


def test_a_review_is_overdue_strictly_after_its_due_instant() -> None:
    due = OPENED + MINOR_CADENCE
    assert overdue(_case(), DEFAULT_REVIEW_POLICY, due) is None
    breach = overdue(_case(), DEFAULT_REVIEW_POLICY, due + timedelta(seconds=1))
    assert breach is not None
    assert breach.key == BreachKey(uuid.UUID(int=1), 1)
    assert breach.due == due


def test_a_missed_review_is_raised_once_even_when_the_policy_moves_its_due_date() -> None:
    now = OPENED + timedelta(days=200)
    first = new_breaches([_case()], DEFAULT_REVIEW_POLICY, now, raised=set())
    assert [b.key.cycle for b in first] == [1]
    stricter = ReviewPolicy(
        cadence={**DEFAULT_REVIEW_POLICY.cadence, TargetGroup.UNACCOMPANIED_MINOR: timedelta(30)}
    )
    assert new_breaches([_case()], stricter, now, raised={first[0].key}) == []


def test_the_next_review_missed_is_a_new_breach() -> None:
    reviewed = OPENED + timedelta(days=70)  # the first review, late
    case = _case(reviews_done=1, last_review_at=reviewed)
    now = reviewed + MINOR_CADENCE + timedelta(days=1)
    raised = {BreachKey(case.case_id, 1)}
    assert [b.key.cycle for b in new_breaches([case], DEFAULT_REVIEW_POLICY, now, raised)] == [2]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(RUNNING | {Status.CLOSED})),
            st.sampled_from(TargetGroup),
            st.integers(min_value=0, max_value=400),
        ),
        max_size=20,
    ),
    st.integers(min_value=0, max_value=800),
)
def test_raising_what_is_new_then_asking_again_finds_nothing(
    cases: list[tuple[Status, TargetGroup, int]], days: int
) -> None:
    facts = [
        _case(case_id=uuid.UUID(int=n), status=s, target_group=g, opened_at=OPENED + timedelta(d))
        for n, (s, g, d) in enumerate(cases)
    ]
    now = OPENED + timedelta(days=days)
    found = new_breaches(facts, DEFAULT_REVIEW_POLICY, now, raised=set())
    assert len({b.key for b in found}) == len(found)
    assert all(b.due < now for b in found)
    assert [b.due for b in found] == sorted(b.due for b in found)
    assert new_breaches(facts, DEFAULT_REVIEW_POLICY, now, raised={b.key for b in found}) == []


def test_a_policy_covers_every_target_group_with_a_sane_cadence() -> None:
    partial = {TargetGroup.UNACCOMPANIED_MINOR: timedelta(days=60)}
    with pytest.raises(ValidationError, match="missing"):
        ReviewPolicy(cadence=partial)
    with pytest.raises(ValidationError):
        ReviewPolicy(
            cadence={
                **DEFAULT_REVIEW_POLICY.cadence,
                TargetGroup.OTHER_VULNERABLE: timedelta(days=2),
            }
        )


def test_review_facts_refuse_naive_instants_and_inconsistent_counts() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _case(opened_at=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="exactly when"):
        _case(reviews_done=1)
