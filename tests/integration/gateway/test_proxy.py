"""The gateway with the real realm's tokens: roles, rate limit, request ids, outages, CORS."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing.apps import bearer
from kit.testing.upstream import CORS_PREFLIGHT, FakeUpstream, RunGateway, assert_preflight_allowed

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def gateway(run_gateway: RunGateway) -> Iterator[str]:
    with run_gateway() as url:
        yield url


@pytest.mark.parametrize(
    ("username", "method", "path", "status"),
    [
        ("intake.aurora", "GET", "/v1/intake/referrals", 200),
        ("intake.aurora", "GET", "/v1/casework/cases", 200),
        ("intake.aurora", "POST", "/v1/casework/cases", 403),
        ("analyst.comune", "GET", "/v1/observatory/indicators", 200),
        ("analyst.comune", "GET", "/v1/intake/persons", 403),
        ("organizer.ponte", "POST", "/v1/initiatives", 200),
        ("intake.ponte", "POST", "/v1/initiatives", 403),
        # a case worker registers beneficiaries (the events service refuses them the rest)
        ("caseworker.ponte", "POST", "/v1/initiatives/0d5c/sessions/1e6d/registrations", 200),
        ("housing.ponte", "GET", "/v1/casework/cases", 403),
        ("coordinator.comune", "GET", "/v1/audit/entries", 403),
        ("auditor.comune", "GET", "/v1/intake/referrals", 403),
        ("auditor.comune", "GET", "/v1/audit/entries", 404),  # for auditors, not yet served
    ],
)
def test_the_role_table_with_the_realms_demo_accounts(
    gateway: str, realm: Realm, username: str, method: str, path: str, status: int
) -> None:
    response = httpx.request(
        method,
        f"{gateway}{path}",
        headers={**bearer(realm.user_token(username)), "Content-Type": "application/json"},
        content=b"{}",
    )
    assert response.status_code == status, response.text
    if status == 403:
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"] == "urn:lgnet:problem:role-required"


def test_a_partner_system_over_its_rate_gets_429_with_retry_after(
    run_gateway: RunGateway, realm: Realm
) -> None:
    # local-only demo secret (deploy/keycloak/README.md)
    token = realm.system_token("partner-coop-aurora", "local-only-coop-aurora-secret")
    with run_gateway(rate_limit_burst=3, rate_limit_per_second=0.2) as url:
        statuses = [
            httpx.get(f"{url}/v1/intake/referrals", headers=bearer(token)).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        refused = httpx.get(f"{url}/v1/intake/referrals", headers=bearer(token))
        assert refused.status_code == 429
        assert refused.headers["content-type"] == PROBLEM
        assert refused.headers["retry-after"] == "5"  # a token every 5 s


def test_the_request_id_is_echoed_and_reaches_the_service(
    gateway: str, realm: Realm, upstream: tuple[FakeUpstream, str]
) -> None:
    response = httpx.get(
        f"{gateway}/v1/housing/vacancies",
        headers={**bearer(realm.user_token("housing.ponte")), "X-Request-ID": "desk-3.req-0042"},
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "desk-3.req-0042"
    seen = upstream[0].last
    assert seen.header("x-request-id") == "desk-3.req-0042"
    assert seen.header("traceparent") is not None
    assert seen.header("x-forwarded-for") == "127.0.0.1"
    assert not seen.has_header("connection") or seen.header("connection") == "keep-alive"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens on it once the socket is closed


def test_a_service_down_is_502_problem_and_readyz_names_it(
    run_gateway: RunGateway, realm: Realm
) -> None:
    down = f"http://127.0.0.1:{_closed_port()}"
    with run_gateway(upstream_housing=down) as url:
        response = httpx.get(
            f"{url}/v1/housing/vacancies", headers=bearer(realm.user_token("housing.ponte"))
        )
        assert response.status_code == 502
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"] == "urn:lgnet:problem:upstream-unavailable"
        assert "Traceback" not in response.text

        ready = httpx.get(f"{url}/readyz")
        assert ready.status_code == 503
        assert ready.json()["failing"] == ["housing"]
        assert ready.json()["checks"]["jwks"] == "ok"  # the real realm's keys


def test_readyz_with_the_real_realm_and_every_service_up(gateway: str) -> None:
    response = httpx.get(f"{gateway}/readyz")
    assert response.status_code == 200, response.text
    assert set(response.json()["checks"].values()) == {"ok"}


def test_cors_preflight_from_the_web_front_end(gateway: str) -> None:
    response = httpx.options(f"{gateway}/v1/intake/referrals", headers=CORS_PREFLIGHT)
    assert_preflight_allowed(response)


def test_docs_and_merged_openapi_are_served(gateway: str) -> None:
    assert httpx.get(f"{gateway}/docs").status_code == 200
    document = httpx.get(f"{gateway}/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    scheme = document["components"]["securitySchemes"]["KeycloakBearer"]
    assert scheme["x-openid-connect-discovery-url"].endswith(
        "/realms/lgnet/.well-known/openid-configuration"
    )
    assert httpx.get(scheme["x-openid-connect-discovery-url"]).status_code == 200
