"""The dashboard's charts from real events (intake in-process, Kafka, the observatory), and its
page shell: the spec holds exactly the published figures, the images draw that spec, bad input
is a problem, the charts need an Observatory role and the shell needs nothing.

The referrals are received in three months of a year no other test uses (1990-2009).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.db import CITY_ZONE
from kit.testing import intake as intake_api
from kit.testing.resources import assert_problem
from services.observatory.charts import CHARTS, NEEDS, VEGA_LITE_VERSION
from services.observatory.indicators.domain import Indicator

pytestmark = pytest.mark.integration

DASHBOARD = "/v1/observatory/dashboard"
ANALYST = "analyst.comune"
# (month of the period, Municipio) -> referrals received: some cells large, some small
SEEDED = {(0, 1): 6, (0, 2): 2, (1, 1): 5, (2, 3): 6}


@dataclass(frozen=True)
class Period:
    year: int

    @classmethod
    def new(cls) -> Period:
        return cls(1990 + uuid.uuid4().int % 20)

    def month(self, index: int) -> str:
        return f"{self.year}-{index + 3:02}"  # March to May

    @property
    def params(self) -> dict[str, str]:
        return {"from_month": self.month(0), "to_month": self.month(2)}

    @property
    def cohort(self) -> dict[str, str]:
        """The same period as the indicators API takes it."""
        start = datetime(self.year, 3, 1, tzinfo=CITY_ZONE)
        end = datetime(self.year, 6, 1, tzinfo=CITY_ZONE)
        return {"from": start.isoformat(), "to": end.isoformat()}


async def receive(intake: httpx.AsyncClient, realm: Realm, day: datetime, municipio: int) -> None:
    created = await intake.post(
        intake_api.REFERRALS,
        json={
            "channel": "mobile_unit",
            "received_at": day.isoformat(),
            "place": {"municipio": municipio, "name": "Stazione Centrale"},
            "urgency": "normal",
            "target_group": "unaccompanied_minor",
        },
        headers=realm.headers("intake.aurora"),
    )
    assert created.status_code == 201, created.text


@pytest.fixture(scope="module")
async def period(intake: httpx.AsyncClient, observatory: httpx.AsyncClient, realm: Realm) -> Period:
    """Referrals received in the period as `SEEDED` says, once the observatory counted them."""
    seeded = Period.new()
    for (month, municipio), count in SEEDED.items():
        day = datetime(seeded.year, month + 3, 10, 12, tzinfo=CITY_ZONE)
        for n in range(count):
            await receive(intake, realm, day + timedelta(minutes=n), municipio)
    deadline = time.monotonic() + 60  # the consumers may first read other tests' backlog
    while True:
        answer = await observatory.get(
            "/v1/observatory/indicators/referrals_received",
            params=seeded.cohort,
            headers=realm.headers(ANALYST),
        )
        assert answer.status_code == 200, answer.text
        total = answer.json()["total"]["value"]
        if total == sum(SEEDED.values()):
            return seeded
        assert time.monotonic() < deadline, f"counted {total}"
        await asyncio.sleep(0.2)


def rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    (values,) = spec["datasets"].values()
    assert isinstance(values, list)
    return values


@pytest.mark.parametrize("chart", list(CHARTS))
async def test_a_charts_spec_holds_exactly_the_published_breakdown(
    observatory: httpx.AsyncClient, realm: Realm, period: Period, chart: str
) -> None:
    (dimension,) = NEEDS[chart]
    asked = {"indicator": Indicator.REFERRALS_RECEIVED.value, **period.params}
    answer = await observatory.get(
        f"{DASHBOARD}/charts/{chart}", params=asked, headers=realm.headers(ANALYST)
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    spec = answer.json()
    assert spec["$schema"].startswith(
        f"https://vega.github.io/schema/vega-lite/v{VEGA_LITE_VERSION}"
    )

    published = await observatory.get(
        "/v1/observatory/indicators/referrals_received",
        params={**period.cohort, "by": dimension.value},
        headers=realm.headers(ANALYST),
    )
    cells = published.json()["cells"]
    assert [row["count"] for row in rows(spec)] == [cell["value"] for cell in cells]
    assert [row["text"] == "n.d." for row in rows(spec)] == [cell["suppressed"] for cell in cells]
    assert any(cell["suppressed"] for cell in cells)
    assert any(not cell["suppressed"] for cell in cells)


async def test_the_images_draw_the_same_spec(
    observatory: httpx.AsyncClient, realm: Realm, period: Period
) -> None:
    asked = {"indicator": "referrals_received", **period.params}
    headers = realm.headers(ANALYST)
    spec = (
        await observatory.get(f"{DASHBOARD}/charts/by_municipio", params=asked, headers=headers)
    ).json()
    suppressed = sum(row["text"] == "n.d." for row in rows(spec))

    drawn = await observatory.get(
        f"{DASHBOARD}/charts/by_municipio.svg", params=asked, headers=headers
    )
    assert drawn.status_code == 200, drawn.text
    assert drawn.headers["content-type"] == "image/svg+xml"
    assert drawn.text.startswith("<svg")
    assert drawn.text.count(">n.d.</text>") == suppressed

    image = await observatory.get(
        f"{DASHBOARD}/charts/over_time.png", params=asked, headers=headers
    )
    assert image.status_code == 200, image.text
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")


async def test_the_period_is_the_last_twelve_months_unless_asked(
    observatory: httpx.AsyncClient, realm: Realm
) -> None:
    answer = await observatory.get(
        f"{DASHBOARD}/charts/over_time",
        params={"indicator": "referrals_received"},
        headers=realm.headers(ANALYST),
    )
    assert answer.status_code == 200, answer.text
    assert len(rows(answer.json())) == 12


@pytest.mark.parametrize(
    ("params", "status", "type_"),
    [
        ({"from_month": "2024-06", "to_month": "2024-05"}, 400, "empty-cohort"),
        ({"from_month": "2024-01", "to_month": "2025-01"}, 400, "cohort-too-long"),
        ({"from_month": "2024-13"}, 422, "validation-failed"),
        ({"indicator": "tea_served"}, 422, "validation-failed"),
        ({"colour": "red"}, 400, "unknown-query-parameter"),
    ],
)
async def test_a_bad_query_is_a_problem(
    observatory: httpx.AsyncClient,
    realm: Realm,
    params: dict[str, str],
    status: int,
    type_: str,
) -> None:
    answer = await observatory.get(
        f"{DASHBOARD}/charts/by_municipio.png",
        params={"indicator": "referrals_received", **params},
        headers=realm.headers(ANALYST),
    )
    assert_problem(answer, status, f"urn:lgnet:problem:{type_}")


async def test_an_unknown_chart_is_a_problem(observatory: httpx.AsyncClient, realm: Realm) -> None:
    for path in ("charts/pie", "charts/pie.svg"):
        answer = await observatory.get(
            f"{DASHBOARD}/{path}",
            params={"indicator": "referrals_received"},
            headers=realm.headers(ANALYST),
        )
        assert_problem(answer, 422, "urn:lgnet:problem:validation-failed")


async def test_the_charts_need_an_observatory_role(
    observatory: httpx.AsyncClient, realm: Realm
) -> None:
    chart = f"{DASHBOARD}/charts/over_time.svg"
    params = {"indicator": "referrals_received"}
    assert_problem(await observatory.get(chart, params=params), 401)
    denied = await observatory.get(chart, params=params, headers=realm.headers("intake.aurora"))
    assert_problem(denied, 403)
    allowed = await observatory.get(
        chart, params=params, headers=realm.headers("coordinator.comune")
    )
    assert allowed.status_code == 200, allowed.text


async def test_the_page_shell_needs_no_token_and_says_where_to_sign_in(
    observatory: httpx.AsyncClient,
) -> None:
    page = await observatory.get(DASHBOARD)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    found = re.search(
        r'<script id="lgnet-config" type="application/json">(.*?)</script>', page.text
    )
    assert found is not None
    config = json.loads(found.group(1))
    assert config["issuer"].endswith("/realms/lgnet")
    assert config["clientId"] == "lgnet-web"
    assert config["charts"] == list(CHARTS)
    assert [i["code"] for i in config["indicators"]] == [i.value for i in Indicator]
    received = config["indicators"][0]
    assert received["label"] == "Segnalazioni ricevute · Referrals received"
    assert received["charts"] == list(CHARTS)
    assert "connect-src 'self' http://127.0.0.1:" in page.headers["content-security-policy"]

    again = await observatory.get(DASHBOARD, headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304
    for name in ("dashboard.js", "dashboard.css", "vega.js"):
        asset = await observatory.get(f"{DASHBOARD}/{name}")
        assert asset.status_code == 200, asset.text
        assert asset.headers["content-type"].startswith(("text/javascript", "text/css"))
    assert "window.vegaEmbed" in asset.text
