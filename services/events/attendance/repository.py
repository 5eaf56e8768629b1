"""Scan and feedback queries: the only place that builds SQL for attendance."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.events.attendance.domain import ScanOutcome
from services.events.attendance.models import Feedback, Scan


async def scans_by_nonce(
    session: AsyncSession, session_id: uuid.UUID, nonces: Collection[str]
) -> dict[str, Scan]:
    if not nonces:
        return {}
    stmt = select(Scan).where(col(Scan.session_id) == session_id, col(Scan.nonce).in_(list(nonces)))
    return {scan.nonce: scan for scan in await session.exec(stmt)}


async def outcome_counts(session: AsyncSession, session_id: uuid.UUID) -> dict[ScanOutcome, int]:
    stmt = (
        select(Scan.outcome, func.count())
        .where(col(Scan.session_id) == session_id)
        .group_by(col(Scan.outcome))
    )
    return {ScanOutcome(outcome): int(n) for outcome, n in await session.exec(stmt)}


async def feedback_of(session: AsyncSession, registration_id: uuid.UUID) -> Feedback | None:
    stmt = select(Feedback).where(col(Feedback.registration_id) == registration_id)
    return (await session.exec(stmt)).first()


async def usefulness_counts(session: AsyncSession, session_id: uuid.UUID) -> dict[int, int]:
    stmt = (
        select(Feedback.usefulness, func.count())
        .where(col(Feedback.session_id) == session_id)
        .group_by(col(Feedback.usefulness))
    )
    return {int(score): int(n) for score, n in await session.exec(stmt)}


async def erase_comments(session: AsyncSession, registration_ids: Collection[uuid.UUID]) -> None:
    """The comments of these registrations' feedback go (free text may name someone); the
    scores stay for the counts."""
    if registration_ids:
        stmt = (
            update(Feedback)
            .where(col(Feedback.registration_id).in_(list(registration_ids)))
            .values(comment=None)
        )
        await (await session.connection()).execute(stmt)
