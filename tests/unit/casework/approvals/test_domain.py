"""Approval rules: a supervisor of the lead organisation decides, never the one who asked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Forbidden, ValidationFailed
from services.casework.approvals.domain import (
    AlreadyDecided,
    ApprovalPending,
    ApprovalStatus,
    Decider,
    Decision,
    NotASupervisor,
    OwnRequest,
    Subject,
    decide,
    may_request,
    withdraw,
)

LEAD = "assoc-ponte"
WORKER = "worker-1"
SUPERVISOR = Decider(user="supervisor-1", organisation=LEAD, supervisor=True)


def _decide(
    decision: Decision,
    *,
    decider: Decider = SUPERVISOR,
    status: ApprovalStatus = ApprovalStatus.PENDING,
    reason: str | None = None,
) -> ApprovalStatus:
    return decide(
        status,
        decision,
        requested_by=WORKER,
        lead_organisation=LEAD,
        decider=decider,
        reason=reason,
    )


def test_a_supervisor_of_the_lead_organisation_approves() -> None:
    assert _decide(Decision.APPROVE) is ApprovalStatus.APPROVED


def test_a_send_back_says_why() -> None:
    assert _decide(Decision.SEND_BACK, reason="Goals lack dates") is ApprovalStatus.SENT_BACK
    for missing in (None, "", "   "):
        with pytest.raises(ValidationFailed) as raised:
            _decide(Decision.SEND_BACK, reason=missing)
        assert raised.value.errors[0]["pointer"] == "#/reason"


@pytest.mark.parametrize(
    "decider",
    [
        Decider(user="worker-2", organisation=LEAD, supervisor=False),  # not a supervisor
        Decider(user="supervisor-9", organisation="coop-aurora", supervisor=True),  # other org
    ],
)
def test_only_a_supervisor_of_the_lead_organisation_decides(decider: Decider) -> None:
    with pytest.raises(NotASupervisor) as raised:
        _decide(Decision.APPROVE, decider=decider)
    assert raised.value.status == 403


def test_the_one_who_asked_never_decides_even_as_a_supervisor() -> None:
    asker = Decider(user=WORKER, organisation=LEAD, supervisor=True)
    with pytest.raises(OwnRequest):
        _decide(Decision.APPROVE, decider=asker)


@given(
    st.sampled_from([s for s in ApprovalStatus if s is not ApprovalStatus.PENDING]),
    st.sampled_from(Decision),
)
def test_a_decided_or_withdrawn_approval_is_never_decided_again(
    status: ApprovalStatus, decision: Decision
) -> None:
    with pytest.raises(AlreadyDecided) as raised:
        _decide(decision, status=status, reason="because")
    assert raised.value.status == 409
    with pytest.raises(AlreadyDecided):
        withdraw(status, requested_by=WORKER, user=WORKER)


def test_only_the_one_who_asked_withdraws_a_pending_request() -> None:
    assert withdraw(ApprovalStatus.PENDING, requested_by=WORKER, user=WORKER) is (
        ApprovalStatus.WITHDRAWN
    )
    with pytest.raises(Forbidden):
        withdraw(ApprovalStatus.PENDING, requested_by=WORKER, user=SUPERVISOR.user)


@given(st.sets(st.sampled_from(Subject)), st.sampled_from(Subject))
def test_one_approval_of_a_kind_waits_per_case(pending: set[Subject], subject: Subject) -> None:
    if subject in pending:
        with pytest.raises(ApprovalPending):
            may_request(frozenset(pending), subject)
    else:
        may_request(frozenset(pending), subject)
