"""Sharing use cases: grant or revoke an organisation's read of a case, record or remove a
legal basis. Never commits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal, Role
from kit.db import utcnow
from kit.errors import NotFound, ValidationFailed
from kit.events.types import EventData, EventType
from kit.outbox import record_event
from services.casework.cases import service as cases
from services.casework.cases.schemas import Reach
from services.casework.cases.service import Case
from services.casework.sharing import domain, repository
from services.casework.sharing.domain import Purpose
from services.casework.sharing.events import AccessGrantChanged, LegalBasisChanged
from services.casework.sharing.models import AccessGrant, LegalBasis
from services.casework.sharing.schemas import GrantIn, LegalBasisIn

E = TypeVar("E", bound=EventData)


class GrantNotFound(NotFound, slug="grant-not-found", title="Grant not found"): ...


class LegalBasisNotFound(NotFound, slug="legal-basis-not-found", title="Legal basis not found"): ...


async def grants_of(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> list[AccessGrant]:
    """The case's grants, revoked ones too (the read of the case is audited)."""
    case = await cases.get(session=session, principal=principal, case_id=case_id)
    return await repository.grants_of(session, case.id)


async def bases_of(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> list[LegalBasis]:
    case = await cases.get(session=session, principal=principal, case_id=case_id)
    return await repository.bases_of(session, case.id)


async def _for_sharing(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, if_match: str | None
) -> Case:
    case = await cases.for_change(session, principal, case_id, if_match)
    domain.may_record(
        supervisor=principal.has_role(Role.CASE_SUPERVISOR),
        organisation=principal.organisation,
        lead_organisation=case.lead_organisation,
    )
    return case


async def grant(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    organisation: str,
    if_match: str | None,
    grant_in: GrantIn,
) -> tuple[int, AccessGrant]:
    """Let `organisation` read the case as far as the grant reaches: the case's new version
    and the grant."""
    case = await _for_sharing(session, principal, case_id, if_match)
    if organisation == case.lead_organisation:
        raise ValidationFailed.for_field(
            "organisation", "leads the case: it reads all of it", code="lead_organisation"
        )
    now = utcnow()
    found = await grant_to(session, principal, case, organisation, grant_in.reach, now)
    await cases.save_change(session, principal, case, now)
    return case.version, found


async def grant_to(
    session: AsyncSession,
    principal: Principal,
    case: Case,
    organisation: str,
    reach: Reach,
    now: datetime,
) -> AccessGrant:
    """Grant (or re-grant, with a new reach) without asking who may: the caller checked."""
    found = await session.get(AccessGrant, (case.id, organisation))
    if found is None:
        found = AccessGrant(
            case_id=case.id,
            organisation=organisation,
            reach=reach,
            granted_by=principal.subject,
            granted_at=now,
        )
        session.add(found)
    else:
        found.reach, found.granted_by, found.granted_at = reach, principal.subject, now
        found.revoked_at = None
    await session.flush()
    await _publish_grant(session, case, organisation, reach, now)
    return found


async def end_grant_of(session: AsyncSession, case: Case, organisation: str, now: datetime) -> None:
    """End `organisation`'s grant on the case, if it holds one, without asking who may: it
    now leads the case (an accepted transfer), and a lead reads it all without one."""
    found = await session.get(AccessGrant, (case.id, organisation))
    if found is None or found.revoked_at is not None:
        return
    found.revoked_at = now
    await session.flush()
    await _publish_grant(session, case, organisation, None, now)


async def revoke(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    organisation: str,
    if_match: str | None,
) -> tuple[int, AccessGrant]:
    """End `organisation`'s read of the case at once."""
    case = await _for_sharing(session, principal, case_id, if_match)
    found = await session.get(AccessGrant, (case.id, organisation))
    if found is None or found.revoked_at is not None:
        raise GrantNotFound(f"{organisation} holds no grant on case {case_id}.")
    now = utcnow()
    await end_grant_of(session, case, organisation, now)
    await cases.save_change(session, principal, case, now)
    return case.version, found


async def record_basis(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    purpose: Purpose,
    if_match: str | None,
    basis_in: LegalBasisIn,
) -> tuple[int, LegalBasis]:
    """Record the basis other than consent that covers `purpose` for the case."""
    case = await _for_sharing(session, principal, case_id, if_match)
    if basis_in.basis not in domain.BASES_FOR[purpose]:
        allowed = ", ".join(sorted(domain.BASES_FOR[purpose]))
        raise ValidationFailed.for_field(
            "basis", f"does not cover {purpose}: one of {allowed}", code="basis_not_covering"
        )
    now = utcnow()
    found = await session.get(LegalBasis, (case.id, str(purpose)))
    if found is None:
        found = LegalBasis(
            case_id=case.id,
            purpose=purpose,
            basis=basis_in.basis,
            reference=basis_in.reference,
            recorded_by=principal.subject,
            recorded_at=now,
        )
        session.add(found)
    else:
        found.basis, found.reference = basis_in.basis, basis_in.reference
        found.recorded_by, found.recorded_at = principal.subject, now
    await session.flush()
    await _publish_basis(session, case, purpose, basis_in.basis, now)
    await cases.save_change(session, principal, case, now)
    return case.version, found


async def remove_basis(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    purpose: Purpose,
    if_match: str | None,
) -> int:
    """Consent alone covers `purpose` again: the case's new version."""
    case = await _for_sharing(session, principal, case_id, if_match)
    found = await session.get(LegalBasis, (case.id, str(purpose)))
    if found is None:
        raise LegalBasisNotFound(f"Case {case_id} has no legal basis for {purpose}.")
    await session.delete(found)
    await session.flush()
    now = utcnow()
    await _publish_basis(session, case, purpose, None, now)
    await cases.save_change(session, principal, case, now)
    return case.version


async def _publish_grant(
    session: AsyncSession, case: Case, organisation: str, reach: str | None, now: datetime
) -> None:
    data = AccessGrantChanged.payload.of(
        case, case_id=case.id, organisation=organisation, reach=reach, changed_at=now
    )
    await _record(session, AccessGrantChanged, data, case)


async def _publish_basis(
    session: AsyncSession, case: Case, purpose: str, basis: str | None, now: datetime
) -> None:
    data = LegalBasisChanged.payload.of(
        case, case_id=case.id, purpose=purpose, basis=basis, changed_at=now
    )
    await _record(session, LegalBasisChanged, data, case)


async def _record(session: AsyncSession, event: EventType[E], data: E, case: Case) -> None:
    await record_event(
        session, event, data, subject=str(case.id), organisation=case.lead_organisation
    )


async def held_on_case(session: AsyncSession, case_id: uuid.UUID) -> dict[str, list[Any]]:
    """The case's grants and legal bases, as JSON values (subject access)."""
    return {
        "grants": [g.model_dump(mode="json") for g in await repository.grants_of(session, case_id)],
        "legal_bases": [
            b.model_dump(mode="json") for b in await repository.bases_of(session, case_id)
        ],
    }
