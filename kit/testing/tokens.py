"""Bad tokens for negative tests of token verification, and a local issuer for unit tests.

Two levels of test use these helpers.

**Unit level** (no Keycloak): :class:`LocalIssuer` holds a freshly generated RSA key, serves it as
a JWKS and signs Keycloak-shaped access tokens. A verifier pointed at that JWKS trusts the
signature, so an expired, not-yet-valid, wrong-audience or wrong-issuer token made with
``issuer.token(exp=...)`` / ``issuer.token(aud=...)`` is rejected by the *claim* check and
nothing else.

**Integration level** (real Keycloak): start from a genuine access token and the realm's JWKS.

- ``alg: none``, HS256 keyed with the realm's public key, an unknown ``kid`` and a tampered
  payload are forged from the genuine token with :func:`alg_none`,
  :func:`hs256_with_public_key`, :func:`unknown_kid` and :func:`tamper_payload`.
- Claim checks cannot be exercised by editing a genuine token (any edit breaks the signature, and
  re-signing needs the realm's private key), so the *verifier* moves instead, with the genuine
  token untouched: a verifier whose ``clock`` runs ahead by more than the token's lifetime plus
  leeway sees it expired; one whose clock runs behind by more than the leeway sees it not yet
  valid (``iat``; Keycloak sets no ``nbf``); one configured with another ``audience`` or
  ``issuer`` (same JWKS) sees a wrong audience or issuer. Each is then a genuinely signed token
  rejected only by the claim check.
- Better still, the token moves and the verifier stays as deployed: :mod:`kit.testing.realm_keys`
  registers an extra signing key in the real realm (published in its JWKS, never used by
  Keycloak to sign), and :func:`kit.testing.bad_tokens.bad_tokens` re-signs the genuine claims
  with it, one claim wrong each time — the form to use against a running gateway or service.
- Real-world variants, where the realm is set up for them: a token from a client without the
  ``lgnet-api`` audience mapper (its ``aud`` lacks ``lgnet-api`` → rejected); a token that
  expired for real (a client with a 10 s access-token lifespan, then wait past it and the
  leeway). A token from another realm fails on its ``kid`` before its ``iss`` is read — realms do
  not share keys — so "wrong issuer" with a valid signature is only reachable through the
  verifier's configuration.

Nothing here verifies anything: these functions build inputs and never check them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from kit.auth.jwks import JWKSCache
from kit.auth.verify import TokenVerifier

__all__ = [
    "REMOVE",
    "LocalIssuer",
    "alg_none",
    "b64url",
    "claims_of",
    "generate_rsa_key",
    "header_of",
    "hs256_with_public_key",
    "public_jwk",
    "resign",
    "tamper_payload",
    "unknown_kid",
]

# Pass as a value to tamper_payload / LocalIssuer.token to drop a claim.
REMOVE: Any = object()


def b64url(data: bytes) -> str:
    """Base64url without padding, as JWS uses it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _json_part(value: Mapping[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def _parts(token: str) -> tuple[str, str, str]:
    header, payload, signature = token.split(".")
    return header, payload, signature


def header_of(token: str) -> dict[str, Any]:
    """The token's JOSE header, unverified."""
    header: dict[str, Any] = json.loads(_b64url_decode(_parts(token)[0]))
    return header


def claims_of(token: str) -> dict[str, Any]:
    """The token's claims, unverified."""
    claims: dict[str, Any] = json.loads(_b64url_decode(_parts(token)[1]))
    return claims


def _apply(claims: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(claims)
    for name, value in changes.items():
        if value is REMOVE:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def generate_rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    """A fresh RSA private key (public exponent 65537)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def public_jwk(key: rsa.RSAPrivateKey, kid: str, alg: str | None = "RS256") -> dict[str, Any]:
    """The public half of ``key`` as a JWK (``use: sig``), the way Keycloak publishes it."""
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.update(kid=kid, use="sig")
    if alg is not None:
        jwk["alg"] = alg
    return jwk


def resign(
    claims: Mapping[str, Any],
    key: rsa.RSAPrivateKey,
    kid: str,
    alg: str = "RS256",
    headers: Mapping[str, Any] | None = None,
) -> str:
    """``claims`` signed with ``key`` under ``kid`` (an asymmetric ``alg``: RS*, PS*)."""
    return jwt.encode(
        dict(claims), key, algorithm=alg, headers={"typ": "JWT", **(headers or {}), "kid": kid}
    )


def alg_none(token: str) -> str:
    """The same header (``kid`` kept) and claims with ``alg: none`` and an empty signature.

    The classic downgrade: a verifier that honours the header's ``alg`` accepts it unsigned.
    """
    header = {**header_of(token), "alg": "none"}
    return f"{_json_part(header)}.{_parts(token)[1]}."


def hs256_with_public_key(token: str, jwk: Mapping[str, Any], *, form: str = "pem") -> str:
    """The same claims, ``alg: HS256``, MAC-ed with the realm's public key as the secret.

    The key-confusion attack: a verifier that passes "the key for this kid" to a library which
    then obeys the header's ``alg`` would run HMAC with the public key — which the attacker knows.
    ``jwk`` is the realm's public JWK; its ``kid`` goes in the header. ``form`` picks the bytes
    used as secret: ``"pem"`` (SubjectPublicKeyInfo PEM, the form most libraries load),
    ``"der"``, or ``"jwk"`` (the JWK's JSON).
    """
    public = RSAAlgorithm.from_jwk(dict(jwk))
    if isinstance(public, rsa.RSAPrivateKey):
        public = public.public_key()
    if form == "pem":
        secret = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    elif form == "der":
        secret = public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    elif form == "jwk":
        secret = json.dumps(dict(jwk)).encode()
    else:
        raise ValueError(f"unknown form {form!r}")
    # PyJWT rightly refuses an asymmetric key as an HMAC secret, so the MAC is made by hand
    header = {**header_of(token), "alg": "HS256", "kid": jwk["kid"]}
    signing_input = f"{_json_part(header)}.{_parts(token)[1]}"
    mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def unknown_kid(token: str, key: rsa.RSAPrivateKey | None = None, kid: str | None = None) -> str:
    """The same claims, properly signed with a key the realm does not have, under a new ``kid``.

    Its only flaw is the key: the verifier has no key by that ``kid`` (and may refresh the JWKS
    once to be sure). ``key`` defaults to a fresh RSA key, ``kid`` to a random one.
    """
    header = header_of(token)
    alg = header.get("alg", "RS256")
    if not isinstance(alg, str) or not alg.startswith(("RS", "PS")):
        alg = "RS256"
    return resign(
        claims_of(token), key or generate_rsa_key(), kid or f"unknown-{uuid.uuid4()}", alg=alg
    )


def tamper_payload(token: str, /, **changes: Any) -> str:
    """The same header and signature over edited claims (``REMOVE`` drops a claim).

    E.g. ``tamper_payload(token, realm_access={"roles": ["coordinator"]})``: a privilege
    escalation that the signature check must catch.
    """
    header, _, signature = _parts(token)
    return f"{header}.{_json_part(_apply(claims_of(token), changes))}.{signature}"


@dataclass
class LocalIssuer:
    """A stand-in for the Keycloak realm in unit tests: a key, its endpoints, token minting.

    ``token(**changes)`` signs a Keycloak-shaped access token for a person of ``organisation``
    with ``roles``; ``changes`` override claims (``REMOVE`` drops one), e.g.
    ``token(exp=time.time() - 60)`` or ``token(aud="another-api")``.

    :meth:`transport` serves the realm's discovery document and JWKS (``published``, by default
    this issuer's key) to httpx; set ``up = False`` to take it down, read ``jwks_fetches``.
    :meth:`verifier` is a :class:`~kit.auth.TokenVerifier` trusting this issuer, for
    ``install_auth(app, issuer.verifier())`` in an app's unit tests.
    """

    issuer: str = "https://keycloak.test/realms/lgnet"
    audience: str = "lgnet-api"
    kid: str = field(default_factory=lambda: f"test-{uuid.uuid4()}")
    key: rsa.RSAPrivateKey = field(default_factory=generate_rsa_key, repr=False)
    lifetime: int = 300
    published: list[dict[str, Any]] | None = None
    up: bool = True
    jwks_fetches: int = 0

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/certs"

    def jwk(self) -> dict[str, Any]:
        """This issuer's public key as a JWK."""
        return public_jwk(self.key, self.kid)

    def jwks(self) -> dict[str, Any]:
        """The JWKS document served: ``published`` if set, else this issuer's key."""
        return {"keys": self.published if self.published is not None else [self.jwk()]}

    def transport(self) -> httpx.MockTransport:
        """An httpx transport answering the discovery and JWKS URLs like the realm."""

        def handle(request: httpx.Request) -> httpx.Response:
            if not self.up:
                raise httpx.ConnectError("connection refused", request=request)
            url = str(request.url)
            if url == f"{self.issuer}/.well-known/openid-configuration":
                return httpx.Response(200, json={"issuer": self.issuer, "jwks_uri": self.jwks_uri})
            if url == self.jwks_uri:
                self.jwks_fetches += 1
                return httpx.Response(200, json=self.jwks())
            return httpx.Response(404)

        return httpx.MockTransport(handle)

    def jwks_cache(self, **kwargs: Any) -> JWKSCache:
        """A JWKS cache fetching from :meth:`transport`; ``kwargs`` go to :class:`JWKSCache`."""
        http = httpx.AsyncClient(transport=self.transport())
        return JWKSCache(jwks_uri=self.jwks_uri, http=http, **kwargs)

    def verifier(self, *, jwks: JWKSCache | None = None, **kwargs: Any) -> TokenVerifier:
        """A verifier of this issuer's tokens (with a fresh :meth:`jwks_cache` unless given);
        ``kwargs`` go to :class:`TokenVerifier`."""
        return TokenVerifier(self.issuer, self.audience, jwks or self.jwks_cache(), **kwargs)

    def claims(
        self,
        *,
        username: str = "alice",
        client_id: str = "lgnet-web",
        organisation: str | None = "coop-aurora",
        roles: tuple[str, ...] = ("case-worker",),
        **changes: Any,
    ) -> dict[str, Any]:
        """Keycloak-shaped access-token claims, valid now; ``changes`` override them."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "exp": now + self.lifetime,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "iss": self.issuer,
            "aud": [self.audience, "account"],
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}/{username}")),
            "typ": "Bearer",
            "azp": client_id,
            "scope": "openid profile email organization",
            "realm_access": {
                "roles": [*roles, "offline_access", "uma_authorization", "default-roles-lgnet"]
            },
            "preferred_username": username,
        }
        if organisation is not None:
            claims["organization"] = [organisation]
        return _apply(claims, changes)

    def service_account_claims(self, client_id: str, **kwargs: Any) -> dict[str, Any]:
        """Claims of a client-credentials token of ``client_id``'s service account."""
        return self.claims(
            username=f"service-account-{client_id}".lower(), client_id=client_id, **kwargs
        )

    def sign(self, claims: Mapping[str, Any], alg: str = "RS256") -> str:
        """``claims`` signed with this issuer's key and ``kid``."""
        return resign(claims, self.key, self.kid, alg=alg)

    def token(self, **kwargs: Any) -> str:
        """A signed access token: ``kwargs`` as for :meth:`claims`."""
        return self.sign(self.claims(**kwargs))

    def headers(self, *roles: str, **kwargs: Any) -> dict[str, str]:
        """The ``Authorization`` header of a :meth:`token` holding ``roles``."""
        return {"Authorization": f"Bearer {self.token(roles=roles, **kwargs)}"}
