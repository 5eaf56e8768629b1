"""Note queries: the only place that builds SQL for notes, and the reading rule as SQL."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.pagination import Page, PageParams, paginate
from services.casework.notes.domain import Readable
from services.casework.notes.models import Note
from services.casework.visibility import health_consent_holds


def _readable(user: str, allowed: Readable) -> ColumnElement[bool]:
    # domain.may_read, as SQL
    levels = [str(level) for level in allowed.levels]
    by_level: ColumnElement[bool] = col(Note.confidentiality).in_(levels)
    if not allowed.health:
        by_level = and_(by_level, col(Note.health).is_(False))
    health_ok = or_(
        col(Note.health).is_(False), health_consent_holds(col(Note.person_ref), col(Note.case_id))
    )
    return and_(or_(col(Note.author) == user, by_level), health_ok)


async def list_readable(
    session: AsyncSession,
    case_id: uuid.UUID,
    user: str,
    allowed: Readable,
    params: PageParams,
) -> Page[Note]:
    stmt = select(Note).where(col(Note.case_id) == case_id, _readable(user, allowed))
    return await paginate(session, stmt, params, order_by=(Note.written_at, Note.id))


async def get_readable(
    session: AsyncSession, case_id: uuid.UUID, note_id: uuid.UUID, user: str, allowed: Readable
) -> Note | None:
    stmt = select(Note).where(
        col(Note.case_id) == case_id, col(Note.id) == note_id, _readable(user, allowed)
    )
    return (await session.exec(stmt)).first()


async def about(
    session: AsyncSession, person_refs: list[uuid.UUID], sole_cases: list[uuid.UUID]
) -> list[Note]:
    """The notes naming one of `person_refs`, and the unnamed ones of cases about them alone."""
    conditions: list[ColumnElement[bool]] = [col(Note.person_ref).in_(person_refs)]
    if sole_cases:
        conditions.append(and_(col(Note.person_ref).is_(None), col(Note.case_id).in_(sole_cases)))
    return list(await session.exec(select(Note).where(or_(*conditions))))


async def get(session: AsyncSession, note_id: uuid.UUID) -> Note | None:
    return await session.get(Note, note_id)


async def naming(session: AsyncSession, person_ref: uuid.UUID) -> list[Note]:
    return list(await session.exec(select(Note).where(col(Note.person_ref) == person_ref)))


async def readable_about(
    session: AsyncSession,
    case_id: uuid.UUID,
    person_ref: uuid.UUID,
    user: str,
    allowed: Readable,
) -> list[Note]:
    about_them = or_(col(Note.person_ref) == person_ref, col(Note.person_ref).is_(None))
    stmt = select(Note).where(col(Note.case_id) == case_id, about_them, _readable(user, allowed))
    return list(await session.exec(stmt.order_by(col(Note.written_at), col(Note.id))))


async def of_case(session: AsyncSession, case_id: uuid.UUID) -> list[Note]:
    return list(await session.exec(select(Note).where(col(Note.case_id) == case_id)))
