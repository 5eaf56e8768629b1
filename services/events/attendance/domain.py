"""Check-in and feedback rules: what a scan counts as, and who may give feedback. Pure: no
I/O.

A device scans registrations (or counts walk-ins) and may upload its scans later, when it is
back online, perhaps twice. Each scan carries the device's nonce: a scan sent again under the
same nonce answers as it did the first time and counts once. A person is checked in once,
whichever device scans them first; a scan refused (a cancelled registration, another
session's) says why, and is kept with its reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kit.errors import Conflict

HOLDING_A_SEAT = "registered"  # the only registration status a check-in admits
CANCELLED = "cancelled"


class ScanOutcome(StrEnum):
    CHECKED_IN = "checked_in"
    WALK_IN = "walk_in"
    ALREADY_CHECKED_IN = "already_checked_in"  # counted once, by an earlier scan
    REGISTRATION_CANCELLED = "registration_cancelled"
    NOT_HOLDING_A_SEAT = "not_holding_a_seat"  # in line, offered, or out of the line
    WRONG_SESSION = "wrong_session"
    UNKNOWN_REGISTRATION = "unknown_registration"
    NONCE_REUSED = "nonce_reused"  # another scan under a nonce already used: not kept


COUNTED = frozenset({ScanOutcome.CHECKED_IN, ScanOutcome.WALK_IN})
ACCEPTED = COUNTED | {ScanOutcome.ALREADY_CHECKED_IN}


@dataclass(frozen=True)
class Scanned:
    """A registration as a scan finds it."""

    session_id: uuid.UUID
    status: str
    checked_in_at: datetime | None


@dataclass(frozen=True)
class ScanIn:
    """What a device sends for one scan."""

    nonce: str
    registration_id: uuid.UUID | None  # None: a walk-in
    person_ref: uuid.UUID | None = None  # a walk-in known to the network, optionally


def judge(scan: ScanIn, found: Scanned | None, session_id: uuid.UUID) -> ScanOutcome:
    """What a new scan (a nonce not seen before) counts as in session `session_id`."""
    if scan.registration_id is None:
        return ScanOutcome.WALK_IN
    if found is None:
        return ScanOutcome.UNKNOWN_REGISTRATION
    if found.session_id != session_id:
        return ScanOutcome.WRONG_SESSION
    if found.status == CANCELLED:
        return ScanOutcome.REGISTRATION_CANCELLED
    if found.status != HOLDING_A_SEAT:
        return ScanOutcome.NOT_HOLDING_A_SEAT
    if found.checked_in_at is not None:
        return ScanOutcome.ALREADY_CHECKED_IN
    return ScanOutcome.CHECKED_IN


def same_scan(
    scan: ScanIn, registration_id: uuid.UUID | None, person_ref: uuid.UUID | None
) -> bool:
    """Whether `scan` is the one kept under its nonce (sent again), not another one."""
    return (scan.registration_id, scan.person_ref) == (registration_id, person_ref)


class NotAttended(Conflict):
    slug = "not-attended"
    title = "The registrant did not attend"


def require_attended(checked_in_at: datetime | None) -> None:
    """Feedback comes from those who were there (checked in)."""
    if checked_in_at is None:
        raise NotAttended("Only a registrant who was checked in gives feedback on the session.")
