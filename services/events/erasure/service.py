"""Erasure use cases: a public registrant's name and contact (and their feedback's comment)
erased on request, by their token or by those who run the initiative, and by the retention
job once the period after their session ends. Never commits.

Only public registrants are erased here: a beneficiary's registration holds intake's
pseudonymous reference, and the person is erased in intake.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from services.events.attendance import service as attendance
from services.events.erasure.schemas import RegistrantErasureIn
from services.events.registrations import service as registrations
from services.events.registrations.service import ErasureGround, Registration


async def erase(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    registration_id: uuid.UUID,
    erasure_in: RegistrantErasureIn,
    if_match: str | None,
) -> Registration:
    erased = await registrations.erase(
        session=session,
        principal=principal,
        initiative_id=initiative_id,
        session_id=session_id,
        registration_id=registration_id,
        ground=ErasureGround(erasure_in.ground),
        if_match=if_match,
    )
    await attendance.erase_comments(session, [erased.id])
    return erased


async def erase_by_token(*, session: AsyncSession, token: str) -> Registration:
    erased = await registrations.erase_by_token(session=session, token=token)
    await attendance.erase_comments(session, [erased.id])
    return erased


async def erase_expired(
    *, session: AsyncSession, now: datetime, retention: timedelta, limit: int
) -> tuple[list[uuid.UUID], int]:
    """One batch of the retention job: the registrations erased, and how many were due
    (call again while that equals `limit`)."""
    erased = await registrations.erase_expired(session, now=now, retention=retention, limit=limit)
    ids = [row.id for row in erased]
    await attendance.erase_comments(session, ids)
    return ids, len(ids)


async def person_erased(session: AsyncSession, person_refs: list[uuid.UUID]) -> None:
    """A beneficiary erased in intake: their registrations keep intake's reference (it is
    pseudonymous, and intake keeps it), their feedback loses its comment."""
    await attendance.erase_comments(session, await registrations.of_persons(session, person_refs))
