"""Person queries: the only place that builds SQL for persons, their keys and revisions."""

from __future__ import annotations

import operator
import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, TypedDict, TypeVar

from sqlalchemy import ColumnElement, Row, Select, case, delete, func, or_
from sqlalchemy import select as sql_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from kit.pagination import Page, PageParams
from kit.query import Listing, first
from services.intake.persons.domain import EDITABLE_FIELDS, MATCHED_FIELDS, PersonStatus
from services.intake.persons.models import Person, PersonBlockingKey, PersonRevision
from services.intake.visibility import visible_clause

T = TypeVar("T")

CANDIDATE_LIMIT = 200
"""At most this many persons sharing blocking keys are scored, those sharing most keys first.
Measured at 1M synthetic persons (bench/candidate_search.py): 200 gives p99 38 ms and recall
0.79, 400 gives p99 63 ms and recall 0.90 (the p99 target is 50 ms); see bench/README.md."""


def _visible(stmt: SelectOfScalar[T], principal: Principal) -> SelectOfScalar[T]:
    clause = visible_clause(principal)
    return stmt if clause is None else stmt.where(clause)


async def get_visible(
    session: AsyncSession, person_id: uuid.UUID, principal: Principal, *, for_update: bool = False
) -> Person | None:
    stmt = _visible(select(Person).where(Person.id == person_id), principal)
    return await first(session, stmt, for_update=for_update)


async def visible_ids(
    session: AsyncSession,
    principal: Principal,
    person_ids: Collection[uuid.UUID],
    *,
    active_only: bool = False,
) -> set[uuid.UUID]:
    """Which of ``person_ids`` the principal sees (and, ``active_only``, not merged or erased)."""
    if not person_ids:
        return set()
    stmt = _visible(select(Person.id).where(col(Person.id).in_(person_ids)), principal)
    if active_only:
        stmt = stmt.where(Person.status == PersonStatus.ACTIVE)
    return set(await session.exec(stmt))


async def get(session: AsyncSession, person_id: uuid.UUID) -> Person | None:
    """The person, whoever registered them (for a caller that needs no visibility rule)."""
    return await session.get(Person, person_id)


async def get_for_update(session: AsyncSession, person_id: uuid.UUID) -> Person | None:
    """The person, locked, whoever registered them (a split restoring a merged record)."""
    return await session.get(Person, person_id, with_for_update=True)


async def merged_into(session: AsyncSession, survivor_id: uuid.UUID) -> list[Person]:
    """Every record merged, directly or through another, into ``survivor_id``."""
    found: list[Person] = []
    frontier = [survivor_id]
    while frontier:
        stmt = select(Person).where(col(Person.merged_into).in_(frontier))
        batch = [p for p in await session.exec(stmt) if p.status == PersonStatus.MERGED]
        found += batch
        frontier = [p.id for p in batch]
    return found


async def get_many(session: AsyncSession, person_ids: Collection[uuid.UUID]) -> list[Person]:
    if not person_ids:
        return []
    return list(await session.exec(select(Person).where(col(Person.id).in_(person_ids))))


class PersonFilter(TypedDict, total=False):
    """What a list of persons may be narrowed to (all optional, combined with AND)."""

    status: str | None
    registered_by_organisation: str | None
    created_from: datetime | None  # inclusive
    created_to: datetime | None  # exclusive


_PERSONS = Listing(
    filters={
        "created_from": (col(Person.created_at), operator.ge),
        "created_to": (col(Person.created_at), operator.lt),
        "status": Person.status,
        "registered_by_organisation": Person.registered_by_organisation,
    },
    order_by=(Person.created_at, Person.id),
    descending=True,
)


async def list_visible(
    session: AsyncSession, principal: Principal, params: PageParams, *, where: PersonFilter
) -> Page[Person]:
    return await _PERSONS.page(session, _visible(select(Person), principal), params, where)


# --- blocking keys ------------------------------------------------------------------------


async def replace_keys(
    session: AsyncSession,
    person_id: uuid.UUID,
    keys: Iterable[str],
    birth_year: int | None,
    *,
    new: bool = False,
) -> None:
    """Store the person's blocking keys instead of those they had (``new``: none yet)."""
    if not new:
        await session.exec(
            delete(PersonBlockingKey).where(col(PersonBlockingKey.person_id) == person_id)
        )
    session.add_all(
        PersonBlockingKey(key=key, person_id=person_id, birth_year=birth_year)
        for key in sorted(set(keys))
    )


async def delete_keys(session: AsyncSession, person_ids: Collection[uuid.UUID]) -> None:
    """Forget the blocking keys of these persons (erasure: they are never candidates again)."""
    await session.exec(
        delete(PersonBlockingKey).where(col(PersonBlockingKey.person_id).in_(person_ids))
    )


YEAR_WINDOW = 2
"""Birth years further apart than this cap a score below the review threshold (matching.py:
≥ 3 years apart → at most 0.55), unless a document agrees: such persons are never candidates,
so the query leaves them out before counting keys."""

_CANDIDATE_COLUMNS = tuple(
    col(getattr(Person, name)) for name in ("id", "status", "merged_into", *MATCHED_FIELDS)
)


async def candidate_rows(
    session: AsyncSession,
    keys: Collection[str],
    *,
    birth_year: int | None,
    limit: int = CANDIDATE_LIMIT,
) -> Sequence[Row[Any]]:
    """The matching fields of the persons sharing blocking keys with a query, best first.

    One round trip. On PostgreSQL the key part is an index-only scan (``birth_year`` is
    included in the primary key's index). Persons born more than `YEAR_WINDOW` years from
    ``birth_year`` are left out unless they share a document key; the rest are ranked by a
    shared document, then the number of keys shared, then the closeness of birth years, and
    the first ``limit`` returned (in no order: the caller scores them).
    """
    if not keys:
        return []
    query = candidate_query(keys, birth_year=birth_year, limit=limit)
    return list((await session.exec(query)).all())  # type: ignore[call-overload]


def candidate_query(keys: Collection[str], *, birth_year: int | None, limit: int) -> Select[Any]:
    """The statement `candidate_rows` runs (benchmarks EXPLAIN it)."""
    key_col, year_col = col(PersonBlockingKey.key), col(PersonBlockingKey.birth_year)
    person_col = col(PersonBlockingKey.person_id)
    document = func.max(case((key_col.like("d:%"), 1), else_=0))
    shared = func.count()
    where: list[ColumnElement[bool]] = [key_col.in_(list(keys))]
    order = [document.desc(), shared.desc()]
    if birth_year is not None:
        near = year_col.between(birth_year - YEAR_WINDOW, birth_year + YEAR_WINDOW)
        where.append(or_(year_col.is_(None), near, key_col.like("d:%")))
        order.append(func.min(func.abs(year_col - birth_year)).asc().nulls_last())
    ranked = (
        sql_select(person_col)
        .where(*where)
        .group_by(person_col)
        .order_by(*order, person_col)
        .limit(limit)
        .subquery()
    )
    return sql_select(*_CANDIDATE_COLUMNS).join(ranked, ranked.c.person_id == col(Person.id))


# --- revisions ------------------------------------------------------------------------------


async def changed_since(
    session: AsyncSession, person_id: uuid.UUID, version: int
) -> list[list[str]]:
    """The changed fields of each revision after ``version``."""
    stmt = (
        select(PersonRevision)
        .where(PersonRevision.person_id == person_id, col(PersonRevision.version) > version)
        .order_by(col(PersonRevision.version))
    )
    return [list(r.changed_fields) for r in await session.exec(stmt)]


async def revisions(session: AsyncSession, person_ids: Sequence[uuid.UUID]) -> list[PersonRevision]:
    stmt = (
        select(PersonRevision)
        .where(col(PersonRevision.person_id).in_(person_ids))
        .order_by(col(PersonRevision.person_id), col(PersonRevision.version))
    )
    return list(await session.exec(stmt))


def row(person: Person) -> dict[str, Any]:
    """The person's editable fields as stored."""
    return person.model_dump(include=set(EDITABLE_FIELDS))
