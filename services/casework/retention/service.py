"""Retention use cases: anonymise the closed cases whose period ended. Never commits.

The period is the closure policy in force when the case was closed (`cases.closure`),
fixed then as the case's ``anonymise_due_at``; a re-opening clears it. Each feature blanks its
own records of the case; the case's facts stay for the statistics.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.casework.approvals import service as approvals
from services.casework.cases import service as cases
from services.casework.minors import service as minors
from services.casework.notes import service as notes
from services.casework.plans import service as plans
from services.casework.referrals import service as referrals
from services.casework.transfers import service as transfers


@dataclass(frozen=True)
class Sweep:
    """One batch of the retention job: the cases anonymised, and how many were due."""

    anonymised: list[uuid.UUID]
    seen: int


async def anonymise_due(*, session: AsyncSession, now: datetime, limit: int) -> Sweep:
    """Anonymise up to `limit` cases due at `now` (locked, skipping those another run holds);
    call again while `Sweep.seen` equals `limit`."""
    due = await cases.due_for_anonymisation(session, now, limit)
    for case in due:
        await notes.anonymise_case(session, case.id)
        await plans.anonymise_case(session, case.id)
        await approvals.anonymise_case(session, case.id)
        await transfers.anonymise_case(session, case.id)
        await minors.anonymise_case(session, case.id)
        await referrals.anonymise_case(session, case.id)
        await cases.anonymise(session, case, now)
    return Sweep(anonymised=[case.id for case in due], seen=len(due))
