"""Merging duplicates, and splitting a wrong merge. Never commits.

Confirming a review merges its two persons: the survivor keeps both histories (the merged
record's referrals, consents and household memberships move to it; the merged record stays,
marked ``merged`` with ``merged_into``, so its names still find the person). What moved is
recorded with the merge, so a split moves exactly that back and reactivates the record.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, record_accesses
from kit.auth import Principal
from kit.db import utcnow
from kit.errors import Conflict, NotFound, UnprocessableContent
from kit.outbox import record_event
from kit.schemas import ClosedModel
from services.intake.households.models import HouseholdMember
from services.intake.persons import duplicates, repository, service
from services.intake.persons.domain import PersonNotActive, PersonStatus
from services.intake.persons.duplicates import ReviewStatus
from services.intake.persons.events import (
    PersonMerged,
    PersonMergedData,
    PersonSplit,
    PersonSplitData,
)
from services.intake.persons.models import Consent, Person, PersonMerge, ReferralPerson


class ConfirmIn(ClosedModel):
    survivor_id: Annotated[
        uuid.UUID | None,
        Field(description="Which of the two records survives; default the older one"),
    ] = None


class NotInPair(UnprocessableContent):
    slug = "survivor-not-in-pair"
    title = "The survivor must be one of the two persons"


class MergeNotFound(NotFound):
    slug = "merge-not-found"
    title = "Merge not found"


class AlreadySplit(Conflict):
    slug = "merge-already-split"
    title = "The merge was already split"


# what moves from the merged record to the survivor: (name in PersonMerge.moved, table, key)
_LINKS = (
    ("referrals", ReferralPerson, "referral_id"),
    ("households", HouseholdMember, "household_id"),
    ("consents", Consent, "id"),
)


async def confirm(
    *, session: AsyncSession, principal: Principal, review_id: uuid.UUID, confirm_in: ConfirmIn
) -> PersonMerge:
    """The pair is the same person: merge the newer record into the older (or the chosen)."""
    review = await duplicates.get_review(session, principal, review_id, for_update=True)
    duplicates.decide(review, principal, ReviewStatus.CONFIRMED)
    pair = (review.candidate_id, review.person_id)
    survivor_id = confirm_in.survivor_id or pair[0]
    if survivor_id not in pair:
        raise NotInPair(f"{survivor_id} is not one of {pair[0]} and {pair[1]}.")
    merged_id = pair[1] if survivor_id == pair[0] else pair[0]
    survivor = await service.for_change(session, principal, survivor_id)
    merged = await service.for_change(session, principal, merged_id)
    moved: dict[str, list[str]] = {}
    for name, link, key in _LINKS:
        keys = await repository.move_links(
            session, link, key, from_person=merged.id, to_person=survivor.id
        )
        moved[name] = [str(k) for k in keys]
    now = utcnow()
    merged.status, merged.merged_into = PersonStatus.MERGED, survivor.id
    for person in (survivor, merged):
        person.version += 1
        person.updated_at = now
    merge = PersonMerge(
        survivor_id=survivor.id,
        merged_id=merged.id,
        candidate_id=review.id,
        moved=moved,
        merged_by=principal.subject,
        merged_by_organisation=principal.organisation,
        merged_at=now,
    )
    session.add(merge)
    await session.flush()
    await duplicates.retire(session, [merged.id])
    # the survivor now answers for both: look again for pairs the merged record had
    candidates = await service.find_candidates(
        session, service.facts(survivor), exclude=survivor.id
    )
    await duplicates.keep(session, principal, survivor, candidates)
    await _audit(session, principal, survivor, merged)
    await record_event(
        session,
        PersonMerged,
        PersonMergedData(survivor_ref=survivor.id, merged_ref=merged.id, merged_at=now),
        subject=str(survivor.id),
        organisation=principal.organisation,
    )
    return merge


async def get_merge(
    session: AsyncSession, principal: Principal, merge_id: uuid.UUID, *, for_update: bool = False
) -> PersonMerge:
    stmt = select(PersonMerge).where(PersonMerge.id == merge_id)
    if for_update:
        stmt = stmt.with_for_update()
    merge = (await session.exec(stmt)).first()
    visible = await repository.visible_ids(
        session, principal, [merge.survivor_id] if merge is not None else []
    )
    if merge is None or merge.survivor_id not in visible:
        raise MergeNotFound(f"No merge {merge_id} visible to you.")
    return merge


async def split(*, session: AsyncSession, principal: Principal, merge_id: uuid.UUID) -> PersonMerge:
    """Undo a wrong merge: the merged record is active again with what moved from it; the
    pair is recorded as not the same person."""
    merge = await get_merge(session, principal, merge_id, for_update=True)
    if merge.split_at is not None:
        raise AlreadySplit(f"Merge {merge_id} was already split.")
    survivor = await service.for_change(session, principal, merge.survivor_id)
    merged = await session.get(Person, merge.merged_id, with_for_update=True)
    if merged is None or merged.status != PersonStatus.MERGED or merged.merged_into != survivor.id:
        raise PersonNotActive(f"Person {merge.merged_id} is no longer merged into the survivor.")
    for name, link, key in _LINKS:
        await repository.move_links(
            session,
            link,
            key,
            from_person=survivor.id,
            to_person=merged.id,
            only=[uuid.UUID(k) for k in merge.moved.get(name, [])],
        )
    now = utcnow()
    merged.status, merged.merged_into = PersonStatus.ACTIVE, None
    for person in (survivor, merged):
        person.version += 1
        person.updated_at = now
    merge.split_by, merge.split_at = principal.subject, now
    if merge.candidate_id is not None:
        review = await duplicates.get_review(session, principal, merge.candidate_id)
        # a wrong merge: not the same person
        duplicates.decide(review, principal, ReviewStatus.DISMISSED, was=ReviewStatus.CONFIRMED)
    await session.flush()
    await _audit(session, principal, survivor, merged)
    await record_event(
        session,
        PersonSplit,
        PersonSplitData(survivor_ref=survivor.id, restored_ref=merged.id, split_at=now),
        subject=str(survivor.id),
        organisation=principal.organisation,
    )
    return merge


async def _audit(
    session: AsyncSession, principal: Principal, survivor: Person, merged: Person
) -> None:
    await record_accesses(
        session,
        principal,
        action=AuditAction.MERGE,
        resource_type=service.PERSON,
        resource_ids=[survivor.id, merged.id],
        purpose=AuditPurpose.DUPLICATE_RESOLUTION,
    )
