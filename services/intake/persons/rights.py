"""Data-subject rights over intake's registry: access (export) and erasure. Never commits.

Rectification is `service.rectify`. Erasure destroys the identifying fields of the person and
of every record merged into them; the pseudonymous reference stays, with sex, nationality and
the age band at erasure, for statistics; ``lgnet.intake.person.erased`` tells every other
service to act.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, record_access
from kit.auth import Principal
from kit.db import utcnow
from kit.etag import require_if_match
from kit.idempotency import forget_responses_about
from kit.outbox import record_event
from services.intake.households.models import HouseholdMember
from services.intake.outreach import repository as outreach_repository
from services.intake.outreach import service as outreach_service
from services.intake.persons import duplicates, repository, service
from services.intake.persons.domain import ERASED_FIELDS, PersonStatus, age_band
from services.intake.persons.events import PersonErased, PersonErasedData
from services.intake.persons.models import (
    Consent,
    DuplicateCandidate,
    Person,
    PersonBlockingKey,
    PersonMerge,
)
from services.intake.persons.schemas import ErasureIn, PersonExport, PersonPublic
from services.intake.referrals.models import Referral


async def _merged_into(session: AsyncSession, survivor_id: uuid.UUID) -> list[Person]:
    """Every record merged, directly or through another, into ``survivor_id``."""
    found: list[Person] = []
    frontier = [survivor_id]
    while frontier:
        stmt = select(Person).where(col(Person.merged_into).in_(frontier))
        batch = [p for p in await session.exec(stmt) if p.status == PersonStatus.MERGED]
        found += batch
        frontier = [p.id for p in batch]
    return found


async def export(
    *, session: AsyncSession, principal: Principal, person_id: uuid.UUID
) -> PersonExport:
    """Subject access (art. 15): the person, the records merged into them, and everything
    intake links to them, as one JSON document."""
    person = await service.get(
        session=session,
        principal=principal,
        person_id=person_id,
        purpose=AuditPurpose.SUBJECT_ACCESS_REQUEST,
    )
    merged = await _merged_into(session, person.id)
    ids = [person.id, *(p.id for p in merged)]
    await record_access(
        session,
        principal,
        action=AuditAction.EXPORT,
        resource_type=service.PERSON,
        resource_id=person.id,
        purpose=AuditPurpose.SUBJECT_ACCESS_REQUEST,
    )
    consents = await session.exec(select(Consent).where(col(Consent.person_id).in_(ids)))
    memberships = await session.exec(
        select(HouseholdMember).where(col(HouseholdMember.person_id).in_(ids))
    )
    referral_ids = await repository.referral_ids_of(session, ids)
    referrals = await session.exec(select(Referral).where(col(Referral.id).in_(referral_ids)))
    reviews = await session.exec(
        select(DuplicateCandidate).where(
            or_(
                col(DuplicateCandidate.person_id).in_(ids),
                col(DuplicateCandidate.candidate_id).in_(ids),
            )
        )
    )
    merges = await session.exec(select(PersonMerge).where(col(PersonMerge.survivor_id).in_(ids)))
    conflicts = await outreach_repository.conflicts_of(session, ids)
    return PersonExport(
        exported_at=utcnow(),
        person=PersonPublic.model_validate(person),
        merged_records=[PersonPublic.model_validate(p) for p in merged],
        consents=[_plain(c, exclude={"recorded_by", "withdrawn_by"}) for c in consents],
        households=[_plain(m) for m in memberships],
        referrals=[
            _plain(
                r,
                include={
                    "id",
                    "status",
                    "channel",
                    "received_at",
                    "municipio",
                    "place_name",
                    "urgency",
                    "target_group",
                    "needs",
                    "reporting_organisation",
                    "lead_organisation",
                    "handed_over_at",
                },
            )
            for r in referrals
        ],
        duplicate_reviews=[
            _plain(r, include={"id", "person_id", "candidate_id", "score", "status", "found_at"})
            for r in reviews
        ],
        revisions=[
            _plain(r, exclude={"changed_by"}) for r in await repository.revisions(session, ids)
        ]
        + [_plain(m, include={"id", "merged_id", "merged_at", "split_at"}) for m in merges],
        sync_conflicts=[
            _plain(c, exclude={"created_by", "resolved_by", "device_id", "client_id"})
            for c in conflicts
        ],
    )


def _plain(
    row: Any, *, include: set[str] | None = None, exclude: set[str] | None = None
) -> dict[str, Any]:
    """A row as JSON values; staff subjects (``*_by``) are left out, organisations kept."""
    return dict(row.model_dump(mode="json", include=include, exclude=exclude))


async def erase(
    *,
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    erasure: ErasureIn,
    if_match: str | None,
) -> Person:
    person = await service.for_change(session, principal, person_id)
    require_if_match(if_match, person.version)
    merged = await _merged_into(session, person.id)
    now = utcnow()
    for record in (person, *merged):
        record.erased_age_band = age_band(record.birth_date, now.date())
        for name, value in ERASED_FIELDS.items():
            setattr(record, name, value)
        record.status = PersonStatus.ERASED
        record.erased_at = now
        record.updated_at = now
        record.version += 1
    ids = [person.id, *(p.id for p in merged)]
    await session.exec(delete(PersonBlockingKey).where(col(PersonBlockingKey.person_id).in_(ids)))
    for erased_id in ids:
        await forget_responses_about(session, str(erased_id))
    await duplicates.retire(session, ids)
    await outreach_service.forget_proposals(session, principal, ids)
    await session.flush()
    await record_access(
        session,
        principal,
        action=AuditAction.ERASE,
        resource_type=service.PERSON,
        resource_id=person.id,
        purpose=AuditPurpose.ERASURE,
    )
    await record_event(
        session,
        PersonErased,
        PersonErasedData(
            person_ref=person.id,
            merged_refs=[p.id for p in merged],
            ground=erasure.ground,
            erased_at=now,
        ),
        subject=str(person.id),
        organisation=principal.organisation,
    )
    return person
