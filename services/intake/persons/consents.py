"""Consent and legal-basis records of a person: record, list, withdraw. Never commits.

A withdrawal raises ``lgnet.intake.consent.withdrawn``: every service and subscribed partner
stops the processing that consent covered for that person.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, record_access
from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, UnprocessableContent
from kit.outbox import record_event
from kit.schemas import ClosedModel, Id, PublicModel, Timestamp
from services.intake.persons import service
from services.intake.persons.domain import (
    GivenBy,
    LegalBasis,
    ProcessingPurpose,
    check_withdrawable,
)
from services.intake.persons.events import ConsentWithdrawn, ConsentWithdrawnData
from services.intake.persons.models import Consent

CONSENT = "consent"


class ConsentIn(ClosedModel):
    purpose: ProcessingPurpose
    legal_basis: LegalBasis
    given_by: GivenBy
    given_at: Timestamp


class WithdrawalIn(ClosedModel):
    withdrawn_at: Annotated[
        Timestamp | None, Field(description="When the person withdrew it; default now")
    ] = None


class ConsentPublic(PublicModel):
    id: Id
    person_id: Id
    purpose: ProcessingPurpose
    legal_basis: LegalBasis
    given_by: GivenBy
    given_at: datetime
    recorded_by_organisation: str
    recorded_at: datetime
    withdrawn_at: datetime | None
    withdrawal_recorded_at: datetime | None


class ConsentNotFound(NotFound):
    slug = "consent-not-found"
    title = "Consent not found"


class ImplausibleTime(UnprocessableContent):
    slug = "implausible-time"
    title = "The time is in the future or before the consent was given"


async def record(
    *, session: AsyncSession, principal: Principal, person_id: uuid.UUID, consent_in: ConsentIn
) -> Consent:
    person = await service.for_change(session, principal, person_id)
    now = utcnow()
    if consent_in.given_at > now:
        raise ImplausibleTime("given_at is in the future.")
    consent = Consent(
        person_id=person.id,
        purpose=consent_in.purpose,
        legal_basis=consent_in.legal_basis,
        given_by=consent_in.given_by,
        given_at=consent_in.given_at,
        recorded_by=principal.subject,
        recorded_by_organisation=principal.organisation,
        recorded_at=now,
    )
    session.add(consent)
    await session.flush()
    await _audit(session, principal, consent, AuditAction.CREATE)
    return consent


async def list_for(
    *, session: AsyncSession, principal: Principal, person_id: uuid.UUID
) -> list[Consent]:
    person = await service.get(session=session, principal=principal, person_id=person_id)
    stmt = (
        select(Consent)
        .where(Consent.person_id == person.id)
        .order_by(col(Consent.recorded_at), col(Consent.id))
    )
    return list(await session.exec(stmt))


async def withdraw(
    *,
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    consent_id: uuid.UUID,
    withdrawal: WithdrawalIn,
) -> Consent:
    person = await service.for_change(session, principal, person_id)
    stmt = (
        select(Consent)
        .where(Consent.id == consent_id, Consent.person_id == person.id)
        .with_for_update()
    )
    consent = (await session.exec(stmt)).first()
    if consent is None:
        raise ConsentNotFound(f"No consent {consent_id} for person {person_id}.")
    check_withdrawable(consent.legal_basis, consent.withdrawn_at is not None)
    now = utcnow()
    withdrawn_at = withdrawal.withdrawn_at or now
    if withdrawn_at > now or withdrawn_at < consent.given_at:
        raise ImplausibleTime("withdrawn_at must be between given_at and now.")
    consent.withdrawn_at = withdrawn_at
    consent.withdrawn_by = principal.subject
    consent.withdrawal_recorded_at = now
    await session.flush()
    await _audit(session, principal, consent, AuditAction.UPDATE)
    await record_event(
        session,
        ConsentWithdrawn,
        ConsentWithdrawnData(
            consent_id=consent.id,
            person_ref=consent.person_id,
            purpose=consent.purpose,
            legal_basis=consent.legal_basis,
            withdrawn_at=withdrawn_at,
        ),
        subject=str(consent.person_id),
        organisation=principal.organisation,
    )
    return consent


async def _audit(
    session: AsyncSession, principal: Principal, consent: Consent, action: AuditAction
) -> None:
    await record_access(
        session,
        principal,
        action=action,
        resource_type=CONSENT,
        resource_id=consent.id,
        purpose=AuditPurpose.REFERRAL_HANDLING,
    )
