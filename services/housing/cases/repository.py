"""Case-fact queries: the only place that builds SQL for the case facts."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.housing.cases.models import CaseFact, CaseFactMember, CaseFactPerson


async def get(session: AsyncSession, case_id: uuid.UUID) -> CaseFact | None:
    return await session.get(CaseFact, case_id)


async def many(session: AsyncSession, case_ids: Collection[uuid.UUID]) -> list[CaseFact]:
    if not case_ids:
        return []
    stmt = select(CaseFact).where(col(CaseFact.case_id).in_(list(case_ids)))
    return list(await session.exec(stmt))


async def team_organisations(session: AsyncSession, case_id: uuid.UUID) -> set[str]:
    stmt = select(CaseFactMember.organisation).where(col(CaseFactMember.case_id) == case_id)
    return set(await session.exec(stmt))


async def persons(session: AsyncSession, case_id: uuid.UUID) -> set[uuid.UUID]:
    stmt = select(CaseFactPerson.person_ref).where(col(CaseFactPerson.case_id) == case_id)
    return set(await session.exec(stmt))


async def cases_of_persons(
    session: AsyncSession, person_refs: Collection[uuid.UUID]
) -> list[uuid.UUID]:
    stmt = (
        select(CaseFactPerson.case_id)
        .where(col(CaseFactPerson.person_ref).in_(list(person_refs)))
        .distinct()
    )
    return sorted(await session.exec(stmt))


async def add_person(session: AsyncSession, case_id: uuid.UUID, person_ref: uuid.UUID) -> None:
    if await session.get(CaseFactPerson, (case_id, person_ref)) is None:
        session.add(CaseFactPerson(case_id=case_id, person_ref=person_ref))


async def drop_persons(session: AsyncSession, case_id: uuid.UUID) -> None:
    await session.exec(delete(CaseFactPerson).where(col(CaseFactPerson.case_id) == case_id))
