"""Household queries: the only place that builds SQL for households."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import delete, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from kit.pagination import Page, PageParams, paginate
from kit.query import first
from services.intake import links
from services.intake.households.models import Household, HouseholdMember
from services.intake.visibility import visible_person_ids


def _visible(stmt: SelectOfScalar[Household], principal: Principal) -> SelectOfScalar[Household]:
    """A household is visible to its registering organisation and to whoever sees a member."""
    visible = visible_person_ids(principal)
    if visible is None:
        return stmt
    with_visible_member = select(HouseholdMember.household_id).where(
        col(HouseholdMember.person_id).in_(visible)
    )
    return stmt.where(
        or_(
            col(Household.registered_by_organisation) == principal.organisation,
            col(Household.id).in_(with_visible_member),
        )
    )


async def get_visible(
    session: AsyncSession,
    household_id: uuid.UUID,
    principal: Principal,
    *,
    for_update: bool = False,
) -> Household | None:
    stmt = _visible(select(Household).where(Household.id == household_id), principal)
    return await first(session, stmt, for_update=for_update)


async def list_visible(
    session: AsyncSession, principal: Principal, params: PageParams, *, person_id: uuid.UUID | None
) -> Page[Household]:
    stmt = _visible(select(Household), principal)
    if person_id is not None:
        stmt = stmt.where(
            col(Household.id).in_(
                select(HouseholdMember.household_id).where(HouseholdMember.person_id == person_id)
            )
        )
    return await paginate(
        session, stmt, params, order_by=(Household.created_at, Household.id), descending=True
    )


async def members(
    session: AsyncSession, household_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[HouseholdMember]]:
    found: dict[uuid.UUID, list[HouseholdMember]] = {h: [] for h in household_ids}
    if not household_ids:
        return found
    stmt = (
        select(HouseholdMember)
        .where(col(HouseholdMember.household_id).in_(household_ids))
        .order_by(col(HouseholdMember.relation), col(HouseholdMember.person_id))
    )
    for member in await session.exec(stmt):
        found[member.household_id].append(member)
    return found


async def replace_members(
    session: AsyncSession, household_id: uuid.UUID, new: list[HouseholdMember]
) -> None:
    await session.exec(
        delete(HouseholdMember).where(col(HouseholdMember.household_id) == household_id)
    )
    session.add_all(new)
    await session.flush()


async def households_of(session: AsyncSession, person_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = select(HouseholdMember.household_id).where(HouseholdMember.person_id == person_id)
    return list(await session.exec(stmt))


async def memberships_of(
    session: AsyncSession, person_ids: Collection[uuid.UUID]
) -> list[HouseholdMember]:
    stmt = select(HouseholdMember).where(col(HouseholdMember.person_id).in_(person_ids))
    return list(await session.exec(stmt))


move_links = links.LinkTable(HouseholdMember, "household_id").move
"""Re-point a person's household memberships from one person to another (merge and split)."""
