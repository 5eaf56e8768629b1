"""Approval rules: who may decide what, and what a decision leaves. Pure: no I/O.

A case worker asks for an approval (the first plan version, or a closure); it is ``pending``
until a supervisor of the case's lead organisation approves it or sends it back with a reason,
or the one who asked withdraws it. Child-protection systems keep four eyes on these steps: the
person who asked never decides. One approval of a kind waits per case at a time; what it
approved is recorded by version (the plan version, the closure asked for), so a later change
never inherits an approval it did not get.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kit.errors import Conflict, Forbidden, ValidationFailed


class Subject(StrEnum):
    """What is to be approved."""

    FIRST_PLAN = "first_plan"
    CLOSURE = "closure"


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SENT_BACK = "sent_back"
    WITHDRAWN = "withdrawn"


class Decision(StrEnum):
    APPROVE = "approve"
    SEND_BACK = "send_back"


class AlreadyDecided(Conflict, slug="approval-already-decided", title="Approval already decided"):
    """Only a pending approval can be decided or withdrawn (409)."""


class ApprovalPending(Conflict, slug="approval-pending", title="An approval is already pending"):
    """A second request of the same kind while one waits (409)."""


class NotASupervisor(
    Forbidden, slug="not-the-case-supervisor", title="Not a supervisor of the case"
):
    """Only a supervisor of the case's lead organisation decides (403)."""


class OwnRequest(Forbidden, slug="own-approval-request", title="You asked for this approval"):
    """The person who asked cannot decide (four eyes) (403)."""


@dataclass(frozen=True)
class Decider:
    """Who is deciding, as the rules need them."""

    user: str
    organisation: str
    supervisor: bool  # holds the supervisor role in `organisation`


def may_request(pending: frozenset[Subject], subject: Subject) -> None:
    """``ApprovalPending`` if an approval of `subject` already waits for the case."""
    if subject in pending:
        raise ApprovalPending(f"An approval of the {subject} already waits for a decision.")


def decide(
    status: ApprovalStatus,
    decision: Decision,
    *,
    requested_by: str,
    lead_organisation: str,
    decider: Decider,
    reason: str | None,
) -> ApprovalStatus:
    """The approval's status after `decider` decides; a send-back needs a reason."""
    if status is not ApprovalStatus.PENDING:
        raise AlreadyDecided(f"This approval was already {status}.")
    if not decider.supervisor or decider.organisation != lead_organisation:
        raise NotASupervisor("Only a supervisor of the case's lead organisation decides.")
    if decider.user == requested_by:
        raise OwnRequest("Someone other than the person who asked must decide.")
    if decision is Decision.APPROVE:
        return ApprovalStatus.APPROVED
    if not (reason and reason.strip()):
        raise ValidationFailed.for_field("reason", "is required to send back", code="missing")
    return ApprovalStatus.SENT_BACK


def withdraw(status: ApprovalStatus, *, requested_by: str, user: str) -> ApprovalStatus:
    """The one who asked takes the request back while it is pending."""
    if status is not ApprovalStatus.PENDING:
        raise AlreadyDecided(f"This approval was already {status}.")
    if user != requested_by:
        raise Forbidden("Only the person who asked can withdraw the request.")
    return ApprovalStatus.WITHDRAWN


class NothingToApprove(Conflict, slug="no-plan-to-approve", title="No plan awaits approval"):
    """The case has no plan yet, or its first plan was approved already (409)."""


class PlanChanged(
    Conflict, slug="plan-changed-since-asked", title="The plan changed since approval was asked"
):
    """A supervisor approves the plan that was asked about, and only while it is the latest:
    withdraw the request and ask again for the new version (409)."""


def first_plan_to_approve(*, latest_version: int | None, approved_version: int | None) -> int:
    """The plan version an approval of the first plan is asked for: the latest one."""
    if latest_version is None:
        raise NothingToApprove("The case has no plan yet.")
    if approved_version is not None:
        raise NothingToApprove(f"The case's first plan was approved (version {approved_version}).")
    return latest_version


def still_the_plan(*, asked_version: int, latest_version: int | None) -> None:
    """``PlanChanged`` unless the version asked about is still the plan's latest."""
    if latest_version != asked_version:
        raise PlanChanged(
            f"Version {asked_version} was asked about; the plan is at version {latest_version}."
        )
