"""Waiting for the observatory's consumers: events reach its read model a little after they
are published."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any

from kit.testing.apps import ServiceClient
from kit.testing.waiting import eventually
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


INDICATORS = "/v1/observatory/indicators"


async def published(
    observatory: ServiceClient,
    expected: Mapping[str, object],
    shown: Callable[[dict[str, Any]], object],
    *,
    params: Mapping[str, Any],
    headers: Mapping[str, str],
    within: float = 60,
) -> dict[str, dict[str, Any]]:
    """The answers of the indicators ``expected`` names, once ``shown`` of each is what it
    expects (the events of a scenario consumed): the API's own figures, published."""
    answers: dict[str, dict[str, Any]] = {}

    async def answered() -> bool:
        for code in expected:
            response = await observatory.get(f"{INDICATORS}/{code}", params=params, headers=headers)
            assert response.status_code == 200, response.text
            answers[code] = response.json()
        return all(shown(answers[code]) == value for code, value in expected.items())

    await eventually(answered, within=within, what=f"the published {', '.join(expected)}")
    return answers
