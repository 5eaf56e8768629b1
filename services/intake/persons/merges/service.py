"""Merging duplicates, and splitting a wrong merge. Never commits.

Confirming a review merges its two persons: the survivor keeps both histories (the merged
record's referrals, consents and household memberships move to it; the merged record stays,
marked ``merged`` with ``merged_into``, so its names still find the person). What moved is
recorded with the merge, so a split moves exactly that back and reactivates the record.

The links belong to other features, so the caller moves them (`MoveLinks`): the subject-rights
module above the features asks each feature to move what it holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from typing import Any, Protocol, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction
from kit.auth import Principal
from kit.db import utcnow
from kit.errors import Conflict, NotFound, UnprocessableContent
from kit.events.types import EventData, EventType
from kit.outbox import record_event
from services.intake.persons import service as persons
from services.intake.persons.domain import PersonNotActive, PersonStatus
from services.intake.persons.events import (
    PersonMerged,
    PersonMergedData,
    PersonSplit,
    PersonSplitData,
)
from services.intake.persons.merges import repository
from services.intake.persons.merges.models import PersonMerge as PersonMerge
from services.intake.persons.merges.schemas import ConfirmIn
from services.intake.persons.reviews import service as reviews
from services.intake.persons.reviews.domain import ReviewStatus

P = TypeVar("P", bound=EventData)


class NotInPair(UnprocessableContent):
    slug = "survivor-not-in-pair"
    title = "The survivor must be one of the two persons"


class MergeNotFound(NotFound, slug="merge-not-found", title="Merge not found"): ...


class AlreadySplit(Conflict, slug="merge-already-split", title="The merge was already split"): ...


class MoveLinks(Protocol):
    """Re-point what links to ``from_person`` to ``to_person``; ``only``: just these keys, by
    kind of link (a split moving back what the merge moved). Returns the keys moved, by kind,
    as `PersonMerge.moved` records them."""

    async def __call__(
        self,
        session: AsyncSession,
        *,
        from_person: uuid.UUID,
        to_person: uuid.UUID,
        only: Mapping[str, list[str]] | None = None,
    ) -> dict[str, list[str]]: ...


async def confirm(
    *,
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    confirm_in: ConfirmIn,
    move_links: MoveLinks,
) -> PersonMerge:
    """The pair is the same person: merge the newer record into the older (or the chosen)."""
    review = await reviews.get_review(session, principal, review_id, for_update=True)
    reviews.decide(review, principal, ReviewStatus.CONFIRMED)
    pair = (review.candidate_id, review.person_id)
    survivor_id = confirm_in.survivor_id or pair[0]
    if survivor_id not in pair:
        raise NotInPair(f"{survivor_id} is not one of {pair[0]} and {pair[1]}.")
    merged_id = pair[1] if survivor_id == pair[0] else pair[0]
    survivor = await persons.for_change(session, principal, survivor_id)
    merged = await persons.for_change(session, principal, merged_id)
    moved = await move_links(session, from_person=merged.id, to_person=survivor.id)
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
    await reviews.retire(session, [merged.id])
    # the survivor now answers for both: look again for pairs the merged record had
    candidates = await persons.find_candidates(
        session, persons.facts(survivor), exclude=survivor.id
    )
    await reviews.keep(session, principal, survivor, candidates)
    merged_data = PersonMergedData(survivor_ref=survivor.id, merged_ref=merged.id, merged_at=now)
    await _announce(session, principal, survivor, merged, PersonMerged, merged_data)
    return merge


async def _announce(
    session: AsyncSession,
    principal: Principal,
    survivor: persons.Person,
    merged: persons.Person,
    kind: EventType[P],
    data: P,
) -> None:
    """The last step of a merge and of a split: audit it on both records, publish `data`."""
    await persons.DUPLICATES.record(session, principal, AuditAction.MERGE, survivor.id, merged.id)
    await record_event(
        session, kind, data, subject=str(survivor.id), organisation=principal.organisation
    )


async def get_merge(
    session: AsyncSession, principal: Principal, merge_id: uuid.UUID, *, for_update: bool = False
) -> PersonMerge:
    merge = await repository.get(session, merge_id, for_update=for_update)
    visible = await persons.visible_ids(
        session, principal, [merge.survivor_id] if merge is not None else []
    )
    if merge is None or merge.survivor_id not in visible:
        raise MergeNotFound(f"No merge {merge_id} visible to you.")
    return merge


async def split(
    *, session: AsyncSession, principal: Principal, merge_id: uuid.UUID, move_links: MoveLinks
) -> PersonMerge:
    """Undo a wrong merge: the merged record is active again with what moved from it; the
    pair is recorded as not the same person."""
    merge = await get_merge(session, principal, merge_id, for_update=True)
    if merge.split_at is not None:
        raise AlreadySplit(f"Merge {merge_id} was already split.")
    survivor = await persons.for_change(session, principal, merge.survivor_id)
    merged = await persons.locked(session, merge.merged_id)
    if merged is None or merged.status != PersonStatus.MERGED or merged.merged_into != survivor.id:
        raise PersonNotActive(f"Person {merge.merged_id} is no longer merged into the survivor.")
    await move_links(session, from_person=survivor.id, to_person=merged.id, only=merge.moved)
    now = utcnow()
    merged.status, merged.merged_into = PersonStatus.ACTIVE, None
    for person in (survivor, merged):
        person.version += 1
        person.updated_at = now
    merge.split_by, merge.split_at = principal.subject, now
    if merge.candidate_id is not None:
        review = await reviews.get_review(session, principal, merge.candidate_id)
        # a wrong merge: not the same person
        reviews.decide(review, principal, ReviewStatus.DISMISSED, was=ReviewStatus.CONFIRMED)
    await session.flush()
    split_data = PersonSplitData(survivor_ref=survivor.id, restored_ref=merged.id, split_at=now)
    await _announce(session, principal, survivor, merged, PersonSplit, split_data)
    return merge


async def export_for(
    session: AsyncSession, person_ids: Collection[uuid.UUID]
) -> list[dict[str, Any]]:
    """Subject access: the merges into these persons (who merged left out)."""
    return [
        m.model_dump(mode="json", include={"id", "merged_id", "merged_at", "split_at"})
        for m in await repository.into(session, person_ids)
    ]
