"""Initiative use cases: apply the domain rules, save, record events. Never commits."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, require_found
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from services.events.initiatives import repository
from services.events.initiatives.domain import InitiativeKind, check_period
from services.events.initiatives.events import InitiativeCreated, InitiativeCreatedData
from services.events.initiatives.models import Initiative
from services.events.initiatives.schemas import InitiativeCreate


class InitiativeNotFound(NotFound):
    slug = "initiative-not-found"
    title = "Initiative not found"


async def create(
    *, session: AsyncSession, principal: Principal, initiative_in: InitiativeCreate
) -> Initiative:
    check_period(initiative_in.starts_on, initiative_in.ends_on)
    now = utcnow()
    initiative = Initiative(
        title=initiative_in.title,
        kind=initiative_in.kind,
        organiser_organisation=principal.organisation,
        audience=initiative_in.audience,
        municipio=initiative_in.municipio,
        neighbourhood=initiative_in.neighbourhood,
        starts_on=initiative_in.starts_on,
        ends_on=initiative_in.ends_on,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    session.add(initiative)
    await session.flush()
    await record_event(
        session,
        InitiativeCreated,
        InitiativeCreatedData.of(initiative, initiative_id=initiative.id),
        subject=str(initiative.id),
        organisation=principal.organisation,
    )
    return initiative


async def list_initiatives(
    *,
    session: AsyncSession,
    page: PageParams,
    kind: InitiativeKind | None,
    municipio: int | None,
    organiser: str | None,
) -> Page[Initiative]:
    """Initiatives, newest first; they are public activities, so every reader sees all."""
    return await repository.list_initiatives(
        session, page, kind=kind, municipio=municipio, organiser=organiser
    )


async def get(*, session: AsyncSession, initiative_id: uuid.UUID) -> Initiative:
    initiative = await repository.get(session, initiative_id)
    return require_found(initiative, InitiativeNotFound(f"No initiative {initiative_id}."))
