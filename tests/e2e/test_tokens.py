"""Token checks at the gateway and at every service called directly (zero trust)."""

from __future__ import annotations

import httpx
import pytest

from deploy.local.keycloak import API_AUDIENCE
from kit.testing.bad_tokens import BAD_TOKEN_CASES, bad_tokens, realm_jwk, resigned
from kit.testing.platform import TARGETS, Platform

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("target", TARGETS)
def test_a_valid_keycloak_token_is_accepted(platform: Platform, target: str) -> None:
    url = platform.collection(target)
    token = platform.realm.cached_user_token("coordinator.comune")
    response = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    # the re-signed control: the realm's extra test key is trusted like its own
    control = resigned(token, platform.test_key)
    assert httpx.get(url, headers={"Authorization": f"Bearer {control}"}).status_code == 200


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", BAD_TOKEN_CASES)
def test_a_bad_token_is_refused_with_401_problem(
    platform: Platform, target: str, case: str
) -> None:
    url = platform.collection(target)
    genuine = platform.realm.cached_user_token("coordinator.comune")
    jwks = httpx.get(platform.realm.jwks_uri).json()
    tokens = bad_tokens(
        genuine, realm_jwk(jwks, genuine), platform.test_key, platform.stack.issuer, API_AUDIENCE
    )
    response = httpx.get(url, headers={"Authorization": f"Bearer {tokens[case]}"})
    assert response.status_code == 401, (
        f"{case} at {target}: {response.status_code} {response.text}"
    )
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
