"""Directory queries: the only place that builds SQL for the directory."""

from __future__ import annotations

import operator
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, delete, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.query import first, where_given
from services.casework.directory.hsds import Loaded
from services.casework.directory.models import (
    DirectoryContact,
    DirectoryLanguage,
    DirectoryLocation,
    DirectoryOrganization,
    DirectoryPhone,
    DirectorySchedule,
    DirectoryService,
    DirectoryServiceAtLocation,
)
from services.casework.tables import CaseworkTable

T = TypeVar("T", bound=CaseworkTable)


async def get(
    session: AsyncSession, model: type[T], entry_id: uuid.UUID, *, for_update: bool = False
) -> T | None:
    stmt = select(model).where(col(model.id) == entry_id)  # type: ignore[attr-defined]
    return await first(session, stmt, for_update=for_update)


async def pair_taken(session: AsyncSession, service_id: uuid.UUID, location_id: uuid.UUID) -> bool:
    stmt = select(DirectoryServiceAtLocation.id).where(
        col(DirectoryServiceAtLocation.service_id) == service_id,
        col(DirectoryServiceAtLocation.location_id) == location_id,
    )
    return (await session.exec(stmt)).first() is not None


async def drop_children(session: AsyncSession, owner: str, owner_id: uuid.UUID) -> None:
    """Delete the languages, schedules, contacts (with their phones) and phones that
    `owner_id` owns (`owner`: the owner column, ``service_id``…), before they are replaced."""
    contacts = select(DirectoryContact.id)
    if hasattr(DirectoryContact, owner):
        contacts = contacts.where(col(getattr(DirectoryContact, owner)) == owner_id)
        await session.exec(
            delete(DirectoryPhone).where(col(DirectoryPhone.contact_id).in_(contacts))
        )
    for model in (DirectoryPhone, DirectoryContact, DirectoryLanguage, DirectorySchedule):
        if hasattr(model, owner):
            await session.exec(delete(model).where(col(getattr(model, owner)) == owner_id))


# --- pages (HSDS: numbered pages with a total) -------------------------------------------


@dataclass(frozen=True)
class Numbered:
    """Which page: its number (from 1) and size."""

    page: int
    per_page: int


async def _numbered(
    session: AsyncSession, stmt: SelectOfScalar[T], page: Numbered, *order: Any
) -> tuple[int, list[T]]:
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.exec(
        stmt.order_by(*order).offset((page.page - 1) * page.per_page).limit(page.per_page)
    )
    return int(total or 0), list(rows)


def _search(term: str | None, *columns: Any) -> ColumnElement[bool] | None:
    if not term:
        return None
    needle = term.lower()
    return or_(*(func.lower(column).contains(needle, autoescape=True) for column in columns))


def _narrowed(
    stmt: SelectOfScalar[T], *conditions: ColumnElement[bool] | None
) -> SelectOfScalar[T]:
    for condition in conditions:
        if condition is not None:
            stmt = stmt.where(condition)
    return stmt


async def services_page(
    session: AsyncSession,
    page: Numbered,
    *,
    search: str | None,
    organization_id: uuid.UUID | None,
    modified_after: datetime | None,
) -> tuple[int, list[DirectoryService]]:
    s = DirectoryService
    stmt = where_given(
        select(s),
        (s.organization_id, organization_id),
        (col(s.last_modified), modified_after, operator.ge),
    )
    stmt = _narrowed(stmt, _search(search, s.name, s.alternate_name, s.description))
    return await _numbered(session, stmt, page, col(s.name), col(s.id))


async def organizations_page(
    session: AsyncSession, page: Numbered, *, search: str | None
) -> tuple[int, list[DirectoryOrganization]]:
    o = DirectoryOrganization
    stmt = _narrowed(select(o), _search(search, o.name, o.alternate_name, o.description))
    return await _numbered(session, stmt, page, col(o.name), col(o.id))


async def service_at_locations_page(
    session: AsyncSession,
    page: Numbered,
    *,
    search: str | None,
    organization_id: uuid.UUID | None,
    modified_after: datetime | None,
) -> tuple[int, list[DirectoryServiceAtLocation]]:
    sal, s = DirectoryServiceAtLocation, DirectoryService
    stmt = select(sal).join(s, col(s.id) == col(sal.service_id))
    stmt = where_given(
        stmt,
        (s.organization_id, organization_id),
        (col(sal.last_modified), modified_after, operator.ge),
    )
    stmt = _narrowed(stmt, _search(search, s.name, s.description, sal.description))
    return await _numbered(session, stmt, page, col(s.name), col(sal.id))


# --- loading what an answer nests --------------------------------------------------------


async def _where_in(
    session: AsyncSession, model: type[T], column: str, ids: Collection[Any]
) -> list[T]:
    if not ids:
        return []
    stmt = select(model).where(col(getattr(model, column)).in_(list(ids)))
    return list(await session.exec(stmt))


async def load(
    session: AsyncSession,
    *,
    organizations: Collection[DirectoryOrganization] = (),
    services: Collection[DirectoryService] = (),
    service_at_locations: Collection[DirectoryServiceAtLocation] = (),
    nested: bool,
    services_of_organizations: bool = False,
) -> Loaded:
    """What the answer about these entries nests: their organisations always; with `nested`,
    their children, service-at-locations and locations; the organisations' own services with
    `services_of_organizations`."""
    loaded = Loaded()
    loaded.organizations = {o.id: o for o in organizations}
    loaded.services = {s.id: s for s in services}
    loaded.service_at_locations = list(service_at_locations)
    org_ids = set(loaded.organizations)
    if services_of_organizations:
        for s in await _where_in(session, DirectoryService, "organization_id", org_ids):
            loaded.services[s.id] = s
    if nested:
        known = {sal.id for sal in loaded.service_at_locations}
        for sal in await _where_in(
            session, DirectoryServiceAtLocation, "service_id", set(loaded.services)
        ):
            if sal.id not in known:
                loaded.service_at_locations.append(sal)
    for s in await _where_in(
        session,
        DirectoryService,
        "id",
        {sal.service_id for sal in loaded.service_at_locations} - set(loaded.services),
    ):
        loaded.services[s.id] = s
    wanted_orgs = {s.organization_id for s in loaded.services.values()} - org_ids
    for o in await _where_in(session, DirectoryOrganization, "id", wanted_orgs):
        loaded.organizations[o.id] = o
    place_ids = {sal.location_id for sal in loaded.service_at_locations}
    places = await _where_in(session, DirectoryLocation, "id", place_ids)
    if nested and organizations:
        places += await _where_in(session, DirectoryLocation, "organization_id", org_ids)
    loaded.locations = {p.id: p for p in places}
    if not nested and not service_at_locations:
        return loaded
    await load_children(session, loaded, nested=nested)
    return loaded


async def load_children(session: AsyncSession, loaded: Loaded, *, nested: bool = False) -> None:
    """The languages, schedules, contacts and phones of what `loaded` holds (of its services
    and organisations only if `nested`)."""
    services = set(loaded.services) if nested else set()
    orgs = set(loaded.organizations) if nested else set()
    places, sals = set(loaded.locations), {sal.id for sal in loaded.service_at_locations}
    loaded.languages = [
        *await _where_in(session, DirectoryLanguage, "service_id", services),
        *await _where_in(session, DirectoryLanguage, "location_id", places),
    ]
    loaded.schedules = [
        *await _where_in(session, DirectorySchedule, "service_id", services),
        *await _where_in(session, DirectorySchedule, "service_at_location_id", sals),
    ]
    loaded.contacts = [
        *await _where_in(session, DirectoryContact, "service_id", services),
        *await _where_in(session, DirectoryContact, "organization_id", orgs),
    ]
    contact_ids = {c.id for c in loaded.contacts}
    loaded.phones = [
        *await _where_in(session, DirectoryPhone, "service_id", services),
        *await _where_in(session, DirectoryPhone, "organization_id", orgs),
        *await _where_in(session, DirectoryPhone, "location_id", places),
        *await _where_in(session, DirectoryPhone, "contact_id", contact_ids),
    ]
