"""The FastAPI side: 401/403/503 as problem+json, require_roles, the OpenAPI security scheme."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Request

from kit.auth import CurrentPrincipal, Principal, Role, install_auth, require_roles
from kit.problems import install_problem_handlers
from kit.testing.tokens import (
    REMOVE,
    LocalIssuer,
    alg_none,
    hs256_with_public_key,
    tamper_payload,
    unknown_kid,
)


def make_app(issuer: LocalIssuer) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    install_auth(app, issuer.verifier())

    @app.get("/me")
    async def me(principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
        assert request.state.principal is principal
        return {
            "subject": principal.subject,
            "organisation": principal.organisation,
            "roles": sorted(principal.roles),
            "service_account": principal.is_service_account,
        }

    @app.get("/policies", dependencies=[Depends(require_roles(Role.COORDINATOR))])
    async def policies() -> list[str]:
        return []

    @app.get("/audit")
    async def audit(
        principal: Annotated[Principal, Depends(require_roles(Role.AUDITOR, Role.PLATFORM_ADMIN))],
    ) -> str:
        return principal.username

    return app


@pytest.fixture
async def api(local_issuer: LocalIssuer) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=make_app(local_issuer))
    async with httpx.AsyncClient(transport=transport, base_url="http://lgnet.test") as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_valid_token_yields_the_principal(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    response = await api.get("/me", headers=bearer(local_issuer.token()))
    assert response.status_code == 200
    assert response.json() == {
        "subject": local_issuer.claims()["sub"],
        "organisation": "coop-aurora",
        "roles": ["case-worker"],
        "service_account": False,
    }


async def test_a_partner_system_is_seen_as_a_service_account(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    token = local_issuer.sign(local_issuer.service_account_claims("partner-coop-aurora"))
    response = await api.get("/me", headers=bearer(token))
    assert response.json()["service_account"] is True


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer"}, {"Authorization": "Basic YTpi"}],
)
async def test_no_bearer_token_is_a_401_without_error_code(
    api: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await api.get("/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["type"] == "urn:lgnet:problem:unauthorized"


# The acceptance list: each must be answered 401 invalid_token.
BAD_TOKENS: dict[str, Callable[[LocalIssuer], str]] = {
    "expired": lambda issuer: issuer.token(exp=int(time.time()) - 60),
    "not yet valid": lambda issuer: issuer.token(nbf=int(time.time()) + 60),
    "wrong audience": lambda issuer: issuer.token(aud="another-api"),
    "wrong issuer": lambda issuer: issuer.token(iss="https://keycloak.test/realms/master"),
    "alg none": lambda issuer: alg_none(issuer.token()),
    "hs256 with public key": lambda issuer: hs256_with_public_key(issuer.token(), issuer.jwk()),
    "unknown kid": lambda issuer: unknown_kid(issuer.token()),
    "tampered payload": lambda issuer: tamper_payload(
        issuer.token(), realm_access={"roles": ["coordinator"]}
    ),
    "missing sub": lambda issuer: issuer.token(sub=REMOVE),
    "garbage": lambda issuer: "not-a-jwt",
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_a_bad_token_is_a_401_invalid_token(
    api: httpx.AsyncClient, local_issuer: LocalIssuer, case: str
) -> None:
    token = BAD_TOKENS[case](local_issuer)
    response = await api.get("/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer error="invalid_token", error_description="token ')
    problem = response.json()
    assert problem["type"] == "urn:lgnet:problem:invalid-token"
    assert problem["status"] == 401
    assert token not in response.text


@pytest.mark.parametrize("organisation", [None, ["coop-aurora", "comune-milano"]])
async def test_a_token_without_exactly_one_organisation_is_a_403(
    api: httpx.AsyncClient, local_issuer: LocalIssuer, organisation: Any
) -> None:
    claims = local_issuer.claims(organisation=None)
    if organisation is not None:
        claims["organization"] = organisation
    response = await api.get("/me", headers=bearer(local_issuer.sign(claims)))
    assert response.status_code == 403
    assert response.json()["type"] == "urn:lgnet:problem:organisation-required"
    assert response.headers["www-authenticate"] == 'Bearer error="insufficient_scope"'


async def test_require_roles_admits_a_holder_of_any_of_the_roles(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    coordinator = local_issuer.token(organisation="comune-milano", roles=("coordinator",))
    assert (await api.get("/policies", headers=bearer(coordinator))).status_code == 200
    admin = local_issuer.token(username="root", roles=("platform-admin",))
    response = await api.get("/audit", headers=bearer(admin))
    assert response.status_code == 200
    assert response.json() == "root"


async def test_require_roles_answers_403_without_the_role(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    response = await api.get("/policies", headers=bearer(local_issuer.token()))
    assert response.status_code == 403
    problem = response.json()
    assert problem["type"] == "urn:lgnet:problem:role-required"
    assert "coordinator" in problem["detail"]


async def test_require_roles_still_answers_401_to_a_bad_token(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    expired = local_issuer.token(roles=("coordinator",), exp=int(time.time()) - 60)
    assert (await api.get("/policies", headers=bearer(expired))).status_code == 401


async def test_keycloak_unreachable_with_no_cached_keys_is_a_503(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    local_issuer.up = False
    response = await api.get("/me", headers=bearer(local_issuer.token()))
    assert response.status_code == 503
    assert response.json()["type"] == "urn:lgnet:problem:authentication-unavailable"
    assert "retry-after" in response.headers


def test_require_roles_needs_a_role() -> None:
    with pytest.raises(ValueError, match="role"):
        require_roles()


def test_require_roles_refuses_a_name_outside_the_realm_roles() -> None:
    with pytest.raises(ValueError, match="intake-operater"):
        require_roles("intake-operater")  # type: ignore[arg-type]


async def test_openapi_declares_the_bearer_scheme_on_protected_routes(
    local_issuer: LocalIssuer,
) -> None:
    schema = make_app(local_issuer).openapi()
    assert schema["components"]["securitySchemes"]["KeycloakBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token of the Keycloak realm `lgnet` with audience `lgnet-api`.",
    }
    for path in ("/me", "/policies", "/audit"):
        assert schema["paths"][path]["get"]["security"] == [{"KeycloakBearer": []}]


async def test_an_app_without_install_auth_fails_loudly(local_issuer: LocalIssuer) -> None:
    app = FastAPI()

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> str:
        return principal.subject

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://lgnet.test") as bare:
        with pytest.raises(RuntimeError, match="install_auth"):
            await bare.get("/me", headers=bearer(local_issuer.token()))
