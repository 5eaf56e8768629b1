"""The monthly report as a PDF, against the JSON API: every indicator's figures for the month
by Municipio (suppressed ones as "—"), the note on suppression, and the charts as images.

The month is the one of a cohort of referrals seeded as in the indicators' tests; other runs'
referrals may fall in the same month, so the figures are compared with the API's, not with
the seeded counts.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from kit.db import CITY_ZONE, utcnow
from kit.testing.resources import assert_problem
from kit.testing.services import service_client
from services.observatory.app import create_app as create_observatory
from services.observatory.charts import CHARTS
from services.observatory.indicators.domain import Indicator
from services.observatory.reports.service import CHARTED
from services.observatory.settings import ObservatorySettings
from tests.integration.observatory.indicators import test_api as indicators_api
from tests.integration.observatory.indicators.test_api import (
    INDICATORS,
    THRESHOLD,
    Cohort,
    Services,
    counted,
    receive,
)

pytestmark = pytest.mark.integration

MONTHLY = "/v1/observatory/reports/monthly.pdf"
SEEDED = dict(zip(Indicator, (11, 8, 8), strict=False))
"""The seeded referrals received, handed over, taken in charge: the nesting comes first."""
observatory = service_client(
    create_observatory, ObservatorySettings, suppression_threshold=THRESHOLD
)


services = indicators_api.services  # the observatory past the topics' backlog


def _month_bounds(moment: datetime) -> tuple[str, dict[str, str]]:
    """The city month of ``moment`` as ``YYYY-MM``, and its bounds as query parameters."""
    local = moment.astimezone(CITY_ZONE)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    bounds = {"from": start.isoformat(), "to": end.isoformat()}
    return start.strftime("%Y-%m"), bounds


async def _by_municipio(services: Services, name: str, bounds: dict[str, str]) -> Any:
    response = await services.observatory.get(
        f"{INDICATORS}/{name}",
        params={**bounds, "by": ["municipio"]},
        headers=services.realm.headers("analyst.osservatorio"),
    )
    assert response.status_code == 200, response.text
    return response.json()


def _shown(cell: dict[str, Any]) -> str:
    return "—" if cell["suppressed"] else str(cell["value"])


async def test_the_monthly_report_holds_the_apis_figures_the_note_and_the_charts(
    services: Services,
) -> None:
    cohort = Cohort.new()
    for i in range(9):
        await receive(services, cohort, 3, hand_over=i < 6)
    for _ in range(2):
        await receive(services, cohort, 8, hand_over=True)
    await counted(services, cohort, **SEEDED)
    month, bounds = _month_bounds(cohort.start)

    response = await services.observatory.get(
        MONTHLY, params={"month": month}, headers=services.realm.headers("coordinator.comune")
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="lgnet-report-{month}.pdf"'
    )
    pdf = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    for name in Indicator:
        body = await _by_municipio(services, name, bounds)
        figures = " ".join(_shown(cell) for cell in [body["total"], *body["cells"]])
        row = text[text.index(f"{name} ") :]
        assert figures in row[: len(figures) + 200], name
    received = await _by_municipio(services, "referrals_received", bounds)
    assert received["total"]["value"] >= 11  # the seeded referrals are among the month's
    assert f"ogni cifra inferiore a {THRESHOLD}" in text
    assert f"every figure under {THRESHOLD}" in text
    # every indicator's every chart, each image of its own
    images = [image for page in pdf.pages for image in page.images]
    assert len(images) == len(CHARTED) * len(CHARTS)


async def test_a_month_malformed_or_still_to_come_is_a_problem(services: Services) -> None:
    headers = services.realm.headers("analyst.osservatorio")

    async def report(**params: str) -> httpx.Response:
        return await services.observatory.get(MONTHLY, params=params, headers=headers)

    for malformed in ("2025-13", "2025-1", "March", "1999-12"):
        assert_problem(await report(month=malformed), 400, "urn:lgnet:problem:bad-month")
    next_month = (utcnow().astimezone(CITY_ZONE).replace(day=1) + timedelta(days=32)).strftime(
        "%Y-%m"
    )
    assert_problem(await report(month=next_month), 400, "urn:lgnet:problem:month-in-the-future")
    assert_problem(await report(), 422)
    assert_problem(await report(month="2025-01", by="municipio"), 400)  # not a parameter here


@pytest.mark.parametrize(
    ("user", "status"),
    [("coordinator.comune", 200), ("caseworker.ponte", 403), ("intake.aurora", 403), (None, 401)],
)
async def test_the_report_is_for_those_who_read_the_indicators(
    services: Services, user: str | None, status: int
) -> None:
    headers = services.realm.headers(user) if user else {}
    response = await services.observatory.get(MONTHLY, params={"month": "2011-02"}, headers=headers)
    assert response.status_code == status
