"""The directory's rows as HSDS 3.0 objects. Pure: no I/O (the rows come loaded).

An organisation linked to a network organisation carries that link as an HSDS
``organization_identifier`` of scheme ``LGNET``; a location's Municipio is its address's
``region`` (``Municipio 2``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from services.casework.directory.domain import MUNICIPIO_REGION, ServiceStatus
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
from services.casework.directory.schemas import (
    HsdsAddress,
    HsdsContact,
    HsdsLanguage,
    HsdsLocation,
    HsdsOrganization,
    HsdsOrganizationBrief,
    HsdsOrganizationIdentifier,
    HsdsPhone,
    HsdsSchedule,
    HsdsService,
    HsdsServiceAtLocation,
    HsdsServiceBrief,
    HsdsServiceMinimal,
)

LGNET_SCHEME = "LGNET"
"""The ``identifier_scheme`` of the network organisation that runs a directory organisation."""

_IDENTIFIER_NAMESPACE = uuid.UUID("6f0e4d8a-3c1b-4e9a-9b57-2d1f0c7e5a10")


@dataclass
class Loaded:
    """What the objects to answer need, loaded by the repository in a few queries."""

    organizations: dict[uuid.UUID, DirectoryOrganization] = field(default_factory=dict)
    services: dict[uuid.UUID, DirectoryService] = field(default_factory=dict)
    locations: dict[uuid.UUID, DirectoryLocation] = field(default_factory=dict)
    service_at_locations: list[DirectoryServiceAtLocation] = field(default_factory=list)
    languages: list[DirectoryLanguage] = field(default_factory=list)
    schedules: list[DirectorySchedule] = field(default_factory=list)
    contacts: list[DirectoryContact] = field(default_factory=list)
    phones: list[DirectoryPhone] = field(default_factory=list)

    def of(self, kind: str, owner: str, owner_id: uuid.UUID) -> list[object]:
        rows: list[object] = getattr(self, kind)
        return sorted(
            (r for r in rows if getattr(r, owner) == owner_id),
            key=lambda r: getattr(r, "position", 0),
        )


def phone(row: DirectoryPhone) -> HsdsPhone:
    return HsdsPhone.model_validate(row, from_attributes=True)


def _phones(loaded: Loaded, owner: str, owner_id: uuid.UUID) -> list[HsdsPhone]:
    return [phone(p) for p in loaded.of("phones", owner, owner_id)]  # type: ignore[arg-type]


def _contacts(loaded: Loaded, owner: str, owner_id: uuid.UUID) -> list[HsdsContact]:
    found = []
    for row in loaded.of("contacts", owner, owner_id):
        assert isinstance(row, DirectoryContact)
        contact = HsdsContact.model_validate(row, from_attributes=True)
        contact.phones = _phones(loaded, "contact_id", row.id)
        found.append(contact)
    return found


def _languages(loaded: Loaded, owner: str, owner_id: uuid.UUID) -> list[HsdsLanguage]:
    rows = loaded.of("languages", owner, owner_id)
    return [HsdsLanguage.model_validate(r, from_attributes=True) for r in rows]


def _schedules(loaded: Loaded, owner: str, owner_id: uuid.UUID) -> list[HsdsSchedule]:
    rows = loaded.of("schedules", owner, owner_id)
    return [HsdsSchedule.model_validate(r, from_attributes=True) for r in rows]


def location(row: DirectoryLocation, loaded: Loaded) -> HsdsLocation:
    found = HsdsLocation.model_validate(row, from_attributes=True)
    if row.address_id is not None and row.address_1 is not None:
        found.addresses = [
            HsdsAddress(
                id=row.address_id,
                location_id=row.id,
                address_1=row.address_1,
                address_2=row.address_2,
                city=row.city or "",
                region=MUNICIPIO_REGION.format(row.municipio) if row.municipio else None,
                state_province=row.state_province or "",
                postal_code=row.postal_code or "",
                country=row.country or "",
            )
        ]
    found.languages = _languages(loaded, "location_id", row.id)
    found.phones = _phones(loaded, "location_id", row.id)
    return found


def organization_brief(row: DirectoryOrganization) -> HsdsOrganizationBrief:
    return HsdsOrganizationBrief.model_validate(row, from_attributes=True)


def service_brief(row: DirectoryService, loaded: Loaded) -> HsdsServiceBrief:
    found = HsdsServiceBrief.model_validate(row, from_attributes=True)
    organization = loaded.organizations.get(row.organization_id)
    found.organization = organization_brief(organization) if organization else None
    return found


def service_minimal(row: DirectoryService) -> HsdsServiceMinimal:
    return HsdsServiceMinimal(
        id=row.id, name=row.name, status=ServiceStatus(row.status), last_modified=row.last_modified
    )


def service_at_location(
    row: DirectoryServiceAtLocation, loaded: Loaded, *, with_service: bool
) -> HsdsServiceAtLocation:
    found = HsdsServiceAtLocation.model_validate(row, from_attributes=True)
    found.schedules = _schedules(loaded, "service_at_location_id", row.id)
    place = loaded.locations.get(row.location_id)
    found.location = location(place, loaded) if place else None
    service = loaded.services.get(row.service_id)
    if with_service and service is not None:
        found.service = HsdsServiceBrief.model_validate(service, from_attributes=True)
    return found


def service(row: DirectoryService, loaded: Loaded) -> HsdsService:
    """A fully nested service."""
    found = HsdsService.model_validate(service_brief(row, loaded).model_dump())
    found.phones = _phones(loaded, "service_id", row.id)
    found.schedules = _schedules(loaded, "service_id", row.id)
    found.languages = _languages(loaded, "service_id", row.id)
    found.contacts = _contacts(loaded, "service_id", row.id)
    found.service_at_locations = [
        service_at_location(sal, loaded, with_service=False)
        for sal in loaded.service_at_locations
        if sal.service_id == row.id
    ]
    return found


def identifier(row: DirectoryOrganization) -> list[HsdsOrganizationIdentifier]:
    """The network organisation that runs `row`, as an HSDS organisation identifier (its id
    derived from the organisation's, so it stays the same from one answer to the next)."""
    if row.network_organisation is None:
        return []
    return [
        HsdsOrganizationIdentifier(
            id=uuid.uuid5(_IDENTIFIER_NAMESPACE, f"{row.id}:{row.network_organisation}"),
            organization_id=row.id,
            identifier_scheme=LGNET_SCHEME,
            identifier_type="LGNet network organisation",
            identifier=row.network_organisation,
        )
    ]


def organization(
    row: DirectoryOrganization, loaded: Loaded, *, full_service: bool
) -> HsdsOrganization:
    """A fully nested organisation; its services nested too if `full_service`."""
    found = HsdsOrganization.model_validate(organization_brief(row).model_dump())
    found.contacts = _contacts(loaded, "organization_id", row.id)
    found.phones = _phones(loaded, "organization_id", row.id)
    found.locations = [
        location(place, loaded)
        for place in loaded.locations.values()
        if place.organization_id == row.id
    ]
    found.organization_identifiers = identifier(row)
    offered = [s for s in loaded.services.values() if s.organization_id == row.id]
    offered.sort(key=lambda s: (s.name, s.id))
    found.services = [
        service(s, loaded)
        if full_service
        else HsdsServiceBrief.model_validate(s, from_attributes=True)
        for s in offered
    ]
    return found
