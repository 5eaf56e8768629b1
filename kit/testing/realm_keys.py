"""An extra RSA signing key registered in the real Keycloak realm, for claim-check tests.

A claim check (``exp``, ``nbf``/``iat``, ``aud``, ``iss``) can only be proven against a token
whose signature is valid for the realm: otherwise the signature check rejects it first and the
claim check is never reached. Keycloak's own private key cannot be read, so a test registers a
key of its own in the realm through the admin API::

    key = register_test_signing_key(stack.keycloak.admin())
    try:
        expired = key.sign({**claims_of(genuine), "exp": int(time.time()) - 3600})
        ...  # every verifier of the realm trusts the signature: only the claim can be refused
    finally:
        remove_test_signing_key(stack.keycloak.admin(), key)

The key is an ``rsa`` key-provider component (the "rsa" provider imports a given private key),
enabled and active, with a *lower* priority than every other RS256 signing key of the realm, so
Keycloak keeps signing its tokens with its own key. Registration returns only once the key is
published in the realm's JWKS and Keycloak's active RS256 key is still its own.

Only ever against a local or test realm: the key's private half sits in test memory.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from keycloak import KeycloakAdmin

from kit.testing.tokens import generate_rsa_key, public_jwk, resign

__all__ = ["TestSigningKey", "register_test_signing_key", "remove_test_signing_key"]

KEY_PROVIDER_TYPE = "org.keycloak.keys.KeyProvider"
ALGORITHM = "RS256"
NAME_PREFIX = "lgnet-test-signing-key-"


@dataclass(frozen=True)
class TestSigningKey:
    """A signing key the realm trusts (published in its JWKS) but does not sign with."""

    __test__ = False  # not a pytest test class, despite the name

    private_key: rsa.RSAPrivateKey = field(repr=False)
    kid: str
    component_id: str
    jwks_uri: str

    def sign(self, claims: Mapping[str, Any], alg: str = ALGORITHM) -> str:
        """``claims`` signed with this key under its ``kid``: a token the realm's JWKS verifies."""
        return resign(claims, self.private_key, self.kid, alg=alg)

    def public_jwk(self) -> dict[str, Any]:
        return public_jwk(self.private_key, self.kid, alg=ALGORITHM)


def _realm_name(admin: KeycloakAdmin) -> str:
    name = admin.connection.realm_name
    if not isinstance(name, str) or not name:
        raise ValueError("the admin client names no realm")
    return name


def _jwks_uri(admin: KeycloakAdmin) -> str:
    server = str(admin.connection.server_url).rstrip("/")
    return f"{server}/realms/{_realm_name(admin)}/protocol/openid-connect/certs"


def _published_kids(jwks_uri: str) -> set[str]:
    response = httpx.get(jwks_uri, timeout=5.0)
    response.raise_for_status()
    return {str(k.get("kid")) for k in response.json().get("keys", [])}


def _signing_keys(admin: KeycloakAdmin) -> list[dict[str, Any]]:
    keys: dict[str, Any] = admin.get_keys()
    return [
        k
        for k in keys.get("keys", [])
        if k.get("algorithm") == ALGORITHM and str(k.get("use", "SIG")).upper() == "SIG"
    ]


def _active_kid(admin: KeycloakAdmin) -> str | None:
    kid = admin.get_keys().get("active", {}).get(ALGORITHM)
    return str(kid) if kid else None


def register_test_signing_key(
    admin: KeycloakAdmin, *, bits: int = 2048, timeout: float = 10.0
) -> TestSigningKey:
    """Register a fresh RSA key in ``admin``'s realm as an extra, lower-priority RS256 key.

    Returns once the realm's JWKS publishes it; raises ``RuntimeError`` (after removing the key
    again) if it is not published within ``timeout`` seconds, or if Keycloak would then sign with
    it instead of with its own key.
    """
    realm = _realm_name(admin)
    others = _signing_keys(admin)
    if not others:
        raise RuntimeError(f"realm {realm} has no {ALGORITHM} signing key of its own")
    own_active = _active_kid(admin)
    lowest = min(int(k.get("providerPriority", 0)) for k in others)
    private_key = generate_rsa_key(bits)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode("ascii")
    component_id: str = admin.create_component(
        {
            "name": f"{NAME_PREFIX}{uuid.uuid4().hex[:12]}",
            "providerId": "rsa",
            "providerType": KEY_PROVIDER_TYPE,
            "parentId": admin.get_realm(realm)["id"],
            "config": {
                "priority": [str(lowest - 10)],
                "enabled": ["true"],
                "active": ["true"],
                "algorithm": [ALGORITHM],
                "keyUse": ["sig"],
                "privateKey": [pem],
            },
        }
    )
    try:
        kid = next(
            (str(k["kid"]) for k in _signing_keys(admin) if k.get("providerId") == component_id),
            None,
        )
        if kid is None:
            raise RuntimeError("Keycloak did not load the registered key")
        jwks_uri = _jwks_uri(admin)
        deadline = time.monotonic() + timeout
        while kid not in _published_kids(jwks_uri):
            if time.monotonic() > deadline:
                raise RuntimeError(f"key {kid} was not published in {jwks_uri}")
            time.sleep(0.2)
        if _active_kid(admin) != own_active:
            raise RuntimeError("Keycloak switched its active signing key to the test key")
    except BaseException:
        admin.delete_component(component_id)
        raise
    return TestSigningKey(
        private_key=private_key, kid=kid, component_id=component_id, jwks_uri=jwks_uri
    )


def remove_test_signing_key(admin: KeycloakAdmin, key: TestSigningKey) -> None:
    """Delete the key's component from the realm (it leaves the JWKS at once)."""
    admin.delete_component(key.component_id)
