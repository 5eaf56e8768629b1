"""Transfer rules: who asks, who answers, what an answer does. Pure: no I/O.

The lead organisation (its case workers, or the case manager) asks another organisation of
the network to lead the case. While it decides the case is ``transferred``: that
organisation reads the case and its plan, and nothing else changes hands. A supervisor of
the receiving organisation accepts — naming one of its workers as the new case manager, and
choosing how much the former lead keeps reading (`Reach`, or nothing) — or refuses with a
reason; the one who asked may withdraw first. Either way the case takes up the status it had.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kit.errors import Conflict, Forbidden, ValidationFailed


class TransferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class Answer(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"


class TransferAnswered(Conflict, slug="transfer-answered", title="Transfer already answered"):
    """The transfer is no longer pending (409)."""


class NotReceivingSupervisor(
    Forbidden,
    slug="not-receiving-supervisor",
    title="Not a supervisor of the receiving organisation",
):
    """Only a supervisor of the organisation asked answers a transfer (403)."""


class NotRequester(Forbidden, slug="not-transfer-requester", title="Not the one who asked"):
    """Only the organisation that asked withdraws a transfer (403)."""


@dataclass(frozen=True)
class Answerer:
    organisation: str
    supervisor: bool


def may_ask(*, lead_organisation: str, to_organisation: str) -> None:
    if to_organisation == lead_organisation:
        raise ValidationFailed.for_field(
            "to_organisation", "leads the case already", code="same_organisation"
        )


def answer(
    status: TransferStatus,
    answer: Answer,
    *,
    to_organisation: str,
    answerer: Answerer,
    manager_named: bool,
    refusal_reason: str | None,
) -> TransferStatus:
    """The transfer's status after `answerer`'s answer, or the problem that refuses it."""
    if not (answerer.supervisor and answerer.organisation == to_organisation):
        raise NotReceivingSupervisor(
            "Only a supervisor of the organisation asked answers this transfer."
        )
    _pending(status)
    if answer is Answer.ACCEPT:
        if not manager_named:
            raise ValidationFailed.for_field(
                "case_manager", "is required to accept", code="missing"
            )
        return TransferStatus.ACCEPTED
    if not refusal_reason:
        raise ValidationFailed.for_field("reason", "is required to refuse", code="missing")
    return TransferStatus.REFUSED


def withdraw(
    status: TransferStatus, *, from_organisation: str, organisation: str
) -> TransferStatus:
    if organisation != from_organisation:
        raise NotRequester("Only the organisation that asked withdraws this transfer.")
    _pending(status)
    return TransferStatus.WITHDRAWN


def _pending(status: TransferStatus) -> None:
    if status is not TransferStatus.PENDING:
        raise TransferAnswered(f"This transfer is {status} already.")
