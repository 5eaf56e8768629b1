"""Transfer rules: only the receiving organisation's supervisor answers, once; accepting
names a case manager, refusing gives a reason; only the asking organisation withdraws."""

from __future__ import annotations

import pytest

from kit.errors import ProblemError
from services.casework.transfers.domain import (
    Answer,
    Answerer,
    NotReceivingSupervisor,
    NotRequester,
    TransferAnswered,
    TransferStatus,
    answer,
    may_ask,
    withdraw,
)

RECEIVING = "coop-aurora"
SUPERVISOR = Answerer(organisation=RECEIVING, supervisor=True)


def _answer(
    status: TransferStatus = TransferStatus.PENDING,
    given: Answer = Answer.ACCEPT,
    *,
    answerer: Answerer = SUPERVISOR,
    manager_named: bool = True,
    reason: str | None = None,
) -> TransferStatus:
    return answer(
        status,
        given,
        to_organisation=RECEIVING,
        answerer=answerer,
        manager_named=manager_named,
        refusal_reason=reason,
    )


def test_the_receiving_supervisor_accepts_naming_a_case_manager() -> None:
    assert _answer() is TransferStatus.ACCEPTED
    with pytest.raises(ProblemError) as raised:
        _answer(manager_named=False)
    assert raised.value.status == 422


def test_a_refusal_gives_its_reason() -> None:
    assert _answer(given=Answer.REFUSE, reason="No places") is TransferStatus.REFUSED
    with pytest.raises(ProblemError) as raised:
        _answer(given=Answer.REFUSE)
    assert raised.value.status == 422


@pytest.mark.parametrize(
    "answerer",
    [Answerer(organisation=RECEIVING, supervisor=False), Answerer("assoc-ponte", supervisor=True)],
)
def test_no_one_else_answers(answerer: Answerer) -> None:
    with pytest.raises(NotReceivingSupervisor):
        _answer(answerer=answerer)


@pytest.mark.parametrize(
    "status", [TransferStatus.ACCEPTED, TransferStatus.REFUSED, TransferStatus.WITHDRAWN]
)
def test_a_transfer_is_answered_or_withdrawn_once(status: TransferStatus) -> None:
    with pytest.raises(TransferAnswered):
        _answer(status)
    with pytest.raises(TransferAnswered):
        withdraw(status, from_organisation="assoc-ponte", organisation="assoc-ponte")


def test_only_the_asking_organisation_withdraws() -> None:
    assert (
        withdraw(
            TransferStatus.PENDING, from_organisation="assoc-ponte", organisation="assoc-ponte"
        )
        is TransferStatus.WITHDRAWN
    )
    with pytest.raises(NotRequester):
        withdraw(TransferStatus.PENDING, from_organisation="assoc-ponte", organisation=RECEIVING)


def test_a_case_is_not_transferred_to_its_own_lead() -> None:
    with pytest.raises(ProblemError) as raised:
        may_ask(lead_organisation="assoc-ponte", to_organisation="assoc-ponte")
    assert raised.value.status == 422
