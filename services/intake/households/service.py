"""Household use cases: register a household, change its composition, read it. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, AuditScope
from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, UnprocessableContent
from kit.etag import require_if_match
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from services.intake.households import repository
from services.intake.households.domain import check_composition
from services.intake.households.events import (
    HouseholdChanged,
    HouseholdChangedData,
    HouseholdMemberData,
    HouseholdRegistered,
)
from services.intake.households.models import Household, HouseholdMember
from services.intake.households.schemas import HouseholdIn
from services.intake.persons import service as persons
from services.intake.visibility import VisibleLookup

HOUSEHOLDS = AuditScope("household", AuditPurpose.REFERRAL_HANDLING)


class HouseholdNotFound(NotFound, slug="household-not-found", title="Household not found"): ...


_visible = VisibleLookup(repository.get_visible, HouseholdNotFound, "household").get


class UnknownMember(UnprocessableContent):
    slug = "unknown-household-member"
    title = "A member is not an active person visible to you"


async def _members(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID, household_in: HouseholdIn
) -> list[HouseholdMember]:
    check_composition([m.relation for m in household_in.members])
    ids = [m.person_id for m in household_in.members]
    if len(set(ids)) != len(ids):
        raise UnknownMember("A person appears twice in the household.")
    usable = await persons.visible_ids(session, principal, ids, active_only=True)
    missing = [str(i) for i in ids if i not in usable]
    if missing:
        raise UnknownMember(f"Not active persons visible to you: {', '.join(missing)}.")
    return [
        HouseholdMember(household_id=household_id, person_id=m.person_id, relation=m.relation)
        for m in household_in.members
    ]


async def register(
    *, session: AsyncSession, principal: Principal, household_in: HouseholdIn
) -> tuple[Household, list[HouseholdMember]]:
    now = utcnow()
    household = Household(
        registered_by_organisation=principal.organisation,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    members = await _members(session, principal, household.id, household_in)
    session.add(household)
    await session.flush()
    await repository.replace_members(session, household.id, members)
    await _changed(session, principal, household, members, created=True)
    return household, members


async def recompose(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    if_match: str | None,
    household_in: HouseholdIn,
) -> tuple[Household, list[HouseholdMember]]:
    household = await _visible(session, principal, household_id, for_update=True)
    require_if_match(if_match, household.version)
    members = await _members(session, principal, household.id, household_in)
    await repository.replace_members(session, household.id, members)
    household.version += 1
    household.updated_at = utcnow()
    await session.flush()
    await _changed(session, principal, household, members, created=False)
    return household, members


async def _changed(
    session: AsyncSession,
    principal: Principal,
    household: Household,
    members: list[HouseholdMember],
    *,
    created: bool,
) -> None:
    action = AuditAction.CREATE if created else AuditAction.UPDATE
    await HOUSEHOLDS.record(session, principal, action, household.id)
    await record_event(
        session,
        HouseholdRegistered if created else HouseholdChanged,
        HouseholdChangedData.of(
            household,
            household_id=household.id,
            members=[HouseholdMemberData.of(m, person_ref=m.person_id) for m in members],
            changed_at=household.updated_at,
        ),
        subject=str(household.id),
        organisation=principal.organisation,
    )


async def get(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> tuple[Household, list[HouseholdMember]]:
    household = await _visible(session, principal, household_id)
    await HOUSEHOLDS.read(session, principal, household)
    members = await repository.members(session, [household.id])
    return household, members[household.id]


async def list_visible(
    *, session: AsyncSession, principal: Principal, page: PageParams, person_id: uuid.UUID | None
) -> tuple[Page[Household], dict[uuid.UUID, list[HouseholdMember]]]:
    found = await repository.list_visible(session, principal, page, person_id=person_id)
    await HOUSEHOLDS.listed(session, principal, found)
    return found, await repository.members(session, [h.id for h in found.items])


# --- what the households hold about a person (subject rights) -------------------------------


async def export_for(
    session: AsyncSession, person_ids: Collection[uuid.UUID]
) -> list[dict[str, Any]]:
    """Subject access: these persons' household memberships, as JSON values."""
    return [m.model_dump(mode="json") for m in await repository.memberships_of(session, person_ids)]


move_links = repository.move_links
"""Merge and split: one person's household memberships become the other's."""
