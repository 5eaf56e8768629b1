"""Consent and legal-basis records of a person: record, list, withdraw. Never commits.

A withdrawal raises ``lgnet.intake.consent.withdrawn``: every service and subscribed partner
stops the processing that consent covered for that person.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, AuditScope
from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, require_found
from kit.outbox import record_event
from services.intake.persons import service as persons
from services.intake.persons.consents import repository
from services.intake.persons.consents.models import Consent
from services.intake.persons.consents.schemas import ConsentIn, WithdrawalIn
from services.intake.persons.domain import check_given, check_withdrawable, check_withdrawn
from services.intake.persons.events import ConsentWithdrawn, ConsentWithdrawnData

CONSENTS = AuditScope("consent", AuditPurpose.REFERRAL_HANDLING)


class ConsentNotFound(NotFound, slug="consent-not-found", title="Consent not found"): ...


async def record(
    *, session: AsyncSession, principal: Principal, person_id: uuid.UUID, consent_in: ConsentIn
) -> Consent:
    person = await persons.for_change(session, principal, person_id)
    now = utcnow()
    check_given(consent_in.given_at, now)
    consent = Consent(
        **consent_in.model_dump(),
        person_id=person.id,
        recorded_by=principal.subject,
        recorded_by_organisation=principal.organisation,
        recorded_at=now,
    )
    session.add(consent)
    await session.flush()
    await CONSENTS.record(session, principal, AuditAction.CREATE, consent.id)
    return consent


async def list_for(
    *, session: AsyncSession, principal: Principal, person_id: uuid.UUID
) -> list[Consent]:
    person = await persons.get(session=session, principal=principal, person_id=person_id)
    return await repository.of_person(session, person.id)


async def get(
    *, session: AsyncSession, principal: Principal, person_id: uuid.UUID, consent_id: uuid.UUID
) -> Consent:
    """One consent of a person visible to `principal` (the read is audited)."""
    person = await persons.get(session=session, principal=principal, person_id=person_id)
    consent = require_found(
        await repository.get(session, person.id, consent_id),
        ConsentNotFound(f"No consent {consent_id} for person {person_id}."),
    )
    await CONSENTS.record(session, principal, AuditAction.READ, consent.id)
    return consent


async def withdraw(
    *,
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    consent_id: uuid.UUID,
    withdrawal: WithdrawalIn,
) -> Consent:
    person = await persons.for_change(session, principal, person_id)
    consent = require_found(
        await repository.get(session, person.id, consent_id, for_update=True),
        ConsentNotFound(f"No consent {consent_id} for person {person_id}."),
    )
    check_withdrawable(consent.legal_basis, consent.withdrawn_at is not None)
    now = utcnow()
    withdrawn_at = withdrawal.withdrawn_at or now
    check_withdrawn(withdrawn_at, consent.given_at, now)
    consent.withdrawn_at = withdrawn_at
    consent.withdrawn_by = principal.subject
    consent.withdrawal_recorded_at = now
    await session.flush()
    await CONSENTS.record(session, principal, AuditAction.UPDATE, consent.id)
    await record_event(
        session,
        ConsentWithdrawn,
        ConsentWithdrawnData.of(consent, consent_id=consent.id, person_ref=consent.person_id),
        subject=str(consent.person_id),
        organisation=principal.organisation,
    )
    return consent


# --- what the consents hold about a person (subject rights) ---------------------------------


async def export_for(
    session: AsyncSession, person_ids: Collection[uuid.UUID]
) -> list[dict[str, Any]]:
    """Subject access: these persons' consents, as JSON values (staff subjects left out)."""
    return [
        c.model_dump(mode="json", exclude={"recorded_by", "withdrawn_by"})
        for c in await repository.of_persons(session, person_ids)
    ]


move_links = repository.move_links
"""Merge and split: one person's consents become the other's."""
