"""Transfer use cases: ask another organisation to lead a case, answer, withdraw.
Never commits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction
from kit.auth import Principal, Role
from kit.db import utcnow
from kit.errors import NotFound
from kit.etag import require_if_match
from kit.events.types import EventType
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from services.casework.cases import service as cases
from services.casework.cases.schemas import MemberCreate, Status
from services.casework.sharing import service as sharing
from services.casework.transfers import domain, repository
from services.casework.transfers.domain import Answer, TransferStatus
from services.casework.transfers.events import TransferAnswered, TransferRequested
from services.casework.transfers.models import CaseTransfer
from services.casework.transfers.repository import TransferFilter as TransferFilter
from services.casework.transfers.schemas import AnswerIn, TransferIn


class TransferNotFound(NotFound, slug="transfer-not-found", title="Transfer not found"): ...


async def request(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, transfer_in: TransferIn
) -> CaseTransfer:
    """Ask `transfer_in.to_organisation` to lead the case: one transfer waits at a time."""
    case = await cases.managed(session, principal, case_id)
    domain.may_ask(
        lead_organisation=case.lead_organisation, to_organisation=transfer_in.to_organisation
    )
    now = utcnow()
    previous = await cases.begin_transfer(session, principal, case, now)
    transfer = CaseTransfer(
        case_id=case.id,
        status=TransferStatus.PENDING,
        from_organisation=case.lead_organisation,
        to_organisation=transfer_in.to_organisation,
        resumes_status=previous,
        request_reason=transfer_in.reason,
        requested_by=principal.subject,
        requested_at=now,
        updated_at=now,
    )
    session.add(transfer)
    await session.flush()  # a concurrent request fails here (one pending per case)
    await _publish(session, TransferRequested, transfer)
    return transfer


async def get(
    *, session: AsyncSession, principal: Principal, transfer_id: uuid.UUID
) -> CaseTransfer:
    transfer = await _visible(session, principal, transfer_id, for_update=False)
    await cases.CASES.record(session, principal, AuditAction.READ, transfer.case_id)
    return transfer


async def of_case(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> list[CaseTransfer]:
    """The case's transfers, oldest first (the read of the case is audited)."""
    case = await cases.get(session=session, principal=principal, case_id=case_id)
    return await repository.of_case(session, case.id)


async def list_visible(
    *, session: AsyncSession, principal: Principal, page: PageParams, where: TransferFilter
) -> Page[CaseTransfer]:
    found = await repository.list_visible(session, principal, page, where)
    case_ids = dict.fromkeys(t.case_id for t in found.items)
    await cases.CASES.record(session, principal, AuditAction.LIST, *case_ids)
    return found


async def answer(
    *,
    session: AsyncSession,
    principal: Principal,
    transfer_id: uuid.UUID,
    if_match: str | None,
    answer_in: AnswerIn,
) -> CaseTransfer:
    """Accept (the receiving organisation leads the case from now on) or refuse; the case
    takes up the status it had."""
    transfer = await _for_change(session, principal, transfer_id, if_match)
    # the case first: while the transfer is pending the receiving organisation sees it
    case = await cases.visible(session, principal, transfer.case_id, for_update=True)
    transfer.status = domain.answer(
        TransferStatus(transfer.status),
        answer_in.answer,
        to_organisation=transfer.to_organisation,
        answerer=domain.Answerer(
            organisation=principal.organisation,
            supervisor=principal.has_role(Role.CASE_SUPERVISOR),
        ),
        manager_named=answer_in.case_manager is not None,
        refusal_reason=answer_in.reason,
    )
    now = utcnow()
    resumed = Status(transfer.resumes_status)
    if answer_in.answer is Answer.ACCEPT and answer_in.case_manager is not None:
        manager = MemberCreate(
            user=answer_in.case_manager.user,
            organisation=transfer.to_organisation,
            role=answer_in.case_manager.role,
            case_manager=True,
        )
        new_lead = (transfer.to_organisation, manager)
        await cases.resume_after_transfer(session, principal, case, resumed, now, new_lead=new_lead)
        await sharing.end_grant_of(session, case, transfer.to_organisation, now)
        transfer.former_lead_reach = answer_in.former_lead_reach
        if answer_in.former_lead_reach is not None:
            await sharing.grant_to(
                session,
                principal,
                case,
                transfer.from_organisation,
                answer_in.former_lead_reach,
                now,
            )
    else:
        transfer.refusal_reason = answer_in.reason
        await cases.resume_after_transfer(session, principal, case, resumed, now)
    await _answered(session, principal, transfer, now)
    return transfer


async def withdraw(
    *, session: AsyncSession, principal: Principal, transfer_id: uuid.UUID, if_match: str | None
) -> CaseTransfer:
    """The lead takes its request back while it is pending."""
    transfer = await _for_change(session, principal, transfer_id, if_match)
    transfer.status = domain.withdraw(
        TransferStatus(transfer.status),
        from_organisation=transfer.from_organisation,
        organisation=principal.organisation,
    )
    case = await cases.managed(session, principal, transfer.case_id)
    now = utcnow()
    await cases.resume_after_transfer(
        session, principal, case, Status(transfer.resumes_status), now
    )
    await _answered(session, principal, transfer, now)
    return transfer


async def _answered(
    session: AsyncSession, principal: Principal, transfer: CaseTransfer, now: datetime
) -> None:
    transfer.answered_by, transfer.answered_at = principal.subject, now
    transfer.version += 1
    transfer.updated_at = now
    await session.flush()
    await _publish(
        session,
        TransferAnswered,
        transfer,
        answered_at=now,
        former_lead_reach=transfer.former_lead_reach,
    )


async def _visible(
    session: AsyncSession, principal: Principal, transfer_id: uuid.UUID, *, for_update: bool
) -> CaseTransfer:
    found = await repository.get_visible(session, transfer_id, principal, for_update=for_update)
    if found is None:
        raise TransferNotFound(f"No transfer {transfer_id} visible to you.")
    return found


async def _for_change(
    session: AsyncSession, principal: Principal, transfer_id: uuid.UUID, if_match: str | None
) -> CaseTransfer:
    transfer = await _visible(session, principal, transfer_id, for_update=True)
    require_if_match(if_match, transfer.version)
    return transfer


async def _publish(
    session: AsyncSession, event: EventType[Any], transfer: CaseTransfer, **fields: Any
) -> None:
    data = event.payload.of(transfer, transfer_id=transfer.id, **fields)
    await record_event(
        session,
        event,
        data,
        subject=str(transfer.case_id),
        organisation=transfer.from_organisation,
    )


async def held_on_case(session: AsyncSession, case_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every transfer of the case, as JSON values (subject access)."""
    return [t.model_dump(mode="json") for t in await repository.of_case(session, case_id)]


async def anonymise_case(session: AsyncSession, case_id: uuid.UUID) -> None:
    """Retention: transfers keep who asked and answered, when, between whom; not why."""
    for transfer in await repository.of_case(session, case_id):
        transfer.request_reason = cases.ANONYMISED
        transfer.refusal_reason = None
    await session.flush()
