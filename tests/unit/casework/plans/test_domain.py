"""Plan revision rules, and (Hypothesis) that a sequence of revisions keeps every goal's and
action's identity."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import ValidationFailed
from services.casework.plans.domain import (
    Achievement,
    Action,
    ActionStatus,
    Content,
    Goal,
    PlanDomain,
    owners,
    revise,
)

ALICE, BRUNO = uuid.uuid4(), uuid.uuid4()


def goal(ident: uuid.UUID | None = None, domain: PlanDomain = PlanDomain.HOUSING) -> Goal:
    return Goal(ident, domain, "Synthetic goal", date(2027, 6, 30), Achievement.NOT_STARTED)


def action(
    owner: uuid.UUID, goal_id: uuid.UUID | None = None, ident: uuid.UUID | None = None
) -> Action:
    return Action(ident, goal_id, "Synthetic action", owner, None, ActionStatus.PLANNED)


def test_new_goals_and_actions_get_ids_and_given_ones_are_kept() -> None:
    kept = uuid.uuid4()
    revised = revise(Content((goal(kept), goal()), (action(ALICE, kept),)), active_members={ALICE})
    assert revised.goals[0].id == kept
    assert revised.goals[1].id is not None
    assert revised.actions[0].id is not None
    assert revised.actions[0].goal_id == kept


@pytest.mark.parametrize(
    ("content", "pointer"),
    [
        (Content((goal(),), (action(BRUNO),)), "owner"),  # not on the team
        (Content((goal(),), (action(ALICE, uuid.uuid4()),)), "goal_id"),  # no such goal here
        (Content((goal(ALICE), goal(ALICE)), ()), "id"),  # an id twice
    ],
)
def test_a_revision_that_points_nowhere_is_refused(content: Content, pointer: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        revise(content, active_members={ALICE})
    assert refused.value.extensions["errors"][0]["pointer"].endswith(pointer)


def test_an_action_keeps_the_owner_who_left_but_no_new_one_is_given_them() -> None:
    first = revise(Content((goal(),), (action(BRUNO),)), active_members={BRUNO})
    # Bruno has left: his action stays his; a new action cannot be his
    again = revise(first, active_members={ALICE}, owners_before=owners(first))
    assert again.actions[0].owner == BRUNO
    with pytest.raises(ValidationFailed):
        revise(
            Content(first.goals, (*first.actions, action(BRUNO))),
            active_members={ALICE},
            owners_before=owners(first),
        )


@given(st.lists(st.tuples(st.integers(0, 3), st.booleans()), min_size=1, max_size=12))
def test_revisions_keep_the_identity_of_what_they_keep(steps: list[tuple[int, bool]]) -> None:
    """Each step keeps some of the goals and adds new ones: the kept ones keep their ids, the
    new ones get ids never seen before."""
    current = revise(Content((goal(),), ()), active_members={ALICE})
    seen = {g.id for g in current.goals}
    for keep, add in steps:
        kept = current.goals[: max(1, min(keep, len(current.goals)))]
        proposed = Content((*kept, *((goal(domain=PlanDomain.WORK),) if add else ())), ())
        current = revise(proposed, active_members={ALICE})
        assert [g.id for g in current.goals[: len(kept)]] == [g.id for g in kept]
        fresh = {g.id for g in current.goals[len(kept) :]}
        assert not fresh & seen
        seen |= fresh
