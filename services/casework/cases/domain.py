"""Case rules: vocabularies, the status machine, closure and re-opening, who may see a case.
Pure: no I/O.

A case moves along ``open → assessment → plan_active → monitoring → closed``. Monitoring that
finds new needs goes back to ``plan_active`` (a new plan version). From any status before the
end a case may be closed early (the person is no longer reachable, support was refused…) or
``transferred`` to another lead organisation: the transfer keeps the history here and the
receiving organisation carries on, so ``transferred`` is final. ``closed`` is final too unless
the case is re-opened (`closure.reopen`).
"""

from __future__ import annotations

from enum import StrEnum

from kit.errors import Conflict
from kit.schemas import TargetGroup as PlatformTargetGroup


class Status(StrEnum):
    OPEN = "open"
    ASSESSMENT = "assessment"
    PLAN_ACTIVE = "plan_active"
    MONITORING = "monitoring"
    CLOSED = "closed"
    TRANSFERRED = "transferred"


class TargetGroup(StrEnum):
    """Whom a case is for: casework's own, finer than the platform's referral vocabulary."""

    UNACCOMPANIED_MINOR = "unaccompanied_minor"  # MSNA: the minors' track applies
    YOUNG_ADULT_LEAVING_CARE = "young_adult_leaving_care"  # neomaggiorenni
    VULNERABLE_FAMILY = "vulnerable_family"
    OTHER_VULNERABLE = "other_vulnerable"


_FROM_REFERRAL = {
    PlatformTargetGroup.UNACCOMPANIED_MINOR: TargetGroup.UNACCOMPANIED_MINOR,
    PlatformTargetGroup.YOUNG_ADULT: TargetGroup.YOUNG_ADULT_LEAVING_CARE,
    PlatformTargetGroup.VULNERABLE_FAMILY: TargetGroup.VULNERABLE_FAMILY,
    PlatformTargetGroup.OTHER: TargetGroup.OTHER_VULNERABLE,
}


def target_group_of_referral(referral_target_group: str) -> TargetGroup:
    """A handed-over referral's target group (intake's vocabulary) as a case's. A value intake
    added later, which casework does not know yet, is ``other_vulnerable``: the case is opened,
    and a case worker can correct it."""
    try:
        return _FROM_REFERRAL[PlatformTargetGroup(referral_target_group)]
    except ValueError:
        return TargetGroup.OTHER_VULNERABLE


class Outcome(StrEnum):
    """How a case ended: what the Observatory counts."""

    AUTONOMY_REACHED = "autonomy_reached"
    TRANSFERRED_TO_OTHER_SERVICE = "transferred_to_other_service"  # outside the network
    MOVED_AWAY = "moved_away"
    LOST_CONTACT = "lost_contact"
    TURNED_ADULT_NO_EXTENSION = "turned_adult_no_extension"  # 18, no prosieguo to 21
    OTHER = "other"


class IllegalTransition(
    Conflict, slug="illegal-case-transition", title="Illegal case status transition"
):
    """The case's status does not allow the move asked for (409)."""


INITIAL = Status.OPEN
"""A case is opened when intake hands a referral over, or by a case worker."""

_ENDINGS = frozenset({Status.CLOSED, Status.TRANSFERRED})

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.ASSESSMENT, *_ENDINGS}),
    Status.ASSESSMENT: frozenset({Status.PLAN_ACTIVE, *_ENDINGS}),
    Status.PLAN_ACTIVE: frozenset({Status.MONITORING, *_ENDINGS}),
    Status.MONITORING: frozenset({Status.PLAN_ACTIVE, *_ENDINGS}),
    Status.CLOSED: frozenset(),  # only `reopen` leaves it
    Status.TRANSFERRED: frozenset(),
}
"""status → the statuses a case worker may move it to (closing also needs an approval)."""

FINAL = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
RUNNING = frozenset(Status) - FINAL
"""The statuses of a case someone is working on: reviews fall due, teams act."""


def transition(current: Status, target: Status) -> Status:
    """The new status, or ``IllegalTransition`` (409) if ``current`` cannot move to ``target``."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(f"A case that is {current} cannot become {target}.")
    return target


def step(current: Status, target: Status, *, first_plan_approved: bool) -> Status:
    """A status a case worker sets directly: ``open → assessment``, ``plan_active ↔
    monitoring``, and ``assessment → plan_active`` once a first plan is approved. Closing
    needs an approved closure, a transfer its own request: never a bare status change."""
    if target is Status.CLOSED:
        raise IllegalTransition("A case is closed by an approved closure request.")
    if target is Status.TRANSFERRED:
        raise IllegalTransition("A case is transferred by a transfer to another organisation.")
    if current is Status.ASSESSMENT and target is Status.PLAN_ACTIVE and not first_plan_approved:
        raise IllegalTransition("A case's plan becomes active once its first plan is approved.")
    return transition(current, target)


class Origin(StrEnum):
    """How the case was opened."""

    HANDOVER = "handover"  # intake handed a referral over
    MANUAL = "manual"  # a case worker opened it (a person known to the network already)


class Urgency(StrEnum):
    """Intake's urgency vocabulary, which a manually opened case is given too."""

    IMMEDIATE = "immediate"
    HIGH = "high"
    NORMAL = "normal"


def visible_to(
    *, lead_organisation: str, organisation: str, coordinator: bool, on_team: bool
) -> bool:
    """A case is visible to its lead organisation, to the active members of its team (each
    for themselves, not their whole organisation) and to coordinators."""
    return coordinator or organisation == lead_organisation or on_team


def manages(*, lead_organisation: str, organisation: str, case_manager: bool) -> bool:
    """Who changes a case (status, team, closure requests): the lead organisation's case
    workers and supervisors, and the case manager whatever their organisation."""
    return organisation == lead_organisation or case_manager
