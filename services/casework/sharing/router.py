"""HTTP for what a case shares: read grants to other organisations, legal bases."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from kit.routes import NOT_FOUND
from services.casework.access import MANAGED_CHANGE, Changing, Reading
from services.casework.sharing import service
from services.casework.sharing.domain import Purpose
from services.casework.sharing.models import AccessGrant
from services.casework.sharing.schemas import (
    GrantIn,
    GrantPublic,
    LegalBasisIn,
    LegalBasisPublic,
)

router = APIRouter(prefix="/v1/casework/cases", tags=["sharing"])

Organisation = Annotated[
    str,
    Path(
        pattern=r"^[a-z0-9][a-z0-9-]{1,62}$",
        description="The alias of a network organisation (its Keycloak organisation)",
    ),
]
SHARING_CHANGE = {**MANAGED_CHANGE, **NOT_FOUND}


def _public(grant: AccessGrant) -> GrantPublic:
    return GrantPublic.model_validate({**grant.model_dump(), "active": grant.revoked_at is None})


@router.get(
    "/{case_id}/grants",
    responses=NOT_FOUND,
    summary="Organisations that read the case by the lead's grant, revoked ones too",
)
async def list_grants(case_id: uuid.UUID, call: Reading) -> list[GrantPublic]:
    return [_public(g) for g in await service.grants_of(**call.by, case_id=case_id)]


@router.put(
    "/{case_id}/grants/{organisation}",
    responses=SHARING_CHANGE,
    summary="Let an organisation read the case as far as the grant reaches (a supervisor of "
    "the lead; If-Match: the case's ETag)",
)
async def grant(
    case_id: uuid.UUID, organisation: Organisation, grant_in: GrantIn, change: Changing
) -> GrantPublic:
    version, found = await service.grant(
        **change.by, case_id=case_id, organisation=organisation, grant_in=grant_in
    )
    return change.etagged(version, _public(found))


@router.delete(
    "/{case_id}/grants/{organisation}",
    responses=SHARING_CHANGE,
    summary="End an organisation's read of the case at once (If-Match: the case's ETag)",
)
async def revoke(case_id: uuid.UUID, organisation: Organisation, change: Changing) -> GrantPublic:
    version, found = await service.revoke(**change.by, case_id=case_id, organisation=organisation)
    return change.etagged(version, _public(found))


@router.get(
    "/{case_id}/legal-bases",
    responses=NOT_FOUND,
    summary="The bases other than consent the case's processing rests on",
)
async def list_bases(case_id: uuid.UUID, call: Reading) -> list[LegalBasisPublic]:
    found = await service.bases_of(**call.by, case_id=case_id)
    return [LegalBasisPublic.model_validate(b) for b in found]


@router.put(
    "/{case_id}/legal-bases/{purpose}",
    responses=SHARING_CHANGE,
    summary="Record the basis that covers a purpose, whatever the person's consent (a "
    "supervisor of the lead; If-Match: the case's ETag)",
)
async def record_basis(
    case_id: uuid.UUID, purpose: Purpose, basis_in: LegalBasisIn, change: Changing
) -> LegalBasisPublic:
    version, found = await service.record_basis(
        **change.by, case_id=case_id, purpose=purpose, basis_in=basis_in
    )
    return change.etagged(version, LegalBasisPublic.model_validate(found))


@router.delete(
    "/{case_id}/legal-bases/{purpose}",
    responses=SHARING_CHANGE,
    status_code=204,
    summary="Consent alone covers the purpose again (If-Match: the case's ETag)",
)
async def remove_basis(case_id: uuid.UUID, purpose: Purpose, change: Changing) -> None:
    version = await service.remove_basis(**change.by, case_id=case_id, purpose=purpose)
    change.etagged(version, None)
