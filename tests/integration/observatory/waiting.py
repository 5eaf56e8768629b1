"""Waiting for the observatory's consumers: events reach its read model a little after they
are published."""

from __future__ import annotations

import asyncio
import time

from kit.testing.apps import ServiceClient
from services.observatory.indicators import repository
from services.observatory.indicators.breakdowns import NESTING
from services.observatory.indicators.domain import Cohort, Indicator


async def counted(
    observatory: ServiceClient, cohort: Cohort, *, within: float, **totals: int
) -> None:
    """Wait until the observatory's read model (the query every figure is cut from) counts
    ``totals`` over `cohort`: the true counts, before suppression."""
    database = observatory.app.state.database
    deadline = time.monotonic() + within
    while True:
        async with database.session(writes=False) as session:
            counts = await repository.cohort_counts(session, cohort)
        found = {
            name: sum(n for key, n in counts.items() if key[0] in NESTING[Indicator(name)])
            for name in totals
        }
        if found == totals:
            return
        assert time.monotonic() < deadline, f"counted {found}, not {totals}, in {within}s"
        await asyncio.sleep(0.1)
