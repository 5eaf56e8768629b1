"""Case use cases: load, apply the domain rules, save, record events. Never commits."""

from __future__ import annotations

import uuid
from typing import Unpack

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, require_found
from kit.pagination import Page, PageParams
from kit.usecases import add_announced
from services.casework.cases import repository
from services.casework.cases.domain import INITIAL
from services.casework.cases.events import CaseOpened
from services.casework.cases.models import Case
from services.casework.cases.schemas import HandedOverReferralIn


class CaseNotFound(NotFound):
    slug = "case-not-found"
    title = "Case not found"


async def open_case(*, session: AsyncSession, handover_in: HandedOverReferralIn) -> Case:
    """Open the case of a handed-over referral; the existing case if it was already opened."""
    existing = await repository.get_by_referral(session, handover_in.referral_id)
    if existing is not None:
        return existing
    now = utcnow()
    case = Case(**handover_in.model_dump(), status=INITIAL, opened_at=now, updated_at=now)
    # a concurrent opening of the same referral fails in the flush (unique referral_id)
    return await add_announced(
        session, case, CaseOpened, organisation=case.lead_organisation, case_id=case.id
    )


async def list_visible(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    **where: Unpack[repository.CaseFilter],
) -> Page[Case]:
    """The cases `principal` may see (`domain.visible_to`), newest first."""
    return await repository.list_visible(session, principal, page, **where)


async def get(*, session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> Case:
    case = await repository.get_visible(session, case_id, principal)
    return require_found(case, CaseNotFound(f"No case {case_id} visible to you."))
