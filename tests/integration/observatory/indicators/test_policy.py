"""The suppression threshold is versioned policy: a coordinator sets a new one with an
effective date, and from then every published figure is protected at it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from kit.db import utcnow
from kit.testing.resources import assert_problem
from kit.testing.services import service_client
from services.observatory.app import create_app as create_observatory
from services.observatory.settings import ObservatorySettings
from tests.integration.observatory.indicators import test_api as indicators_api
from tests.integration.observatory.indicators.test_api import (
    INDICATORS,
    Cohort,
    Services,
    breakdown,
    counted,
    receive,
)

pytestmark = pytest.mark.integration

POLICY = "/v1/observatory/policies/observatory.suppression"
observatory = service_client(create_observatory, ObservatorySettings)  # the setting: 5
services = indicators_api.services  # the observatory past the topics' backlog


def by_municipio(body: dict[str, object]) -> dict[str, int | None]:
    cells = body["cells"]
    assert isinstance(cells, list)
    return {cell["breakdown"]["municipio"]: cell["value"] for cell in cells}


async def test_a_new_threshold_protects_every_figure_from_its_effective_time(
    services: Services,
) -> None:
    cohort = Cohort.new()
    for municipio, count in {3: 9, 8: 6}.items():
        for _ in range(count):
            await receive(services, cohort, municipio)
    await counted(services, cohort, referrals_received=15)

    before = await breakdown(services, cohort, "referrals_received", "municipio")
    assert before["suppression_threshold"] == 5
    assert by_municipio(before)["8"] in (6, None)

    coordinator = services.realm.headers("coordinator.comune")
    in_force = await services.observatory.get(POLICY, headers=coordinator)
    assert in_force.status_code == 404 or in_force.json()["document"]["threshold"] == 5
    published = await services.observatory.post(
        f"{POLICY}/versions",
        json={
            "document": {"threshold": 7},
            "effective_from": (utcnow() + timedelta(seconds=1)).isoformat(),
            "why": "Synthetic: the monitoring partner asks for a stricter threshold",
        },
        headers=coordinator,
    )
    assert published.status_code == 201, published.text
    await asyncio.sleep(1.5)

    after = await breakdown(services, cohort, "referrals_received", "municipio")
    assert after["suppression_threshold"] == 7
    cells = by_municipio(after)
    assert cells["8"] is None  # 6, under the new threshold
    assert all(value is None or value >= 7 for value in cells.values())
    catalogue = await services.observatory.get(
        INDICATORS, headers=services.realm.headers("analyst.comune")
    )
    assert catalogue.json()["suppression_threshold"] == 7


async def test_the_threshold_is_the_coordinators_and_never_under_three(
    services: Services,
) -> None:
    version = {
        "document": {"threshold": 2},
        "effective_from": (utcnow() + timedelta(days=1)).isoformat(),
        "why": "Synthetic: too lax",
    }
    coordinator = services.realm.headers("coordinator.comune")
    lax = await services.observatory.post(f"{POLICY}/versions", json=version, headers=coordinator)
    assert_problem(lax, 422)
    analyst = services.realm.headers("analyst.comune")
    version["document"] = {"threshold": 6}
    refused = await services.observatory.post(f"{POLICY}/versions", json=version, headers=analyst)
    assert refused.status_code == 403
