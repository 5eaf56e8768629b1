"""The case status machine: pure rules, no I/O."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.schemas import TargetGroup as PlatformTargetGroup
from services.casework.cases.domain import (
    FINAL,
    INITIAL,
    RUNNING,
    TRANSITIONS,
    IllegalTransition,
    Reach,
    Status,
    TargetGroup,
    manages,
    resume,
    step,
    target_group_of_referral,
    transition,
    visible_to,
)

MAIN_LINE = [Status.OPEN, Status.ASSESSMENT, Status.PLAN_ACTIVE, Status.MONITORING, Status.CLOSED]


def test_a_case_opens_and_can_follow_the_main_line_to_closure() -> None:
    status = INITIAL
    assert status is Status.OPEN
    for target in MAIN_LINE[1:]:
        status = transition(status, target)
    assert status is Status.CLOSED


WORKING = [s for s in Status if s not in FINAL and s is not Status.TRANSFERRED]


@pytest.mark.parametrize("status", WORKING)
def test_any_case_being_worked_on_can_be_closed_or_transferred(status: Status) -> None:
    assert transition(status, Status.CLOSED) is Status.CLOSED
    assert transition(status, Status.TRANSFERRED) is Status.TRANSFERRED


def test_closed_is_the_only_end() -> None:
    assert {Status.CLOSED} == FINAL


@pytest.mark.parametrize("status", WORKING)
def test_a_transfer_resumes_the_status_the_case_had(status: Status) -> None:
    assert resume(transition(status, Status.TRANSFERRED), status) is status


def test_a_case_being_transferred_is_neither_closed_nor_stepped() -> None:
    with pytest.raises(IllegalTransition):
        transition(Status.TRANSFERRED, Status.CLOSED)
    with pytest.raises(IllegalTransition):
        step(Status.TRANSFERRED, Status.MONITORING, first_plan_approved=True)
    with pytest.raises(IllegalTransition):
        resume(Status.PLAN_ACTIVE, Status.MONITORING)  # no transfer to answer


def test_reach_grows_from_the_case_to_its_plan_to_its_notes() -> None:
    assert Reach.NOTES.includes(Reach.PLAN)
    assert Reach.PLAN.includes(Reach.CASE)
    assert not Reach.CASE.includes(Reach.PLAN)
    assert all(r.includes(r) for r in Reach)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.OPEN, Status.PLAN_ACTIVE),  # no plan without an assessment
        (Status.OPEN, Status.MONITORING),
        (Status.ASSESSMENT, Status.OPEN),
        (Status.CLOSED, Status.OPEN),  # only `reopen` leaves closed
        (Status.CLOSED, Status.ASSESSMENT),
        (Status.MONITORING, Status.ASSESSMENT),
        (Status.TRANSFERRED, Status.CLOSED),
        (Status.OPEN, Status.OPEN),
    ],
)
def test_illegal_moves_are_a_409_problem(current: Status, target: Status) -> None:
    with pytest.raises(IllegalTransition) as raised:
        transition(current, target)
    assert raised.value.status == 409
    assert raised.value.type == "urn:lgnet:problem:illegal-case-transition"


@given(st.lists(st.sampled_from(Status), max_size=12))
def test_any_sequence_of_moves_is_either_refused_or_follows_the_table(
    targets: list[Status],
) -> None:
    status = INITIAL
    for target in targets:
        if target in TRANSITIONS[status]:
            status = transition(status, target)
        else:
            with pytest.raises(IllegalTransition):
                transition(status, target)
    assert status in TRANSITIONS


def test_monitoring_that_finds_new_needs_goes_back_to_an_active_plan() -> None:
    assert transition(Status.MONITORING, Status.PLAN_ACTIVE) is Status.PLAN_ACTIVE


def _reachable(start: Status) -> set[Status]:
    seen, todo = {start}, [start]
    while todo:
        for target in TRANSITIONS[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.mark.parametrize("status", sorted(RUNNING))
def test_every_running_case_can_still_reach_both_ends(status: Status) -> None:
    assert _reachable(status) >= FINAL


def test_every_status_is_reachable_from_open() -> None:
    assert _reachable(INITIAL) == set(Status)


@given(st.data())
def test_a_walk_that_never_goes_back_ends_within_four_moves(data: st.DataObject) -> None:
    main_line = list(Status)  # a transfer is a detour that comes back: not a step forward
    status, moves = INITIAL, 0
    while status not in FINAL:
        forward = sorted(
            t
            for t in TRANSITIONS[status]
            if main_line.index(t) > main_line.index(status) and t is not Status.TRANSFERRED
        )
        status = transition(status, data.draw(st.sampled_from(forward)))
        moves += 1
    assert moves <= 4


@pytest.mark.parametrize(
    ("referral", "case"),
    [
        (PlatformTargetGroup.UNACCOMPANIED_MINOR, TargetGroup.UNACCOMPANIED_MINOR),
        (PlatformTargetGroup.YOUNG_ADULT, TargetGroup.YOUNG_ADULT_LEAVING_CARE),
        (PlatformTargetGroup.VULNERABLE_FAMILY, TargetGroup.VULNERABLE_FAMILY),
        (PlatformTargetGroup.OTHER, TargetGroup.OTHER_VULNERABLE),
        ("a_group_intake_adds_later", TargetGroup.OTHER_VULNERABLE),
    ],
)
def test_a_referrals_target_group_becomes_the_cases(referral: str, case: TargetGroup) -> None:
    assert target_group_of_referral(referral) is case


def test_every_platform_target_group_has_its_case_group() -> None:
    assert {target_group_of_referral(group) for group in PlatformTargetGroup} == set(TargetGroup)


@pytest.mark.parametrize(
    ("organisation", "coordinator", "on_team", "visible"),
    [
        ("assoc-ponte", False, False, True),  # the lead organisation
        ("coop-aurora", False, False, False),  # another partner, even the one that reported it
        ("coop-aurora", False, True, True),  # ... unless it is on the team
        ("comune-milano", True, False, True),  # a Comune coordinator
    ],
)
def test_a_case_is_visible_to_its_lead_organisation_its_team_and_coordinators(
    organisation: str, coordinator: bool, on_team: bool, visible: bool
) -> None:
    assert (
        visible_to(
            lead_organisation="assoc-ponte",
            organisation=organisation,
            coordinator=coordinator,
            on_team=on_team,
        )
        is visible
    )


@pytest.mark.parametrize(
    ("organisation", "case_manager", "manages_it"),
    [("assoc-ponte", False, True), ("coop-aurora", True, True), ("coop-aurora", False, False)],
)
def test_the_lead_organisation_and_the_case_manager_change_a_case(
    organisation: str, case_manager: bool, manages_it: bool
) -> None:
    assert (
        manages(
            lead_organisation="assoc-ponte", organisation=organisation, case_manager=case_manager
        )
        is manages_it
    )


@pytest.mark.parametrize(
    ("current", "target"),
    [(Status.OPEN, Status.ASSESSMENT), (Status.PLAN_ACTIVE, Status.MONITORING)],
)
def test_a_case_worker_steps_a_case_forward(current: Status, target: Status) -> None:
    assert step(current, target, first_plan_approved=False) is target


@pytest.mark.parametrize("target", [Status.CLOSED, Status.TRANSFERRED])
def test_closing_and_transferring_are_never_a_bare_status_change(target: Status) -> None:
    with pytest.raises(IllegalTransition):
        step(Status.ASSESSMENT, target, first_plan_approved=True)


def test_a_plan_becomes_active_only_once_the_first_plan_is_approved() -> None:
    with pytest.raises(IllegalTransition):
        step(Status.ASSESSMENT, Status.PLAN_ACTIVE, first_plan_approved=False)
    assert (
        step(Status.ASSESSMENT, Status.PLAN_ACTIVE, first_plan_approved=True) is Status.PLAN_ACTIVE
    )
