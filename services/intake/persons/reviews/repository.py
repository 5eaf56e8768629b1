"""Duplicate review queries: the only place that builds SQL for the review queue."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import TypedDict

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.pagination import Page, PageParams
from kit.query import Listing, first, where_given
from services.intake.persons.reviews.domain import ReviewStatus
from services.intake.persons.reviews.models import DuplicateCandidate
from services.intake.visibility import visible_person_ids


def _reviewable(principal: Principal) -> list[ColumnElement[bool]]:
    """A pair is seen by a reviewer who sees both persons (coordinators: all)."""
    visible = visible_person_ids(principal)
    if visible is None:
        return []
    return [
        col(DuplicateCandidate.person_id).in_(visible),
        col(DuplicateCandidate.candidate_id).in_(visible),
    ]


def _involving(person_ids: Collection[uuid.UUID]) -> ColumnElement[bool]:
    return or_(
        col(DuplicateCandidate.person_id).in_(person_ids),
        col(DuplicateCandidate.candidate_id).in_(person_ids),
    )


async def pairs_with(
    session: AsyncSession, person_id: uuid.UUID, others: Collection[uuid.UUID]
) -> dict[uuid.UUID, DuplicateCandidate]:
    """The pairs of ``person_id`` with any of ``others`` (in either order), by the other."""
    stmt = select(DuplicateCandidate).where(
        or_(
            and_(
                col(DuplicateCandidate.person_id) == person_id,
                col(DuplicateCandidate.candidate_id).in_(others),
            ),
            and_(
                col(DuplicateCandidate.candidate_id) == person_id,
                col(DuplicateCandidate.person_id).in_(others),
            ),
        )
    )
    return {
        (r.candidate_id if r.person_id == person_id else r.person_id): r
        for r in await session.exec(stmt)
    }


class ReviewFilter(TypedDict, total=False):
    """What the review queue may be narrowed to (both optional, combined with AND)."""

    status: ReviewStatus | None
    person_id: uuid.UUID | None  # pairs with this person, on either side


_QUEUE = Listing(
    filters={"status": DuplicateCandidate.status},
    order_by=(DuplicateCandidate.found_at, DuplicateCandidate.id),
    descending=True,
)


async def list_reviewable(
    session: AsyncSession, principal: Principal, page: PageParams, *, where: ReviewFilter
) -> Page[DuplicateCandidate]:
    stmt = select(DuplicateCandidate).where(*_reviewable(principal))
    if (person_id := where.get("person_id")) is not None:
        stmt = stmt.where(_involving([person_id]))
    return await _QUEUE.page(session, stmt, page, where)


async def get_reviewable(
    session: AsyncSession, review_id: uuid.UUID, principal: Principal, *, for_update: bool = False
) -> DuplicateCandidate | None:
    stmt = select(DuplicateCandidate).where(
        DuplicateCandidate.id == review_id, *_reviewable(principal)
    )
    return await first(session, stmt, for_update=for_update)


async def involving(
    session: AsyncSession, person_ids: Collection[uuid.UUID], *, status: ReviewStatus | None = None
) -> list[DuplicateCandidate]:
    """The pairs involving any of these persons (only those in ``status``, if given)."""
    stmt = where_given(
        select(DuplicateCandidate).where(_involving(person_ids)),
        (DuplicateCandidate.status, status),
    )
    return list(await session.exec(stmt))
