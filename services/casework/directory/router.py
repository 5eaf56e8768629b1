"""HTTP for the service directory: HSDS 3.0's read API (``GET``), and LGNet's write API for
its keepers (``POST`` creates, ``PUT`` replaces under ``If-Match``).

The reads answer HSDS's objects and its numbered pages (``page``, ``per_page`` →
``total_items``, ``contents``…), not LGNet's cursor pages: that is what HSDS tools read.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from kit.errors import problem_responses
from kit.etag import etag_for
from kit.routes import NOT_FOUND, Creation, QueryDep, creates
from kit.schemas import Timestamp
from services.casework.access import CreatingInDirectory, KeepingDirectory, ReadingDirectory
from services.casework.directory import service
from services.casework.directory.schemas import (
    HSDS_VERSION,
    ApiMeta,
    HsdsLocation,
    HsdsOrganization,
    HsdsService,
    HsdsServiceAtLocation,
    LocationIn,
    OrganizationIn,
    OrganizationPage,
    ServiceAtLocationChange,
    ServiceAtLocationIn,
    ServiceAtLocationPage,
    ServiceIn,
    ServicePage,
    TaxonomyPage,
    TaxonomyTermPage,
)

PREFIX = "/v1/casework/directory"
router = APIRouter(prefix=PREFIX, tags=["directory"])

HSDS_OPENAPI = (
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
)
HSDS_PROFILE = "https://docs.openreferral.org/en/v3.0/"
KEPT_CHANGE = problem_responses(403, 404)
"""``responses=`` of a change: no such entry (404), or not the caller's to keep (403)."""


def _answer(found: service.Versioned) -> JSONResponse:
    """An HSDS object, with its entry's ETag."""
    return JSONResponse(jsonable_encoder(found.body), headers={"ETag": etag_for(found.version)})


def _listed(page: dict[str, Any]) -> JSONResponse:
    return JSONResponse(jsonable_encoder(page))


async def _create(
    creation: Creation, kind: str, create: Callable[[], Awaitable[service.Versioned]]
) -> Response:
    async def created() -> dict[str, Any]:
        found: dict[str, Any] = jsonable_encoder((await create()).body)
        return found

    return await creation.created(
        created, location=lambda body: f"{PREFIX}/{kind}/{body['id']}", version=lambda _: 1
    )


@dataclass
class Paging:
    """HSDS's page parameters."""

    page: Annotated[int, Query(ge=1, le=100_000, description="The page, from 1")] = 1
    per_page: Annotated[int, Query(ge=1, le=200, description="Entities per page")] = 50
    format: Annotated[
        str | None, Query(pattern="^json$", description="`json` only (no `ndjson` stream)")
    ] = None

    @property
    def numbered(self) -> service.Numbered:
        return service.Numbered(self.page, self.per_page)


@dataclass
class Narrowing:
    """HSDS's filters of services and service-at-locations (all must hold)."""

    search: Annotated[
        str | None, Query(max_length=200, description="Words in the name or description")
    ] = None
    organization_id: Annotated[
        uuid.UUID | None, Query(description="Services this organisation provides")
    ] = None
    modified_after: Annotated[
        Timestamp | None, Query(description="Changed at or after this time")
    ] = None
    taxonomy_term_id: Annotated[
        str | None,
        Query(max_length=200, description="The directory classifies by no taxonomy yet: none"),
    ] = None
    taxonomy_id: Annotated[
        str | None,
        Query(max_length=200, description="The directory classifies by no taxonomy yet: none"),
    ] = None

    @property
    def classified(self) -> bool:
        """A taxonomy filter was given: nothing matches (the directory has no taxonomy)."""
        return self.taxonomy_term_id is not None or self.taxonomy_id is not None

    def where(self) -> dict[str, Any]:
        return {
            "search": self.search,
            "organization_id": self.organization_id,
            "modified_after": self.modified_after,
        }


# --- HSDS read API -----------------------------------------------------------------------


@router.get("/", summary="HSDS: which version and profile this API follows")
async def api_meta(call: ReadingDirectory) -> ApiMeta:
    return ApiMeta(version=HSDS_VERSION, profile=HSDS_PROFILE, openapi_url=HSDS_OPENAPI)


@router.get("/services", response_model=ServicePage, summary="HSDS: a page of services, by name")
async def list_services(
    call: ReadingDirectory,
    paging: QueryDep[Paging],
    narrowing: QueryDep[Narrowing],
    minimal: Annotated[
        bool, Query(description="Each service's id, name, status and last change only")
    ] = False,
    full: Annotated[bool, Query(description="Fully nested services")] = False,
) -> Response:
    if narrowing.classified:
        return _listed(service.page_of(paging.numbered, 0, []))
    found = await service.services(
        call.session, paging.numbered, **narrowing.where(), minimal=minimal, full=full
    )
    return _listed(found)


@router.get(
    "/services/{service_id}",
    response_model=HsdsService,
    responses=NOT_FOUND,
    summary="HSDS: one service, fully nested",
)
async def get_service(service_id: uuid.UUID, call: ReadingDirectory) -> Response:
    return _answer(await service.service_document(call.session, service_id))


@router.get(
    "/organizations",
    response_model=OrganizationPage,
    summary="HSDS: a page of organisations, by name",
)
async def list_organizations(
    call: ReadingDirectory,
    paging: QueryDep[Paging],
    search: Annotated[
        str | None, Query(max_length=200, description="Words in the name or description")
    ] = None,
    full: Annotated[bool, Query(description="Fully nested organisations")] = False,
    full_service: Annotated[bool, Query(description="Fully nested, their services too")] = False,
) -> Response:
    found = await service.organizations(
        call.session, paging.numbered, search=search, full=full, full_service=full_service
    )
    return _listed(found)


@router.get(
    "/organizations/{organization_id}",
    response_model=HsdsOrganization,
    responses=NOT_FOUND,
    summary="HSDS: one organisation, with its services, locations and contacts",
)
async def get_organization(
    organization_id: uuid.UUID,
    call: ReadingDirectory,
    full_service: Annotated[bool, Query(description="Its services fully nested")] = False,
) -> Response:
    found = await service.organization_document(
        call.session, organization_id, full_service=full_service
    )
    return _answer(found)


@router.get(
    "/service_at_locations",
    response_model=ServiceAtLocationPage,
    summary="HSDS: a page of services at their locations",
)
async def list_service_at_locations(
    call: ReadingDirectory,
    paging: QueryDep[Paging],
    narrowing: QueryDep[Narrowing],
    full: Annotated[bool, Query(description="Answered nested in either case")] = False,
) -> Response:
    if narrowing.classified:
        return _listed(service.page_of(paging.numbered, 0, []))
    found = await service.service_at_locations(call.session, paging.numbered, **narrowing.where())
    return _listed(found)


@router.get(
    "/service_at_locations/{service_at_location_id}",
    response_model=HsdsServiceAtLocation,
    responses=NOT_FOUND,
    summary="HSDS: one service at a location, with its hours and place",
)
async def get_service_at_location(
    service_at_location_id: uuid.UUID, call: ReadingDirectory
) -> Response:
    return _answer(await service.service_at_location_document(call.session, service_at_location_id))


@router.get(
    "/taxonomies",
    response_model=TaxonomyPage,
    summary="HSDS: taxonomies (the directory classifies by none yet: an empty page)",
)
async def list_taxonomies(
    call: ReadingDirectory,
    paging: QueryDep[Paging],
    search: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    return _listed(service.page_of(paging.numbered, 0, []))


@router.get(
    "/taxonomy_terms",
    response_model=TaxonomyTermPage,
    summary="HSDS: taxonomy terms (none yet: an empty page)",
)
async def list_taxonomy_terms(
    call: ReadingDirectory,
    paging: QueryDep[Paging],
    search: Annotated[str | None, Query(max_length=200)] = None,
    taxonomy_id: Annotated[str | None, Query(max_length=200)] = None,
    top_only: bool = False,
    parent_id: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    return _listed(service.page_of(paging.numbered, 0, []))


# --- keeping the directory ---------------------------------------------------------------


@router.post(
    "/organizations",
    **creates(HsdsOrganization, 403),
    summary="Add an organisation to the directory",
)
async def create_organization(
    organization_in: OrganizationIn, creation: CreatingInDirectory
) -> Response:
    async def create() -> service.Versioned:
        made = await service.create_organization(**creation.by, organization_in=organization_in)
        return await service.organization_document(creation.session, made.id, full_service=False)

    return await _create(creation, "organizations", create)


@router.put(
    "/organizations/{organization_id}",
    response_model=HsdsOrganization,
    responses=KEPT_CHANGE,
    summary="Replace an organisation's entry (its contacts and phones with it)",
)
async def update_organization(
    organization_id: uuid.UUID, organization_in: OrganizationIn, change: KeepingDirectory
) -> Response:
    await service.update_organization(
        **change.by, organization_id=organization_id, organization_in=organization_in
    )
    return _answer(
        await service.organization_document(change.session, organization_id, full_service=False)
    )


@router.post("/services", **creates(HsdsService, 403), summary="Add a service to the directory")
async def create_service(service_in: ServiceIn, creation: CreatingInDirectory) -> Response:
    async def create() -> service.Versioned:
        made = await service.create_service(**creation.by, service_in=service_in)
        return await service.service_document(creation.session, made.id)

    return await _create(creation, "services", create)


@router.put(
    "/services/{service_id}",
    response_model=HsdsService,
    responses=KEPT_CHANGE,
    summary="Replace a service's entry (its languages, schedules, contacts, phones with it)",
)
async def update_service(
    service_id: uuid.UUID, service_in: ServiceIn, change: KeepingDirectory
) -> Response:
    await service.update_service(**change.by, service_id=service_id, service_in=service_in)
    return _answer(await service.service_document(change.session, service_id))


@router.post("/locations", **creates(HsdsLocation, 403), summary="Add a location to the directory")
async def create_location(location_in: LocationIn, creation: CreatingInDirectory) -> Response:
    async def create() -> service.Versioned:
        made = await service.create_location(**creation.by, location_in=location_in)
        return await service.location_document(creation.session, made.id)

    return await _create(creation, "locations", create)


@router.get(
    "/locations/{location_id}",
    response_model=HsdsLocation,
    responses=NOT_FOUND,
    summary="One location, as HSDS shows it",
)
async def get_location(location_id: uuid.UUID, call: ReadingDirectory) -> Response:
    return _answer(await service.location_document(call.session, location_id))


@router.put(
    "/locations/{location_id}",
    response_model=HsdsLocation,
    responses=KEPT_CHANGE,
    summary="Replace a location's entry",
)
async def update_location(
    location_id: uuid.UUID, location_in: LocationIn, change: KeepingDirectory
) -> Response:
    await service.update_location(**change.by, location_id=location_id, location_in=location_in)
    return _answer(await service.location_document(change.session, location_id))


@router.post(
    "/service_at_locations",
    **creates(HsdsServiceAtLocation, 403, 409),
    summary="Say that a service is given at a location",
)
async def create_service_at_location(
    pair_in: ServiceAtLocationIn, creation: CreatingInDirectory
) -> Response:
    async def create() -> service.Versioned:
        made = await service.create_service_at_location(**creation.by, pair_in=pair_in)
        return await service.service_at_location_document(creation.session, made.id)

    return await _create(creation, "service_at_locations", create)


@router.put(
    "/service_at_locations/{service_at_location_id}",
    response_model=HsdsServiceAtLocation,
    responses=KEPT_CHANGE,
    summary="Replace what a service at a location says (its hours there)",
)
async def update_service_at_location(
    service_at_location_id: uuid.UUID,
    change_in: ServiceAtLocationChange,
    change: KeepingDirectory,
) -> Response:
    await service.update_service_at_location(
        **change.by, pair_id=service_at_location_id, change_in=change_in
    )
    return _answer(
        await service.service_at_location_document(change.session, service_at_location_id)
    )
