"""The public programme through the gateway under uvicorn, trusting the real realm: no token
needed there (nor forwarded), a token needed everywhere else, and a per-address rate limit."""

from __future__ import annotations

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing.apps import bearer
from kit.testing.upstream import FakeUpstream, RunGateway

pytestmark = pytest.mark.integration

PROGRAMME = "/v1/initiatives/programme"


def test_anyone_reads_the_programme_and_its_feeds_and_nothing_else(
    run_gateway: RunGateway, realm: Realm, upstream: tuple[FakeUpstream, str]
) -> None:
    fake, _ = upstream
    with run_gateway() as url:
        for path in (PROGRAMME, f"{PROGRAMME}/calendar.ics", f"{PROGRAMME}/x/calendar.ics"):
            response = httpx.get(f"{url}{path}", params={"municipio": "7"})
            assert response.status_code == 200, response.text
            assert (fake.last.path, fake.last.query) == (path, "municipio=7")
        token = realm.user_token("caseworker.ponte")
        assert httpx.get(f"{url}{PROGRAMME}", headers=bearer(token)).status_code == 200
        assert fake.last.header("authorization") is None  # not checked, so not passed on
        assert httpx.post(f"{url}{PROGRAMME}").status_code == 401
        assert httpx.get(f"{url}/v1/initiatives").status_code == 401


def test_an_address_over_the_anonymous_rate_gets_429_with_retry_after(
    run_gateway: RunGateway,
) -> None:
    with run_gateway(anonymous_rate_limit_burst=3, anonymous_rate_limit_per_second=0.2) as url:
        statuses = [httpx.get(f"{url}{PROGRAMME}").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = httpx.get(f"{url}{PROGRAMME}/calendar.ics")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"] == "urn:lgnet:problem:too-many-requests"
        assert refused.headers["retry-after"] == "5"  # a token every 5 s
