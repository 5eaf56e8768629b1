"""The eight bad bearer tokens every LGNet API must refuse, made from one genuine Keycloak token.

Usage, against the gateway or any service (each must answer 401 problem+json with
``WWW-Authenticate``)::

    test_key = register_test_signing_key(stack.keycloak.admin())   # kit.testing.realm_keys
    genuine = <an access token from the realm>
    jwk = realm_jwk(jwks_document, genuine)
    for case, token in bad_tokens(genuine, jwk, test_key, stack.issuer, "lgnet-api").items():
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, case

The cases, by key:

- signature valid for the realm (re-signed with the realm's extra test key), one claim wrong — so
  only the claim check can refuse them: ``expired``, ``not_yet_valid``, ``wrong_audience``,
  ``wrong_issuer``. :func:`resigned` is their control: the genuine claims re-signed unchanged,
  which must be *accepted* (otherwise the four prove nothing);
- forged from the genuine token with :mod:`kit.testing.tokens`: ``alg_none`` (unsigned),
  ``hs256_with_public_key`` (key confusion), ``unknown_kid`` (signed by a key the realm does not
  have), ``tampered_payload`` (claims edited under the genuine signature, granting ``coordinator``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from kit.testing.realm_keys import TestSigningKey
from kit.testing.tokens import (
    alg_none,
    claims_of,
    header_of,
    hs256_with_public_key,
    tamper_payload,
    unknown_kid,
)

__all__ = ["BAD_TOKEN_CASES", "bad_tokens", "realm_jwk", "resigned"]

BAD_TOKEN_CASES = (
    "expired",
    "not_yet_valid",
    "wrong_audience",
    "wrong_issuer",
    "alg_none",
    "hs256_with_public_key",
    "unknown_kid",
    "tampered_payload",
)
# Far beyond any leeway a verifier may grant (kit.auth allows at most 30 s).
_SHIFT = 3600


def realm_jwk(jwks: Mapping[str, Any], token: str) -> dict[str, Any]:
    """The public JWK in the realm's JWKS document that signed ``token`` (by its ``kid``)."""
    kid = header_of(token).get("kid")
    for jwk in jwks.get("keys", []):
        if jwk.get("kid") == kid:
            return dict(jwk)
    raise LookupError(f"the JWKS has no key {kid!r}")


def resigned(genuine_token: str, test_key: TestSigningKey) -> str:
    """The genuine claims, unchanged, re-signed with the realm's test key: must be accepted."""
    return test_key.sign(claims_of(genuine_token))


def bad_tokens(
    genuine_token: str,
    realm_jwk: Mapping[str, Any],
    test_key: TestSigningKey,
    issuer: str,
    audience: str,
) -> dict[str, str]:
    """The eight bad tokens (see the module docstring), keyed as in :data:`BAD_TOKEN_CASES`.

    ``genuine_token`` is a valid access token of the realm for ``audience``; ``realm_jwk`` the
    realm's public key that signed it (:func:`realm_jwk`); ``test_key`` an extra signing key
    registered in the realm (:func:`kit.testing.realm_keys.register_test_signing_key`).
    """
    claims = claims_of(genuine_token)
    if claims.get("iss") != issuer:
        raise ValueError("the genuine token is not from this issuer")
    lifetime = int(claims["exp"]) - int(claims["iat"])
    now = int(time.time())
    return {
        "expired": test_key.sign({**claims, "iat": now - _SHIFT - lifetime, "exp": now - _SHIFT}),
        "not_yet_valid": test_key.sign(
            {**claims, "nbf": now + _SHIFT, "iat": now + _SHIFT, "exp": now + _SHIFT + lifetime}
        ),
        "wrong_audience": test_key.sign({**claims, "aud": f"{audience}-elsewhere"}),
        "wrong_issuer": test_key.sign({**claims, "iss": f"{issuer.rstrip('/')}-elsewhere"}),
        "alg_none": alg_none(genuine_token),
        "hs256_with_public_key": hs256_with_public_key(genuine_token, realm_jwk),
        "unknown_kid": unknown_kid(genuine_token),
        "tampered_payload": tamper_payload(
            genuine_token,
            realm_access={"roles": ["coordinator", "platform-admin", "auditor"]},
        ),
    }
