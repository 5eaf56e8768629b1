"""Case use cases: load, apply the domain rules, save, record events. Never commits."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, require_found
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from services.casework.cases import repository
from services.casework.cases.domain import INITIAL, Status
from services.casework.cases.events import CaseOpened, CaseOpenedData
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
    case = Case(
        status=INITIAL,
        referral_id=handover_in.referral_id,
        lead_organisation=handover_in.lead_organisation,
        reporting_organisation=handover_in.reporting_organisation,
        urgency=handover_in.urgency,
        target_group=handover_in.target_group,
        municipio=handover_in.municipio,
        referral_received_at=handover_in.received_at,
        handed_over_at=handover_in.handed_over_at,
        opened_at=now,
        updated_at=now,
    )
    session.add(case)
    await session.flush()  # a concurrent opening of the same referral fails here (unique)
    await record_event(
        session,
        CaseOpened,
        CaseOpenedData.of(case, case_id=case.id),
        subject=str(case.id),
        organisation=case.lead_organisation,
    )
    return case


async def list_visible(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    status: Status | None,
    referral_id: uuid.UUID | None,
) -> Page[Case]:
    """The cases `principal` may see (`domain.visible_to`), newest first."""
    return await repository.list_visible(
        session, principal, page, status=status, referral_id=referral_id
    )


async def get(*, session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> Case:
    case = await repository.get_visible(session, case_id, principal)
    return require_found(case, CaseNotFound(f"No case {case_id} visible to you."))
