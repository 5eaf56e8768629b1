"""Initiative use cases: write one as a draft, change it, publish, complete or cancel it; read
them. Never commits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Unpack

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, require_found
from kit.etag import require_if_match
from kit.events.types import EventType
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from kit.usecases import add_announced, created_by
from services.events.initiatives import domain, repository
from services.events.initiatives.domain import InitiativeStatus
from services.events.initiatives.events import TOPIC as TOPIC  # sessions publish on it too
from services.events.initiatives.events import (
    InitiativeCancelled,
    InitiativeChanged,
    InitiativeCompleted,
    InitiativeCreated,
    InitiativePublished,
)
from services.events.initiatives.models import Initiative as Initiative  # what run_by gives
from services.events.initiatives.repository import InitiativeFilter
from services.events.initiatives.schemas import InitiativeCreate, InitiativePatch

_S = InitiativeStatus


class InitiativeNotFound(NotFound):
    slug = "initiative-not-found"
    title = "Initiative not found"


async def create(
    *, session: AsyncSession, principal: Principal, initiative_in: InitiativeCreate
) -> Initiative:
    """A draft initiative, organised by the caller's organisation."""
    domain.check_period(initiative_in.starts_on, initiative_in.ends_on)
    organiser = principal.organisation
    domain.check_partners(initiative_in.partner_organisations, organiser=organiser)
    initiative = Initiative(
        **initiative_in.model_dump(),
        status=InitiativeStatus.DRAFT,
        organiser_organisation=organiser,
        **created_by(principal),
    )
    return await add_announced(
        session, initiative, InitiativeCreated, organisation=organiser, **_fields(initiative)
    )


async def list_initiatives(
    *, session: AsyncSession, page: PageParams, **where: Unpack[InitiativeFilter]
) -> Page[Initiative]:
    """Initiatives, newest first; they are public activities, so every reader sees all."""
    return await repository.list_initiatives(session, page, **where)


async def get(*, session: AsyncSession, initiative_id: uuid.UUID) -> Initiative:
    initiative = await repository.get(session, initiative_id)
    return require_found(initiative, InitiativeNotFound(f"No initiative {initiative_id}."))


async def run_by(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    for_update: bool = False,
) -> Initiative:
    """The initiative, if `principal` runs it (its organiser or a partner organisation, or a
    Comune coordinator; 403 otherwise, 404 if none): what sessions, registrations and
    attendance check. With `for_update`, locked until the transaction ends."""
    found = await repository.get(session, initiative_id, for_update=for_update)
    initiative = require_found(found, InitiativeNotFound(f"No initiative {initiative_id}."))
    require_runner(initiative, principal)
    return initiative


def require_runner(initiative: Initiative, principal: Principal) -> None:
    """403 unless `principal` acts for the initiative's organiser, one of its partners, or is
    a Comune coordinator."""
    domain.may_run(
        initiative_organiser=initiative.organiser_organisation,
        partners=initiative.partner_organisations,
        organisation=principal.organisation,
        coordinator=principal.is_coordinator,
    )


def require_open(initiative: Initiative) -> None:
    """409 ``initiative-ended`` once the initiative is completed or cancelled: its sessions,
    like itself, no longer change."""
    domain.require_open(InitiativeStatus(initiative.status))


async def change(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    if_match: str | None,
    patch: InitiativePatch,
) -> Initiative:
    """The fields given change, by the organiser organisation or a Comune coordinator, until
    the initiative ends."""
    initiative = await _organised(session, principal, initiative_id, if_match)
    domain.require_open(InitiativeStatus(initiative.status))
    given = patch.model_dump(include=patch.model_fields_set)
    changed = sorted(name for name, value in given.items() if getattr(initiative, name) != value)
    if not changed:  # nothing to change: no new version, no event
        return initiative
    domain.check_period(
        given.get("starts_on", initiative.starts_on), given.get("ends_on", initiative.ends_on)
    )
    if "partner_organisations" in given:
        domain.check_partners(
            given["partner_organisations"], organiser=initiative.organiser_organisation
        )
    for name in changed:
        setattr(initiative, name, given[name])
    now = _saved(initiative)
    await _publish(session, InitiativeChanged, initiative, changed=changed, changed_at=now)
    return initiative


async def publish(
    *, session: AsyncSession, principal: Principal, initiative_id: uuid.UUID, if_match: str | None
) -> Initiative:
    """A draft is published: the network and the public programme show it."""
    initiative = await _moved(session, principal, initiative_id, if_match, _S.PUBLISHED)
    initiative.published_at = initiative.updated_at
    await _publish(session, InitiativePublished, initiative)
    return initiative


async def complete(
    *, session: AsyncSession, principal: Principal, initiative_id: uuid.UUID, if_match: str | None
) -> Initiative:
    """A published initiative has taken place."""
    initiative = await _moved(session, principal, initiative_id, if_match, _S.COMPLETED)
    initiative.ended_at = initiative.updated_at
    await _publish(session, InitiativeCompleted, initiative)
    return initiative


async def cancel(
    *, session: AsyncSession, principal: Principal, initiative_id: uuid.UUID, if_match: str | None
) -> Initiative:
    """A draft or published initiative will not take place (or no longer)."""
    initiative = await _moved(session, principal, initiative_id, if_match, _S.CANCELLED)
    initiative.ended_at = initiative.updated_at
    await _publish(session, InitiativeCancelled, initiative)
    return initiative


# --- steps -------------------------------------------------------------------------------


async def _organised(
    session: AsyncSession, principal: Principal, initiative_id: uuid.UUID, if_match: str | None
) -> Initiative:
    """The initiative, locked for a change by `principal`, who must organise it, made from its
    current version."""
    found = await repository.get(session, initiative_id, for_update=True)
    initiative = require_found(found, InitiativeNotFound(f"No initiative {initiative_id}."))
    domain.may_change(
        initiative_organiser=initiative.organiser_organisation,
        organisation=principal.organisation,
        coordinator=principal.is_coordinator,
    )
    require_if_match(if_match, initiative.version)
    return initiative


async def _moved(
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    if_match: str | None,
    target: InitiativeStatus,
) -> Initiative:
    initiative = await _organised(session, principal, initiative_id, if_match)
    initiative.status = domain.transition(InitiativeStatus(initiative.status), target)
    _saved(initiative)
    return initiative


def _saved(initiative: Initiative) -> datetime:
    initiative.version += 1
    initiative.updated_at = utcnow()
    return initiative.updated_at


def _fields(initiative: Initiative) -> dict[str, Any]:
    """The payload fields not read from the row's attributes of the same name."""
    return {
        "initiative_id": initiative.id,
        "languages": domain.languages(initiative.translations),
    }


async def _publish(
    session: AsyncSession, event: EventType[Any], initiative: Initiative, **fields: Any
) -> None:
    await session.flush()
    data = event.payload.of(initiative, **_fields(initiative), **fields)
    await record_event(
        session,
        event,
        data,
        subject=str(initiative.id),
        organisation=initiative.organiser_organisation,
    )
