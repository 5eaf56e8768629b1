"""The anonymous paths at the gateway (the public programme, the dashboard's page shell): no
token asked for, exactly those paths and only GET/HEAD, and a per-IP-address rate limit in
place of the per-client one."""

from __future__ import annotations

import uuid

import httpx
import pytest

from gateway.openapi import SECURITY_SCHEME, merge_openapi
from gateway.routes import ANONYMOUS, match_anonymous
from kit.testing.upstream import GatewayFactory, Harness

PROBLEM = "application/problem+json"
PROGRAMME = "/v1/initiatives/programme"
ONE = f"{PROGRAMME}/0d5c7a2e-4e8b-4c4e-9f55-3a1b2c3d4e5f"
PUBLIC_PATHS = [PROGRAMME, f"{PROGRAMME}/calendar.ics", ONE, f"{ONE}/calendar.ics"]
DASHBOARD = "/v1/observatory/dashboard"
DASHBOARD_SHELL = [
    DASHBOARD,
    *(f"{DASHBOARD}/{f}" for f in ("dashboard.js", "dashboard.css", "vega.js")),
]


@pytest.mark.parametrize("path", PUBLIC_PATHS)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_the_programme_is_proxied_to_events_without_a_token(
    gw: Harness, method: str, path: str
) -> None:
    response = await gw.client.request(method, path, params={"municipio": "3"})
    assert response.status_code == 200, response.text
    seen = gw.upstreams["events"].last
    assert (seen.method, seen.path, seen.query) == (method, path, "municipio=3")


async def test_a_token_sent_to_the_programme_is_neither_checked_nor_forwarded(
    gw: Harness,
) -> None:
    response = await gw.client.get(PROGRAMME, headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 200, response.text
    assert gw.upstreams["events"].last.header("authorization") is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", PROGRAMME),
        ("DELETE", ONE),
        ("GET", f"{PROGRAMME}s"),
        ("GET", f"{ONE}/sessions"),
        ("GET", f"{PROGRAMME}/calendar.ics/more"),
        ("GET", "/v1/initiatives"),
        ("GET", "/v1/initiatives/0d5c7a2e-4e8b-4c4e-9f55-3a1b2c3d4e5f"),
        ("OPTIONS", PROGRAMME),
    ],
)
async def test_anything_else_still_needs_a_token(gw: Harness, method: str, path: str) -> None:
    response = await gw.client.request(method, path)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM
    assert not gw.upstreams["events"].received


def test_only_the_exact_paths_and_their_methods_are_anonymous() -> None:
    assert match_anonymous("get", PROGRAMME) is not None
    registrations = f"{ONE}/sessions/{uuid.uuid4()}/registrations"
    assert match_anonymous("POST", registrations) is not None  # a member of the public
    assert match_anonymous("GET", registrations) is None
    for by_token in ("cancellations", "erasures"):
        assert match_anonymous("POST", f"{PROGRAMME}/registrations/{by_token}") is not None
        assert match_anonymous("GET", f"{PROGRAMME}/registrations/{by_token}") is None
    assert match_anonymous("POST", PROGRAMME) is None
    assert match_anonymous("GET", f"{PROGRAMME}/") is None
    assert match_anonymous("GET", f"{PROGRAMME}//calendar.ics") is None
    assert match_anonymous("PUT", ONE) is None
    assert {entry.service for entry in ANONYMOUS} == {"events", "observatory"}


@pytest.mark.parametrize("path", DASHBOARD_SHELL)
async def test_the_dashboards_page_shell_is_proxied_to_the_observatory_without_a_token(
    gw: Harness, path: str
) -> None:
    response = await gw.client.get(path)
    assert response.status_code == 200, response.text
    assert gw.upstreams["observatory"].last.path == path


@pytest.mark.parametrize(
    "path",
    [
        f"{DASHBOARD}/charts/over_time",
        f"{DASHBOARD}/charts/over_time.svg",
        f"{DASHBOARD}/",
        f"{DASHBOARD}/other.js",
    ],
)
async def test_the_dashboards_charts_still_need_a_token(gw: Harness, path: str) -> None:
    response = await gw.client.get(path)
    assert response.status_code == 401, response.text
    assert not gw.upstreams["observatory"].received


async def test_an_address_over_its_rate_gets_429_with_retry_after(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway(
        anonymous_rate_limit_burst=2, anonymous_rate_limit_per_second=0.25
    ) as gw:
        answers = [(await gw.client.get(PROGRAMME)).status_code for _ in range(2)]
        assert answers == [200, 200]

        refused = await gw.client.get(f"{ONE}/calendar.ics")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == PROBLEM
        problem = refused.json()
        assert (problem["type"], problem["status"]) == ("urn:lgnet:problem:too-many-requests", 429)
        assert refused.headers["retry-after"] == "4"  # one token at 0.25/s
        assert len(gw.upstreams["events"].received) == 2

        # signed-in clients have buckets of their own
        worker = gw.auth("case-worker", username="alice")
        assert (await gw.client.get("/v1/initiatives", headers=worker)).status_code == 200

        # another address has its own bucket
        other = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gw.client._transport.app, client=("198.51.100.9", 1)),  # type: ignore[attr-defined]
            base_url="http://gateway.test",
        )
        async with other:
            assert (await other.get(PROGRAMME)).status_code == 200


async def test_behind_a_trusted_balancer_the_address_it_saw_is_limited(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway(
        anonymous_rate_limit_burst=1,
        anonymous_rate_limit_per_second=0.1,
        trust_forwarded_headers=True,
    ) as gw:
        first = {"X-Forwarded-For": "192.0.2.1"}
        assert (await gw.client.get(PROGRAMME, headers=first)).status_code == 200
        assert (await gw.client.get(PROGRAMME, headers=first)).status_code == 429
        # a spoofed first entry does not help: the balancer's (last) one counts
        spoofed = {"X-Forwarded-For": "10.9.9.9, 192.0.2.1"}
        assert (await gw.client.get(PROGRAMME, headers=spoofed)).status_code == 429
        second = {"X-Forwarded-For": "192.0.2.2"}
        assert (await gw.client.get(PROGRAMME, headers=second)).status_code == 200


def test_the_merged_document_shows_the_programme_without_security() -> None:
    secured: list[dict[str, list[str]]] = [{"HTTPBearer": []}]
    ok = {"200": {"description": "OK"}}
    events = {
        "openapi": "3.1.0",
        "paths": {
            PROGRAMME: {"get": {"operationId": "programme", "responses": ok}},
            f"{PROGRAMME}/{{initiative_id}}/calendar.ics": {
                "get": {"operationId": "calendar", "responses": ok}
            },
            "/v1/initiatives": {
                "get": {"operationId": "list", "security": secured, "responses": ok},
                "post": {"operationId": "create", "security": secured, "responses": ok},
            },
        },
        "components": {"securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}}},
    }
    merged = merge_openapi({"events": events}, issuer="https://id.example/realms/lgnet")
    paths = merged["paths"]
    assert paths[PROGRAMME]["get"]["security"] == [{}]
    assert "429" in paths[PROGRAMME]["get"]["responses"]  # the gateway's per-address limit
    assert "429" not in paths["/v1/initiatives"]["get"]["responses"]
    assert paths[f"{PROGRAMME}/{{initiative_id}}/calendar.ics"]["get"]["security"] == [{}]
    assert paths["/v1/initiatives"]["get"]["security"] == [{SECURITY_SCHEME: []}]
    assert paths["/v1/initiatives"]["post"]["security"] == [{SECURITY_SCHEME: []}]
    assert merged["security"] == [{SECURITY_SCHEME: []}]
