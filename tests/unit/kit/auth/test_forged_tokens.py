"""kit.testing.tokens: each forged token is the attack it says it is, and only that."""

from __future__ import annotations

import base64
import hashlib
import hmac

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from kit.testing.tokens import (
    REMOVE,
    LocalIssuer,
    alg_none,
    claims_of,
    generate_rsa_key,
    header_of,
    hs256_with_public_key,
    public_jwk,
    resign,
    tamper_payload,
    unknown_kid,
)


def test_alg_none_keeps_kid_and_claims_and_drops_the_signature(local_issuer: LocalIssuer) -> None:
    genuine = local_issuer.token()
    forged = alg_none(genuine)
    assert header_of(forged) == {**header_of(genuine), "alg": "none"}
    assert claims_of(forged) == claims_of(genuine)
    assert forged.endswith(".")


def test_hs256_with_public_key_is_a_valid_mac_under_the_public_pem(
    local_issuer: LocalIssuer,
) -> None:
    genuine = local_issuer.token()
    forged = hs256_with_public_key(genuine, local_issuer.jwk())
    pem = local_issuer.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input, signature = forged.rsplit(".", 1)
    expected = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)) == expected
    assert header_of(forged)["alg"] == "HS256"
    assert header_of(forged)["kid"] == local_issuer.kid
    assert claims_of(forged) == claims_of(genuine)


def test_hs256_with_public_key_refuses_an_unknown_form(local_issuer: LocalIssuer) -> None:
    with pytest.raises(ValueError, match="form"):
        hs256_with_public_key(local_issuer.token(), local_issuer.jwk(), form="base64")


def test_unknown_kid_is_properly_signed_by_another_key(local_issuer: LocalIssuer) -> None:
    genuine = local_issuer.token()
    key = generate_rsa_key()
    forged = unknown_kid(genuine, key=key, kid="elsewhere")
    assert header_of(forged)["kid"] == "elsewhere"
    decoded = jwt.decode(
        forged, key.public_key(), algorithms=["RS256"], options={"verify_aud": False}
    )
    assert decoded == claims_of(genuine)
    assert header_of(unknown_kid(genuine))["kid"] != local_issuer.kid


def test_tamper_payload_keeps_header_and_signature(local_issuer: LocalIssuer) -> None:
    genuine = local_issuer.token()
    forged = tamper_payload(genuine, azp="partner-x", jti=REMOVE)
    assert forged.split(".")[0] == genuine.split(".")[0]
    assert forged.split(".")[2] == genuine.split(".")[2]
    assert claims_of(forged)["azp"] == "partner-x"
    assert "jti" not in claims_of(forged)


def test_resign_signs_with_the_given_key_and_alg(local_issuer: LocalIssuer) -> None:
    token = resign({"sub": "x"}, local_issuer.key, "k-1", alg="PS256")
    assert header_of(token) == {"alg": "PS256", "kid": "k-1", "typ": "JWT"}
    assert jwt.decode(token, local_issuer.key.public_key(), algorithms=["PS256"]) == {"sub": "x"}


def test_public_jwk_has_no_private_part(local_issuer: LocalIssuer) -> None:
    jwk = public_jwk(local_issuer.key, "k-1")
    assert {"kty", "n", "e", "kid", "use", "alg"} <= set(jwk)
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(jwk)


async def test_local_issuer_serves_discovery_and_jwks(local_issuer: LocalIssuer) -> None:
    async with httpx.AsyncClient(transport=local_issuer.transport()) as http:
        discovery = await http.get(f"{local_issuer.issuer}/.well-known/openid-configuration")
        assert discovery.json()["jwks_uri"] == local_issuer.jwks_uri
        jwks = await http.get(local_issuer.jwks_uri)
        assert jwks.json() == local_issuer.jwks()
    assert local_issuer.jwks_fetches == 1
