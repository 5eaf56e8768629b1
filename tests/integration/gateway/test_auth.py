"""The gateway refuses every bad token, judged against the REAL Keycloak realm.

The claim checks (expired, not yet valid, wrong audience, wrong issuer) get tokens whose
signature the realm's JWKS genuinely verifies — re-signed with an extra key registered in the
realm (``kit.testing.realm_keys``) — so only the claim check can refuse them; the control token
(same claims, same key, nothing wrong) is accepted. The forgeries (``alg: none``, HS256 keyed with
the realm's public key, an unknown ``kid``, a tampered payload) are made from a genuine token.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from deploy.local.keycloak import API_AUDIENCE
from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.testing.bad_tokens import BAD_TOKEN_CASES, bad_tokens, realm_jwk, resigned
from kit.testing.realm_keys import TestSigningKey
from kit.testing.tokens import claims_of, header_of
from kit.testing.upstream import FakeUpstream, RunGateway

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
PATH = "/v1/intake/referrals"
# Why each case must be refused: the verifier's reason, shown in the problem's detail.
REASONS = {
    "expired": "token has expired",
    "not_yet_valid": "token is not yet valid",
    "wrong_audience": "token is not for this audience",
    "wrong_issuer": "token is from another issuer",
    "alg_none": "token signing algorithm is not allowed",
    "hs256_with_public_key": "token signing algorithm is not allowed",
    "unknown_kid": "token signing key is unknown",
    "tampered_payload": "token signature is invalid",
}


@pytest.fixture(scope="module")
def genuine(realm: Realm) -> str:
    return realm.user_token("caseworker.aurora")  # case-worker: may read intake


@pytest.fixture(scope="module")
def tokens(stack: Stack, realm: Realm, genuine: str, test_key: TestSigningKey) -> dict[str, str]:
    return bad_tokens(
        genuine,
        realm_jwk(httpx.get(realm.jwks_uri).json(), genuine),
        test_key,
        stack.issuer,
        API_AUDIENCE,
    )


@pytest.fixture(scope="module")
def gateway(run_gateway: RunGateway, test_key: TestSigningKey) -> Iterator[str]:
    with run_gateway() as url:
        yield url


def _get(gateway: str, token: str) -> httpx.Response:
    return httpx.get(f"{gateway}{PATH}", headers={"Authorization": f"Bearer {token}"})


def test_a_genuine_token_is_accepted_and_proxied(
    gateway: str, genuine: str, upstream: tuple[FakeUpstream, str]
) -> None:
    response = _get(gateway, genuine)
    assert response.status_code == 200, response.text
    assert response.json()["path"] == PATH
    assert upstream[0].last.header("authorization") == f"Bearer {genuine}"


def test_the_genuine_claims_resigned_with_the_test_key_are_accepted(
    gateway: str, genuine: str, test_key: TestSigningKey
) -> None:
    # the control: without it, the four claim cases below could be refused for their signature
    response = _get(gateway, resigned(genuine, test_key))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("case", BAD_TOKEN_CASES)
def test_a_bad_token_is_401_problem_and_never_reaches_the_service(
    gateway: str, tokens: dict[str, str], upstream: tuple[FakeUpstream, str], case: str
) -> None:
    before = len(upstream[0].received)
    response = _get(gateway, tokens[case])

    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == "urn:lgnet:problem:invalid-token"
    assert problem["detail"] == f"The bearer token was rejected: {REASONS[case]}."
    assert response.headers["www-authenticate"] == (
        f'Bearer error="invalid_token", error_description="{REASONS[case]}"'
    )
    assert "x-request-id" in response.headers
    assert len(upstream[0].received) == before


def test_the_bad_tokens_are_made_from_the_genuine_token(
    realm: Realm, genuine: str, tokens: dict[str, str], test_key: TestSigningKey
) -> None:
    assert set(tokens) == set(BAD_TOKEN_CASES)
    claims = claims_of(genuine)
    realm_kid = header_of(genuine)["kid"]
    published = {jwk["kid"]: jwk for jwk in httpx.get(realm.jwks_uri).json()["keys"]}
    assert test_key.kid in published  # the realm vouches for the test key
    assert realm_kid != test_key.kid  # and keeps signing with its own

    # claim cases: valid signatures by a realm key, claims changed in one respect only
    test_public = RSAAlgorithm.from_jwk(published[test_key.kid])
    assert isinstance(test_public, rsa.RSAPublicKey)
    changed = {
        "expired": {"exp", "iat"},
        "not_yet_valid": {"nbf", "iat", "exp"},
        "wrong_audience": {"aud"},
        "wrong_issuer": {"iss"},
    }
    for case, names in changed.items():
        token = tokens[case]
        assert header_of(token)["kid"] == test_key.kid
        verified: dict[str, Any] = jwt.decode(
            token,
            test_public,
            algorithms=["RS256"],
            options={
                "verify_signature": True,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
        differing = {k for k in verified.keys() | claims.keys() if verified.get(k) != claims.get(k)}
        assert differing == names, case

    # forgeries: the genuine claims (or the genuine token's parts) with one flaw
    assert header_of(tokens["alg_none"]) == {**header_of(genuine), "alg": "none"}
    assert claims_of(tokens["alg_none"]) == claims
    assert tokens["alg_none"].endswith(".")
    assert header_of(tokens["hs256_with_public_key"])["alg"] == "HS256"
    assert header_of(tokens["hs256_with_public_key"])["kid"] == realm_kid
    assert claims_of(tokens["hs256_with_public_key"]) == claims
    assert header_of(tokens["unknown_kid"])["kid"] not in published
    assert claims_of(tokens["unknown_kid"]) == claims
    tampered = tokens["tampered_payload"]
    assert tampered.split(".")[0] == genuine.split(".")[0]
    assert tampered.split(".")[2] == genuine.split(".")[2]  # the genuine signature, kept
    assert claims_of(tampered) == {
        **claims,
        "realm_access": {"roles": ["coordinator", "platform-admin", "auditor"]},
    }
