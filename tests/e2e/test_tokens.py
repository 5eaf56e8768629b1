"""Token checks at the gateway and at every service called directly (zero trust)."""

from __future__ import annotations

import httpx
import pytest

from deploy.local.keycloak import API_AUDIENCE
from kit.testing.bad_tokens import BAD_TOKEN_CASES, bad_tokens, realm_jwk, resigned
from kit.testing.platform import Platform

pytestmark = pytest.mark.integration

# one read endpoint per service, which a Comune coordinator may call
READS = {
    "intake": "/v1/intake/referrals",
    "casework": "/v1/casework/cases",
    "housing": "/v1/housing/facilities",
    "events": "/v1/initiatives",
    "observatory": "/v1/observatory/indicators",
}
TARGETS = ["gateway", *READS]


def _base_and_path(platform: Platform, target: str) -> tuple[str, str]:
    if target == "gateway":
        return platform.gateway, READS["intake"]
    return platform.service(target), READS[target]


@pytest.mark.parametrize("target", TARGETS)
def test_a_valid_keycloak_token_is_accepted(platform: Platform, target: str) -> None:
    base, path = _base_and_path(platform, target)
    token = platform.realm.cached_user_token("coordinator.comune")
    response = httpx.get(f"{base}{path}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    # the re-signed control: the realm's extra test key is trusted like its own
    control = resigned(token, platform.test_key)
    assert (
        httpx.get(f"{base}{path}", headers={"Authorization": f"Bearer {control}"}).status_code
        == 200
    )


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", BAD_TOKEN_CASES)
def test_a_bad_token_is_refused_with_401_problem(
    platform: Platform, target: str, case: str
) -> None:
    base, path = _base_and_path(platform, target)
    genuine = platform.realm.cached_user_token("coordinator.comune")
    jwks = httpx.get(platform.realm.jwks_uri).json()
    tokens = bad_tokens(
        genuine, realm_jwk(jwks, genuine), platform.test_key, platform.stack.issuer, API_AUDIENCE
    )
    response = httpx.get(f"{base}{path}", headers={"Authorization": f"Bearer {tokens[case]}"})
    assert response.status_code == 401, (
        f"{case} at {target}: {response.status_code} {response.text}"
    )
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
