"""Matching-run queries: the only place that builds SQL for runs and their results."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.pagination import Page, PageParams, paginate
from kit.rows import insert_many
from services.housing.matching.models import MatchingRun, RunClass, RunResult


async def add_results(session: AsyncSession, results: Sequence[Mapping[str, Any]]) -> None:
    """The run's results, as rows, copied in (a run writes ten thousand)."""
    await insert_many(session, RunResult, results)


async def get_run(session: AsyncSession, run_id: uuid.UUID) -> MatchingRun | None:
    return await session.get(MatchingRun, run_id)


async def list_runs(session: AsyncSession, page: PageParams) -> Page[MatchingRun]:
    return await paginate(
        session,
        select(MatchingRun),
        page,
        order_by=(MatchingRun.created_at, MatchingRun.id),
        descending=True,
    )


async def results(session: AsyncSession, run_id: uuid.UUID, page: PageParams) -> Page[RunResult]:
    stmt = select(RunResult).where(col(RunResult.run_id) == run_id)
    return await paginate(session, stmt, page, order_by=(RunResult.request_id,))


async def latest_result(
    session: AsyncSession, request_id: uuid.UUID
) -> tuple[MatchingRun, RunResult] | None:
    """The result of the last run that weighed the request."""
    stmt = (
        select(MatchingRun, RunResult)
        .join(RunResult, col(RunResult.run_id) == col(MatchingRun.id))
        .where(col(RunResult.request_id) == request_id)
        .order_by(col(MatchingRun.created_at).desc(), col(MatchingRun.id).desc())
        .limit(1)
    )
    found = (await session.exec(stmt)).first()
    return None if found is None else (found[0], found[1])


async def add_classes(session: AsyncSession, classes: Sequence[Mapping[str, Any]]) -> None:
    await insert_many(session, RunClass, classes)


async def class_units(session: AsyncSession, run_id: uuid.UUID, fit_class: int) -> list[str]:
    found = await session.get(RunClass, (run_id, fit_class))
    return [] if found is None else list(found.unit_ids)


async def housed_in(
    session: AsyncSession, run_id: uuid.UUID, unit_ids: Collection[uuid.UUID]
) -> list[tuple[str, str, float]]:
    """(request, unit, score) of each request the run housed in one of the units."""
    if not unit_ids:
        return []
    stmt = select(RunResult.request_id, RunResult.unit_id, RunResult.score).where(
        col(RunResult.run_id) == run_id, col(RunResult.unit_id).in_(list(unit_ids))
    )
    return [(str(r), str(u), float(s or 0.0)) for r, u, s in await session.exec(stmt)]
