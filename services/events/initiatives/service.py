"""Initiative use cases: apply the domain rules, save, record events. Never commits."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.errors import NotFound, require_found
from kit.usecases import add_announced, created_by
from services.events.initiatives import repository
from services.events.initiatives.domain import check_period
from services.events.initiatives.events import InitiativeCreated
from services.events.initiatives.models import Initiative
from services.events.initiatives.schemas import InitiativeCreate


class InitiativeNotFound(NotFound):
    slug = "initiative-not-found"
    title = "Initiative not found"


async def create(
    *, session: AsyncSession, principal: Principal, initiative_in: InitiativeCreate
) -> Initiative:
    check_period(initiative_in.starts_on, initiative_in.ends_on)
    organiser = principal.organisation
    initiative = Initiative(
        **initiative_in.model_dump(), organiser_organisation=organiser, **created_by(principal)
    )
    return await add_announced(
        session, initiative, InitiativeCreated, organisation=organiser, initiative_id=initiative.id
    )


list_initiatives = repository.list_initiatives
"""Initiatives, newest first; they are public activities, so every reader sees all."""


async def get(*, session: AsyncSession, initiative_id: uuid.UUID) -> Initiative:
    initiative = await repository.get(session, initiative_id)
    return require_found(initiative, InitiativeNotFound(f"No initiative {initiative_id}."))
