"""Case rules: the status machine and who may see a case. Pure: no I/O.

A case moves along ``open → assessment → plan_active → monitoring → closed``; from any status
before the end it may also be closed early (the person is no longer reachable, support was
refused…) or ``transferred`` to another lead organisation. ``closed`` and ``transferred`` are
final for this case: a transfer keeps the history here and the receiving organisation carries on.
There are no cycles, so every case reaches an end in at most four moves.
"""

from __future__ import annotations

from enum import StrEnum

from kit.errors import Conflict


class Status(StrEnum):
    OPEN = "open"
    ASSESSMENT = "assessment"
    PLAN_ACTIVE = "plan_active"
    MONITORING = "monitoring"
    CLOSED = "closed"
    TRANSFERRED = "transferred"


class IllegalTransition(Conflict):
    slug = "illegal-case-transition"
    title = "Illegal case status transition"


INITIAL = Status.OPEN
"""A case is opened when intake hands a referral over."""

_ENDINGS = frozenset({Status.CLOSED, Status.TRANSFERRED})

# status -> the statuses it may move to
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.ASSESSMENT, *_ENDINGS}),
    Status.ASSESSMENT: frozenset({Status.PLAN_ACTIVE, *_ENDINGS}),
    Status.PLAN_ACTIVE: frozenset({Status.MONITORING, *_ENDINGS}),
    Status.MONITORING: _ENDINGS,
    Status.CLOSED: frozenset(),
    Status.TRANSFERRED: frozenset(),
}

FINAL = frozenset(status for status, targets in TRANSITIONS.items() if not targets)


def transition(current: Status, target: Status) -> Status:
    """The new status, or ``IllegalTransition`` (409) if ``current`` cannot move to ``target``."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(f"A case that is {current} cannot become {target}.")
    return target


def visible_to(*, lead_organisation: str, organisation: str, coordinator: bool) -> bool:
    """Cases are visible to their lead organisation and to coordinators (the case team's
    organisations join this rule when teams arrive)."""
    return coordinator or organisation == lead_organisation
