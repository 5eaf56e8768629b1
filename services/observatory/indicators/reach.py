"""The reach of the initiatives in the neighbourhoods: who took part, and who came back. Pure.

Participants are the beneficiaries checked in at a session (walk-ins are not named, so not
counted). The observatory keeps of each only a **participant key**: a one-way digest of the
person's pseudonymous reference, enough to count them once, never returned. A participant is
counted once in a cohort of sessions, in the month and Municipio of the first session they
attended in it, so that a table's cells add up to its total (as the protection needs); a
*repeat* participant attended two sessions or more of the cohort.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.observatory.indicators.breakdowns import ONCE, REPEAT, Counts

_KEY_DOMAIN = b"lgnet.observatory.participant:"


def participant_key(person_ref: uuid.UUID) -> str:
    """The participant key of a person reference (a SHA-256 prefix: 128 bits)."""
    return hashlib.sha256(_KEY_DOMAIN + person_ref.bytes).hexdigest()[:32]


@dataclass(frozen=True)
class Attended:
    """A participant at a session of the cohort: the session's start, month and Municipio."""

    participant: str
    session_id: uuid.UUID
    starts_at: datetime
    month: str
    municipio: int


def participant_counts(attendances: Iterable[Attended]) -> Counts:
    """Participants by ``(repeat | once, month, Municipio)`` of their first session."""
    first: dict[str, Attended] = {}
    sessions: dict[str, set[uuid.UUID]] = {}
    for attended in attendances:
        known = first.get(attended.participant)
        if known is None or (attended.starts_at, str(attended.session_id)) < (
            known.starts_at,
            str(known.session_id),
        ):
            first[attended.participant] = attended
        sessions.setdefault(attended.participant, set()).add(attended.session_id)
    counted: Counter[tuple[str | int, ...]] = Counter(
        (REPEAT if len(sessions[p]) > 1 else ONCE, at.month, str(at.municipio))
        for p, at in first.items()
    )
    return dict(counted)
