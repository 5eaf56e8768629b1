"""Exports of an indicator's breakdown, as CSV and XLSX, against its JSON answer: the same
cells, the same suppression, the same total, for every indicator. Referrals through intake
(and cases through casework) are counted from real events, as in the indicators' tests.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from kit.testing.resources import assert_problem
from kit.testing.services import service_client
from services.observatory.app import create_app as create_observatory
from services.observatory.indicators.catalogue import CATALOGUE
from services.observatory.indicators.domain import Indicator
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

EXPORTS = "/v1/observatory/exports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BREAKDOWNS: list[tuple[str, ...]] = [(), ("municipio",), ("target_group", "month")]
SEEDED = dict(zip(Indicator, (11, 8, 8), strict=False))
"""The seeded referrals received, handed over, taken in charge: the nesting comes first."""
observatory = service_client(
    create_observatory, ObservatorySettings, suppression_threshold=THRESHOLD
)
Row = tuple[Any, ...]


services = indicators_api.services  # the observatory past the topics' backlog


@pytest.fixture(scope="module")
async def cohort(services: Services) -> Cohort:
    """Eleven referrals: nine in Municipio 3 (six handed over), two in 8 (handed over)."""
    counting = Cohort.new()
    for i in range(9):
        await receive(services, counting, 3, hand_over=i < 6)
    for _ in range(2):
        await receive(services, counting, 8, hand_over=True)
    await counted(services, counting, **SEEDED)
    return counting


def _params(cohort: Cohort, by: tuple[str, ...]) -> dict[str, Any]:
    return {**cohort.params, "by": list(by)}


async def _answered(services: Services, cohort: Cohort, name: str, by: tuple[str, ...]) -> Any:
    response = await services.observatory.get(
        f"{INDICATORS}/{name}",
        params=_params(cohort, by),
        headers=services.realm.headers("analyst.osservatorio"),
    )
    assert response.status_code == 200, response.text
    return response.json()


def _expected(body: dict[str, Any]) -> list[Row]:
    """The JSON answer as the rows an export holds: its cells, then its total (its breakdown
    columns empty)."""
    cells = body["cells"] if body["by"] else []
    return [
        (*(cell["breakdown"].get(d, "") for d in body["by"]), cell["value"], cell["suppressed"])
        for cell in [*cells, body["total"]]
    ]


async def _exported(
    services: Services, cohort: Cohort, name: str, by: tuple[str, ...], format: str
) -> httpx.Response:
    response = await services.observatory.get(
        f"{EXPORTS}/{name}.{format}",
        params=_params(cohort, by),
        headers=services.realm.headers("coordinator.comune"),
    )
    assert response.status_code == 200, response.text
    assert response.headers["suppression-threshold"] == str(THRESHOLD)
    disposition = response.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="{name}_')
    assert disposition.endswith(f'.{format}"')
    return response


def _from_csv(text: str) -> tuple[list[str], list[Row]]:
    header, *rows = csv.reader(io.StringIO(text))
    width = len(header) - 2
    return header, [(*row[:width], _number(row[width]), row[width + 1] == "true") for row in rows]


def _allowed(indicator: Indicator) -> list[tuple[str, ...]]:
    """The `BREAKDOWNS` the indicator may be asked by (the catalogue's)."""
    allowed = set(CATALOGUE[indicator].breakdowns)
    return [by for by in BREAKDOWNS if set(by) <= allowed]


def _number(text: str) -> float | None:
    """A value as the CSV writes it: a count, a statistic with its decimals, or empty."""
    if not text:
        return None
    return float(text) if "." in text else int(text)


async def test_a_csv_export_holds_the_json_answers_cells_and_total(
    services: Services, cohort: Cohort
) -> None:
    for name in Indicator:
        for by in _allowed(name):
            body = await _answered(services, cohort, name, by)
            response = await _exported(services, cohort, name, by, "csv")
            assert response.headers["content-type"] == "text/csv; charset=utf-8"
            header, rows = _from_csv(response.text)
            assert header == [*body["by"], "value", "suppressed"]
            assert rows == _expected(body), (name, by)

    by_municipio = _from_csv(
        (await _exported(services, cohort, "referrals_received", ("municipio",), "csv")).text
    )[1]
    # Municipio 8's two are under the threshold: hidden, and 3's nine with them (11 − 9 = 2)
    assert ("8", None, True) in by_municipio
    assert ("3", None, True) in by_municipio
    assert by_municipio[-1] == ("", 11, False)  # the total


async def test_an_xlsx_export_holds_the_json_answers_cells_total_and_rule(
    services: Services, cohort: Cohort
) -> None:
    for name in Indicator:
        for by in _allowed(name):
            body = await _answered(services, cohort, name, by)
            response = await _exported(services, cohort, name, by, "xlsx")
            assert response.headers["content-type"] == XLSX
            book = load_workbook(io.BytesIO(response.content), read_only=True)
            header, *rows = book["Data"].iter_rows(values_only=True)
            assert list(header) == [*body["by"], "value", "suppressed"]
            # the total's breakdown cells are empty: None in a sheet, "" in a CSV
            shown = [(*("" if v is None else v for v in row[:-2]), *row[-2:]) for row in rows]
            assert shown == _expected(body), (name, by)
            about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
            assert about["indicator"] == name
            assert about["suppression_threshold"] == THRESHOLD
            assert about["suppression"] == body["suppression"]
            assert about["from"] == body["from"].replace("Z", "+00:00")


async def test_bad_exports_are_problems_not_files(services: Services, cohort: Cohort) -> None:
    headers = services.realm.headers("analyst.osservatorio")
    month = {"from": "2025-01-01T00:00:00Z", "to": "2025-02-01T00:00:00Z"}
    path = f"{EXPORTS}/referrals_received"

    async def get(url: str, **params: Any) -> httpx.Response:
        return await services.observatory.get(url, params=params, headers=headers)

    assert_problem(await get(f"{path}.ods", **month), 422)
    assert_problem(await get(f"{EXPORTS}/referrals_imagined.csv", **month), 422)
    year = {**month, "to": "2026-01-03T00:00:00Z"}
    assert_problem(await get(f"{path}.csv", **year), 400, "urn:lgnet:problem:cohort-too-long")
    backwards = {"from": month["to"], "to": month["from"]}
    assert_problem(await get(f"{path}.xlsx", **backwards), 400, "urn:lgnet:problem:empty-cohort")
    assert_problem(await get(f"{path}.csv", **month, by=["month", "month"]), 400)
    assert_problem(
        await get(f"{path}.csv", **month, by=["month", "municipio", "target_group"]), 422
    )
    assert_problem(await get(f"{path}.csv", **{"from": month["from"]}), 422)
    not_analyst = services.realm.headers("caseworker.ponte")
    forbidden = await services.observatory.get(f"{path}.csv", params=month, headers=not_analyst)
    assert_problem(forbidden, 403)
    assert_problem(await services.observatory.get(f"{path}.csv", params=month), 401)
