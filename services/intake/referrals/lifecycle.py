"""The referral's full status machine, as data, and the commands that move it. Pure: no I/O.

::

    received --screen(take_in_charge)--> screened --hand_over--> handed_over
    received --screen(refer_elsewhere)-> referred_elsewhere
    received --screen(no_action)-------> closed_no_action
    screened --screen(outcome)---------> screened | referred_elsewhere | closed_no_action

- ``screen(outcome)`` is the triage command (POST …/screening). Its outcome picks the target:
  ``take_in_charge`` → ``screened`` (waiting for hand-over), ``refer_elsewhere`` →
  ``referred_elsewhere``, ``no_action`` → ``closed_no_action``.
- A ``screened`` referral may be **screened again** before it is handed over (new facts from
  the outreach team, a re-scored urgency, or nobody can take the person in charge): that is how
  ``screened`` reaches ``referred_elsewhere`` and ``closed_no_action``, and
  ``screened → screened`` is a legal step of a re-screening that keeps ``take_in_charge``.
- ``hand_over`` is legal only from ``screened``, and ``screened`` is entered only by a
  ``take_in_charge`` screening: a referral is handed over only after it was taken in charge.
- ``handed_over``, ``referred_elsewhere`` and ``closed_no_action`` are terminal.

Every illegal command raises ``IllegalTransition`` (409) from ``domain.py``, the same type the
running API already renders.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final

from services.intake.referrals.domain import IllegalTransition

__all__ = [
    "SCREENING_TARGETS",
    "TERMINAL",
    "TRANSITIONS",
    "Command",
    "IllegalTransition",
    "ReferralStatus",
    "ScreeningOutcome",
    "hand_over",
    "is_terminal",
    "screen",
    "transition",
]


class ReferralStatus(StrEnum):
    RECEIVED = "received"
    SCREENED = "screened"
    HANDED_OVER = "handed_over"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    CLOSED_NO_ACTION = "closed_no_action"


_S = ReferralStatus

TRANSITIONS: Final = MappingProxyType(
    {
        _S.RECEIVED: frozenset({_S.SCREENED, _S.REFERRED_ELSEWHERE, _S.CLOSED_NO_ACTION}),
        _S.SCREENED: frozenset(
            {_S.SCREENED, _S.HANDED_OVER, _S.REFERRED_ELSEWHERE, _S.CLOSED_NO_ACTION}
        ),
        _S.HANDED_OVER: frozenset[ReferralStatus](),
        _S.REFERRED_ELSEWHERE: frozenset[ReferralStatus](),
        _S.CLOSED_NO_ACTION: frozenset[ReferralStatus](),
    }
)
"""Status → the statuses it may move to (read-only)."""

TERMINAL: Final = frozenset(status for status, nexts in TRANSITIONS.items() if not nexts)


class ScreeningOutcome(StrEnum):
    TAKE_IN_CHARGE = "take_in_charge"
    REFER_ELSEWHERE = "refer_elsewhere"
    NO_ACTION = "no_action"


SCREENING_TARGETS: Final = MappingProxyType(
    {
        ScreeningOutcome.TAKE_IN_CHARGE: _S.SCREENED,
        ScreeningOutcome.REFER_ELSEWHERE: _S.REFERRED_ELSEWHERE,
        ScreeningOutcome.NO_ACTION: _S.CLOSED_NO_ACTION,
    }
)
"""The status a screening with each outcome moves the referral to."""


class Command(StrEnum):
    SCREEN = "screen"
    HAND_OVER = "hand_over"


def is_terminal(status: ReferralStatus) -> bool:
    """Whether no command can move a referral out of ``status``."""
    return status in TERMINAL


def transition(
    current: ReferralStatus, target: ReferralStatus, *, command: Command | None = None
) -> ReferralStatus:
    """``target``, or ``IllegalTransition`` (409) if ``current`` cannot move to it."""
    if target not in TRANSITIONS[current]:
        doing = f" by {command}" if command is not None else ""
        raise IllegalTransition(f"A referral that is {current} cannot become {target}{doing}.")
    return target


def screen(current: ReferralStatus, outcome: ScreeningOutcome) -> ReferralStatus:
    """The status after a screening with ``outcome``; legal from received and screened."""
    return transition(current, SCREENING_TARGETS[outcome], command=Command.SCREEN)


def hand_over(current: ReferralStatus) -> ReferralStatus:
    """``handed_over``; legal only from ``screened`` (a ``take_in_charge`` screening)."""
    return transition(current, _S.HANDED_OVER, command=Command.HAND_OVER)
