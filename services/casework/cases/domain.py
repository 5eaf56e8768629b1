"""Case rules: vocabularies, the status machine, closure and re-opening, who may see a case.
Pure: no I/O.

A case moves along ``open → assessment → plan_active → monitoring → closed``. Monitoring that
finds new needs goes back to ``plan_active`` (a new plan version). From any status before the
end a case may be closed early (the person is no longer reachable, support was refused…).
A case is ``transferred`` while another organisation decides whether to lead it: the
answer (or the request's withdrawal) resumes the status it had, under the new lead if it
accepted — one case, its history whole. ``closed`` is the only end, unless the case is
re-opened (`closure.reopen`).
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

_WORKING = frozenset({Status.OPEN, Status.ASSESSMENT, Status.PLAN_ACTIVE, Status.MONITORING})
_LEAVING = frozenset({Status.CLOSED, Status.TRANSFERRED})

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.ASSESSMENT, *_LEAVING}),
    Status.ASSESSMENT: frozenset({Status.PLAN_ACTIVE, *_LEAVING}),
    Status.PLAN_ACTIVE: frozenset({Status.MONITORING, *_LEAVING}),
    Status.MONITORING: frozenset({Status.PLAN_ACTIVE, *_LEAVING}),
    Status.CLOSED: frozenset(),  # only `reopen` leaves it
    Status.TRANSFERRED: _WORKING,  # back to where it was, once the transfer is answered
}
"""status → the statuses it may move to (closing needs an approval, a transfer an answer)."""

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
    if current is Status.TRANSFERRED:
        raise IllegalTransition("A case being transferred waits for the transfer's answer.")
    if current is Status.ASSESSMENT and target is Status.PLAN_ACTIVE and not first_plan_approved:
        raise IllegalTransition("A case's plan becomes active once its first plan is approved.")
    return transition(current, target)


def resume(current: Status, resumed: Status) -> Status:
    """The status a transferred case takes up again when its transfer is answered."""
    if current is not Status.TRANSFERRED:
        raise IllegalTransition(f"A case that is {current} is not being transferred.")
    return transition(current, resumed)


class SharingRefused(
    Conflict, slug="network-sharing-refused", title="The case cannot be shared beyond its lead"
):
    """A person of the case withdrew their ``network_sharing`` consent and no legal basis on
    the case covers the sharing: no other organisation may be brought in (409)."""


class Reach(StrEnum):
    """How much of a case an organisation that neither leads it nor is on its team reads,
    as the lead grants it (e.g. the former lead after a transfer); each includes the one
    before. No grant lets anyone change the case."""

    CASE = "case"  # the case, its status history, team, reviews and transfers
    PLAN = "plan"  # and its individual plan, every version
    NOTES = "notes"  # and its notes at the ``team`` level (never health notes)

    def includes(self, other: Reach) -> bool:
        order = list(Reach)
        return order.index(self) >= order.index(other)


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
    *,
    lead_organisation: str,
    organisation: str,
    coordinator: bool,
    on_team: bool,
    granted: bool = False,
    sharing_allowed: bool = True,
) -> bool:
    """A case is visible to its lead organisation, to coordinators, and — while its persons'
    data may be shared beyond the lead — to the active members of its team (each for
    themselves, not their whole organisation) and to organisations granted a read."""
    beyond = (on_team or granted) and sharing_allowed
    return coordinator or organisation == lead_organisation or beyond


def manages(*, lead_organisation: str, organisation: str, case_manager: bool) -> bool:
    """Who changes a case (status, team, closure requests): the lead organisation's case
    workers and supervisors, and the case manager whatever their organisation."""
    return organisation == lead_organisation or case_manager
