"""Data-subject rights over everything intake holds: access (export), erasure, and the merge
and split of duplicates, which move a person's links in every feature. Never commits.

This module sits above the features: it calls each feature's service for what that feature
holds (`export_for`, `erase_for`, `move_links`) and no feature imports it. Rectification is
persons.service.rectify. Erasure destroys the identifying fields of the person and of every
record merged into them (persons.service.erase), then what other features keep of them.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, AuditScope
from kit.auth import Principal
from kit.db import utcnow
from kit.etag import require_if_match
from services.intake.households import service as households
from services.intake.outreach import service as outreach
from services.intake.persons import service as persons
from services.intake.persons.consents import service as consents
from services.intake.persons.merges import service as merges
from services.intake.persons.merges.schemas import ConfirmIn
from services.intake.persons.reviews import service as reviews
from services.intake.persons.schemas import ErasureIn, PersonPublic
from services.intake.referrals import service as referrals
from services.intake.subject_rights.schemas import PersonExport

EXPORTS = AuditScope(persons.PERSON, AuditPurpose.SUBJECT_ACCESS_REQUEST)


class _FeatureLinks(Protocol):
    """A feature's ``move_links``: re-point its rows; returns the keys moved."""

    async def __call__(
        self,
        session: AsyncSession,
        *,
        from_person: uuid.UUID,
        to_person: uuid.UUID,
        only: Collection[uuid.UUID] | None = None,
    ) -> list[uuid.UUID]: ...


# what moves from a merged record to its survivor, by its name in PersonMerge.moved
_LINKS: tuple[tuple[str, _FeatureLinks], ...] = (
    ("referrals", referrals.move_links),
    ("households", households.move_links),
    ("consents", consents.move_links),
)


async def move_links(
    session: AsyncSession,
    *,
    from_person: uuid.UUID,
    to_person: uuid.UUID,
    only: Mapping[str, list[str]] | None = None,
) -> dict[str, list[str]]:
    """Every feature re-points its links from one person to the other (merges.MoveLinks)."""
    moved: dict[str, list[str]] = {}
    for name, move in _LINKS:
        keys: Collection[uuid.UUID] | None = None
        if only is not None:
            keys = [uuid.UUID(k) for k in only.get(name, [])]
        found = await move(session, from_person=from_person, to_person=to_person, only=keys)
        moved[name] = [str(k) for k in found]
    return moved


async def confirm_merge(
    *, session: AsyncSession, principal: Principal, review_id: uuid.UUID, confirm_in: ConfirmIn
) -> merges.PersonMerge:
    """The pair of a duplicate review is one person: merge them (merges.confirm)."""
    return await merges.confirm(
        session=session,
        principal=principal,
        review_id=review_id,
        confirm_in=confirm_in,
        move_links=move_links,
    )


async def split_merge(
    *, session: AsyncSession, principal: Principal, merge_id: uuid.UUID
) -> merges.PersonMerge:
    """Undo a wrong merge (merges.split)."""
    return await merges.split(
        session=session, principal=principal, merge_id=merge_id, move_links=move_links
    )


async def export(
    *, session: AsyncSession, principal: Principal, person_id: uuid.UUID
) -> PersonExport:
    """Subject access (art. 15): the person, the records merged into them, and everything
    intake links to them, as one JSON document."""
    person = await persons.get(
        session=session,
        principal=principal,
        person_id=person_id,
        purpose=AuditPurpose.SUBJECT_ACCESS_REQUEST,
    )
    merged = await persons.merged_into(session, person.id)
    ids = [person.id, *(p.id for p in merged)]
    await EXPORTS.record(session, principal, AuditAction.EXPORT, person.id)
    return PersonExport(
        exported_at=utcnow(),
        person=PersonPublic.model_validate(person),
        merged_records=[PersonPublic.model_validate(p) for p in merged],
        consents=await consents.export_for(session, ids),
        households=await households.export_for(session, ids),
        referrals=await referrals.export_for(session, ids),
        duplicate_reviews=await reviews.export_for(session, ids),
        revisions=await persons.export_for(session, ids) + await merges.export_for(session, ids),
        sync_conflicts=await outreach.export_for(session, ids),
    )


async def erase(
    *,
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    erasure: ErasureIn,
    if_match: str | None,
) -> persons.Person:
    """Erasure (art. 17): the registry's part, then what the review queue and offline sync
    keep of the erased records."""
    person = await persons.for_change(session, principal, person_id)
    require_if_match(if_match, person.version)
    erased = await persons.erase(session, principal, person, erasure.ground)
    await reviews.erase_for(session, erased)
    await outreach.erase_for(session, principal, erased)
    return person
