"""Directory use cases: keep the entries (coordinators, and each organisation's case
supervisors for its own), answer HSDS reads, and tell referrals whom a service belongs to.
Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, AuditScope
from kit.auth import Principal
from kit.db import utcnow
from kit.errors import Conflict, NotFound, require_found
from kit.etag import require_if_match
from services.casework.directory import domain, hsds, repository
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
from services.casework.directory.repository import Numbered as Numbered
from services.casework.directory.schemas import (
    ContactIn,
    HsdsLocation,
    HsdsOrganization,
    HsdsOrganizationBrief,
    HsdsPage,
    HsdsService,
    HsdsServiceAtLocation,
    HsdsServiceBrief,
    HsdsServiceMinimal,
    LanguageIn,
    LocationIn,
    OrganizationIn,
    PhoneIn,
    PhysicalLocationIn,
    ScheduleIn,
    ServiceAtLocationChange,
    ServiceAtLocationIn,
    ServiceIn,
)
from services.casework.tables import VersionedTable

V = TypeVar("V", bound=VersionedTable)

ENTRIES = AuditScope("directory_entry", AuditPurpose.CASE_MANAGEMENT)
"""Who changed which directory entry (the directory holds no person data: reads are not
audited)."""


class EntryNotFound(
    NotFound, slug="directory-entry-not-found", title="Directory entry not found"
): ...


class PairTaken(
    Conflict, slug="service-at-location-exists", title="The service is at that location already"
):
    """One service-at-location per service and location (409)."""


# --- keeping the entries -----------------------------------------------------------------


def _keeps(principal: Principal, organization: DirectoryOrganization) -> None:
    domain.may_keep(
        coordinator=principal.is_coordinator,
        organisation=principal.organisation,
        network_organisation=organization.network_organisation,
    )


async def _found(
    session: AsyncSession, model: type[V], entry_id: uuid.UUID, *, for_update: bool = False
) -> V:
    entry = await repository.get(session, model, entry_id, for_update=for_update)
    return require_found(entry, EntryNotFound(f"No directory entry {entry_id}."))


async def _named(session: AsyncSession, model: type[V], entry_id: uuid.UUID, field: str) -> V:
    """The entry a request body names (422 if the directory does not hold it)."""
    entry = await repository.get(session, model, entry_id)
    if entry is None:
        raise domain.UnknownDirectoryEntry.for_field(
            field, "is not an entry of the directory", code="unknown_entry"
        )
    return entry


async def _changed(
    session: AsyncSession, principal: Principal, entry: VersionedTable, now: datetime
) -> None:
    entry.version += 1
    entry.last_modified = now
    await session.flush()
    await ENTRIES.record(session, principal, AuditAction.UPDATE, entry.id)


async def _created(session: AsyncSession, principal: Principal, entry: VersionedTable) -> None:
    session.add(entry)
    await session.flush()
    await ENTRIES.record(session, principal, AuditAction.CREATE, entry.id)


def _check_schedules(schedules: Sequence[ScheduleIn]) -> None:
    for i, schedule in enumerate(schedules):
        fields = schedule.model_dump(include=set(domain.Recurrence.__dataclass_fields__))
        domain.check_schedule(domain.Recurrence(**fields), ("schedules", i))


async def _children(
    session: AsyncSession,
    owner: str,
    owner_id: uuid.UUID,
    *,
    languages: Sequence[LanguageIn] = (),
    schedules: Sequence[ScheduleIn] = (),
    contacts: Sequence[ContactIn] = (),
    phones: Sequence[PhoneIn] = (),
) -> None:
    """Replace what `owner_id` owns by what the request gave (its order kept)."""
    await repository.drop_children(session, owner, owner_id)
    of_owner: dict[str, Any] = {owner: owner_id}
    for i, language in enumerate(languages):
        session.add(DirectoryLanguage(**of_owner, position=i, **language.model_dump()))
    for i, schedule in enumerate(schedules):
        session.add(DirectorySchedule(**of_owner, position=i, **schedule.model_dump()))
    for i, given in enumerate(phones):
        session.add(DirectoryPhone(**of_owner, position=i, **given.model_dump()))
    for i, contact_in in enumerate(contacts):
        contact = DirectoryContact(
            **of_owner, position=i, **contact_in.model_dump(exclude={"phones"})
        )
        session.add(contact)
        for j, given in enumerate(contact_in.phones):
            session.add(DirectoryPhone(contact_id=contact.id, position=j, **given.model_dump()))
    await session.flush()


async def create_organization(
    *, session: AsyncSession, principal: Principal, organization_in: OrganizationIn
) -> DirectoryOrganization:
    """A case supervisor creates only an organisation their own organisation runs."""
    domain.may_keep(
        coordinator=principal.is_coordinator,
        organisation=principal.organisation,
        network_organisation=organization_in.network_organisation,
    )
    now = utcnow()
    organization = DirectoryOrganization(
        **organization_in.model_dump(exclude={"contacts", "phones"}),
        created_at=now,
        last_modified=now,
    )
    await _created(session, principal, organization)
    await _children(
        session,
        "organization_id",
        organization.id,
        contacts=organization_in.contacts,
        phones=organization_in.phones,
    )
    return organization


async def update_organization(
    *,
    session: AsyncSession,
    principal: Principal,
    organization_id: uuid.UUID,
    if_match: str | None,
    organization_in: OrganizationIn,
) -> DirectoryOrganization:
    """The whole entry, replaced; a case supervisor cannot hand it to another organisation."""
    organization = await _found(session, DirectoryOrganization, organization_id, for_update=True)
    _keeps(principal, organization)
    require_if_match(if_match, organization.version)
    domain.may_keep(
        coordinator=principal.is_coordinator,
        organisation=principal.organisation,
        network_organisation=organization_in.network_organisation,
    )
    for key, value in organization_in.model_dump(exclude={"contacts", "phones"}).items():
        setattr(organization, key, value)
    await _children(
        session,
        "organization_id",
        organization.id,
        contacts=organization_in.contacts,
        phones=organization_in.phones,
    )
    await _changed(session, principal, organization, utcnow())
    return organization


async def _service_fields(
    session: AsyncSession, principal: Principal, service_in: ServiceIn
) -> dict[str, Any]:
    organization = await _named(
        session, DirectoryOrganization, service_in.organization_id, "organization_id"
    )
    _keeps(principal, organization)
    domain.check_ages(service_in.minimum_age, service_in.maximum_age)
    _check_schedules(service_in.schedules)
    return service_in.model_dump(exclude={"languages", "schedules", "contacts", "phones"})


async def _service_children(
    session: AsyncSession, service: DirectoryService, service_in: ServiceIn
) -> None:
    await _children(
        session,
        "service_id",
        service.id,
        languages=service_in.languages,
        schedules=service_in.schedules,
        contacts=service_in.contacts,
        phones=service_in.phones,
    )


async def create_service(
    *, session: AsyncSession, principal: Principal, service_in: ServiceIn
) -> DirectoryService:
    fields = await _service_fields(session, principal, service_in)
    now = utcnow()
    service = DirectoryService(**fields, created_at=now, last_modified=now)
    await _created(session, principal, service)
    await _service_children(session, service, service_in)
    return service


async def update_service(
    *,
    session: AsyncSession,
    principal: Principal,
    service_id: uuid.UUID,
    if_match: str | None,
    service_in: ServiceIn,
) -> DirectoryService:
    service = await _found(session, DirectoryService, service_id, for_update=True)
    _keeps(principal, await _found(session, DirectoryOrganization, service.organization_id))
    require_if_match(if_match, service.version)
    for key, value in (await _service_fields(session, principal, service_in)).items():
        setattr(service, key, value)
    await _service_children(session, service, service_in)
    await _changed(session, principal, service, utcnow())
    return service


def _location_fields(location_in: LocationIn) -> dict[str, Any]:
    fields = location_in.model_dump(exclude={"languages", "phones", "address"})
    if isinstance(location_in, PhysicalLocationIn):
        fields |= location_in.address.model_dump()
    return fields


async def _location_children(
    session: AsyncSession, location: DirectoryLocation, location_in: LocationIn
) -> None:
    await _children(
        session,
        "location_id",
        location.id,
        languages=location_in.languages,
        phones=location_in.phones,
    )


async def create_location(
    *, session: AsyncSession, principal: Principal, location_in: LocationIn
) -> DirectoryLocation:
    organization = await _named(
        session, DirectoryOrganization, location_in.organization_id, "organization_id"
    )
    _keeps(principal, organization)
    now = utcnow()
    location = DirectoryLocation(**_location_fields(location_in), created_at=now, last_modified=now)
    if isinstance(location_in, PhysicalLocationIn):
        location.address_id = uuid.uuid4()
    await _created(session, principal, location)
    await _location_children(session, location, location_in)
    return location


async def update_location(
    *,
    session: AsyncSession,
    principal: Principal,
    location_id: uuid.UUID,
    if_match: str | None,
    location_in: LocationIn,
) -> DirectoryLocation:
    location = await _found(session, DirectoryLocation, location_id, for_update=True)
    _keeps(principal, await _found(session, DirectoryOrganization, location.organization_id))
    require_if_match(if_match, location.version)
    target = await _named(
        session, DirectoryOrganization, location_in.organization_id, "organization_id"
    )
    _keeps(principal, target)
    blank = {column: None for column in ("address_1", "address_2", "city", "state_province")}
    blank |= {"postal_code": None, "country": None, "municipio": None, "latitude": None}
    blank |= {"longitude": None, "transportation": None, "url": None}
    for key, value in (blank | _location_fields(location_in)).items():
        setattr(location, key, value)
    physical = isinstance(location_in, PhysicalLocationIn)
    location.address_id = (location.address_id or uuid.uuid4()) if physical else None
    await _location_children(session, location, location_in)
    await _changed(session, principal, location, utcnow())
    return location


async def create_service_at_location(
    *, session: AsyncSession, principal: Principal, pair_in: ServiceAtLocationIn
) -> DirectoryServiceAtLocation:
    """The service is given at the location; its keeper says so."""
    service = await _named(session, DirectoryService, pair_in.service_id, "service_id")
    await _named(session, DirectoryLocation, pair_in.location_id, "location_id")
    _keeps(principal, await _found(session, DirectoryOrganization, service.organization_id))
    _check_schedules(pair_in.schedules)
    if await repository.pair_taken(session, pair_in.service_id, pair_in.location_id):
        raise PairTaken("This service is at this location already: change that entry.")
    now = utcnow()
    pair = DirectoryServiceAtLocation(
        service_id=pair_in.service_id,
        location_id=pair_in.location_id,
        description=pair_in.description,
        created_at=now,
        last_modified=now,
    )
    await _created(session, principal, pair)
    await _children(session, "service_at_location_id", pair.id, schedules=pair_in.schedules)
    return pair


async def update_service_at_location(
    *,
    session: AsyncSession,
    principal: Principal,
    pair_id: uuid.UUID,
    if_match: str | None,
    change_in: ServiceAtLocationChange,
) -> DirectoryServiceAtLocation:
    pair = await _found(session, DirectoryServiceAtLocation, pair_id, for_update=True)
    service = await _found(session, DirectoryService, pair.service_id)
    _keeps(principal, await _found(session, DirectoryOrganization, service.organization_id))
    require_if_match(if_match, pair.version)
    _check_schedules(change_in.schedules)
    pair.description = change_in.description
    await _children(session, "service_at_location_id", pair.id, schedules=change_in.schedules)
    await _changed(session, principal, pair, utcnow())
    return pair


# --- HSDS reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Versioned:
    """An HSDS object and the version of its entry (its ETag)."""

    version: int
    body: Any


def page_of(page: Numbered, total: int, contents: list[Any]) -> dict[str, Any]:
    """HSDS's envelope around one page of `contents`."""
    pages = ceil(total / page.per_page)
    envelope = HsdsPage(
        total_items=total,
        total_pages=pages,
        page_number=page.page,
        size=len(contents),
        first_page=page.page == 1,
        last_page=page.page >= pages,
        empty=total == 0,
    )
    return {**envelope.model_dump(), "contents": contents}


async def service_document(session: AsyncSession, service_id: uuid.UUID) -> Versioned:
    service = await _found(session, DirectoryService, service_id)
    loaded = await repository.load(session, services=[service], nested=True)
    return Versioned(service.version, hsds.service(service, loaded))


async def services(
    session: AsyncSession,
    page: Numbered,
    *,
    search: str | None,
    organization_id: uuid.UUID | None,
    modified_after: datetime | None,
    minimal: bool,
    full: bool,
) -> dict[str, Any]:
    total, rows = await repository.services_page(
        session,
        page,
        search=search,
        organization_id=organization_id,
        modified_after=modified_after,
    )
    contents: list[HsdsService | HsdsServiceBrief | HsdsServiceMinimal]
    if minimal:
        contents = [hsds.service_minimal(row) for row in rows]
    else:
        loaded = await repository.load(session, services=rows, nested=full)
        build = hsds.service if full else hsds.service_brief
        contents = [build(row, loaded) for row in rows]
    return page_of(page, total, contents)


async def organization_document(
    session: AsyncSession, organization_id: uuid.UUID, *, full_service: bool
) -> Versioned:
    organization = await _found(session, DirectoryOrganization, organization_id)
    loaded = await repository.load(
        session, organizations=[organization], nested=True, services_of_organizations=True
    )
    return Versioned(
        organization.version, hsds.organization(organization, loaded, full_service=full_service)
    )


async def organizations(
    session: AsyncSession, page: Numbered, *, search: str | None, full: bool, full_service: bool
) -> dict[str, Any]:
    total, rows = await repository.organizations_page(session, page, search=search)
    contents: list[HsdsOrganization | HsdsOrganizationBrief]
    if full or full_service:
        loaded = await repository.load(
            session, organizations=rows, nested=True, services_of_organizations=True
        )
        contents = [hsds.organization(r, loaded, full_service=full_service) for r in rows]
    else:
        contents = [hsds.organization_brief(row) for row in rows]
    return page_of(page, total, contents)


async def service_at_location_document(session: AsyncSession, pair_id: uuid.UUID) -> Versioned:
    pair = await _found(session, DirectoryServiceAtLocation, pair_id)
    loaded = await repository.load(session, service_at_locations=[pair], nested=True)
    return Versioned(pair.version, hsds.service_at_location(pair, loaded, with_service=True))


async def service_at_locations(
    session: AsyncSession,
    page: Numbered,
    *,
    search: str | None,
    organization_id: uuid.UUID | None,
    modified_after: datetime | None,
) -> dict[str, Any]:
    total, rows = await repository.service_at_locations_page(
        session,
        page,
        search=search,
        organization_id=organization_id,
        modified_after=modified_after,
    )
    loaded = await repository.load(session, service_at_locations=rows, nested=False)
    contents: list[HsdsServiceAtLocation] = [
        hsds.service_at_location(row, loaded, with_service=True) for row in rows
    ]
    return page_of(page, total, contents)


async def location_document(session: AsyncSession, location_id: uuid.UUID) -> Versioned:
    location = await _found(session, DirectoryLocation, location_id)
    loaded = await repository.load(session, nested=False)
    loaded.locations = {location.id: location}
    await repository.load_children(session, loaded)
    built: HsdsLocation = hsds.location(location, loaded)
    return Versioned(location.version, built)


# --- for referrals -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralTarget:
    """A service as a referral to it needs it: which organisation answers."""

    service_id: uuid.UUID
    organization_id: uuid.UUID
    network_organisation: str


async def referral_target(session: AsyncSession, service_id: uuid.UUID) -> ReferralTarget:
    """The service a referral names, and the network organisation that answers it: 422 if the
    directory does not hold it, it is not active, or no network organisation runs it."""
    service = await repository.get(session, DirectoryService, service_id)
    if service is None:
        raise domain.UnknownDirectoryEntry.for_field(
            "service_id", "is not a service of the directory", code="unknown_entry"
        )
    organization = await _found(session, DirectoryOrganization, service.organization_id)
    answering = domain.takes_referrals(
        domain.ServiceStatus(service.status), organization.network_organisation
    )
    return ReferralTarget(service.id, organization.id, answering)
