"""Verification of Keycloak access tokens (JWS-signed JWTs) against the realm's JWKS.

What a token must pass, in order (the first failure raises :class:`InvalidToken`):

1. It is a compact JWS of sane size whose header names an ``alg`` from the verifier's allow-list
   and a ``kid``. The allow-list can only hold asymmetric algorithms: ``none`` and every HMAC
   algorithm are refused before any key is looked at, so a token "signed" with the realm's public
   key as an HS256 secret never reaches a MAC check.
2. The key is the JWKS key named by ``kid`` (never a key carried by the token: ``jwk``, ``jku``,
   ``x5u``, ``x5c`` headers are ignored), and that key may verify that ``alg`` (an RSA key never
   verifies ES256, a key declaring RS256 never verifies PS256, an EC key only its own curve).
   PyJWT is handed the public key *object* and the single algorithm, so it cannot pick another.
3. The signature is valid.
4. Claims: ``iss`` equals the issuer exactly; ``aud`` (string or list) contains the audience;
   ``exp`` is in the future, ``nbf`` (if present) and ``iat`` are not in the future, each within
   ``leeway`` (at most :data:`MAX_LEEWAY`); the required claims are present; ``typ`` is
   ``Bearer`` (Keycloak's ID, refresh and logout tokens carry other types).

A token that passed is remembered (`VERIFIED_CACHE_SIZE`, by its exact text): the next
request carrying it skips steps 1–4 but the time checks, as long as the JWKS still holds the
very key that verified it.

Time checks are done here against an injectable ``clock`` (not PyJWT's), so the integration tests
can prove that a *genuine* Keycloak token is rejected once expired or before it is valid.

The reason carried by :class:`InvalidToken` is a fixed, safe phrase — it never echoes the token or
its claims — and may be sent to the client.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from jwt.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidKeyError,
    InvalidSignatureError,
    MissingRequiredClaimError,
    PyJWTError,
)

from kit.auth.jwks import JWKSCache, JWKSUnavailable, UnknownKey, VerificationKey

__all__ = [
    "ASYMMETRIC_ALGORITHMS",
    "DEFAULT_ALGORITHMS",
    "MAX_LEEWAY",
    "InvalidToken",
    "JWKSUnavailable",
    "TokenVerifier",
]

# The only algorithms a verifier can be configured with: signatures checked with a public key.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
DEFAULT_ALGORITHMS = ("RS256", "PS256", "ES256")
MAX_LEEWAY = timedelta(seconds=30)
DEFAULT_LEEWAY = timedelta(seconds=10)
DEFAULT_REQUIRED_CLAIMS = ("iss", "aud", "exp", "iat", "sub")
# Far above any Keycloak access token (a few KiB even with many roles), far below abuse.
MAX_TOKEN_LENGTH = 16 * 1024


class InvalidToken(Exception):
    """The bearer token is not acceptable; ``reason`` is safe to show the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _reason(error: PyJWTError) -> str:
    if isinstance(error, MissingRequiredClaimError):
        return f"token lacks the {error.claim!r} claim"
    if isinstance(error, InvalidAudienceError):
        return "token is not for this audience"
    if isinstance(error, InvalidIssuerError):
        return "token is from another issuer"
    if isinstance(error, InvalidSignatureError):
        return "token signature is invalid"
    if isinstance(error, InvalidAlgorithmError | InvalidKeyError):
        return "token signing key or algorithm is not acceptable"
    if isinstance(error, DecodeError):
        return "token is malformed"
    return "token is invalid"


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    # bool is an int, and PyJWT would take "123"; a NumericDate is a JSON number, nothing else
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f"token {name!r} claim is not a number")
    return float(value)


VERIFIED_CACHE_SIZE = 1024
"""How many verified tokens a verifier remembers (least recently used out): a client sends
the same token with every request until it expires, and checking its RSA signature and
claims again cost each request 0.7 ms."""


@dataclass(frozen=True)
class _Verified:
    claims: dict[str, Any]
    kid: str
    key: VerificationKey


class TokenVerifier:
    """Verifies bearer tokens issued by ``issuer`` for ``audience``; see the module docstring.

    ``leeway`` (seconds or a timedelta, at most 30 s) absorbs clock skew between Keycloak and us.
    ``clock`` returns the current Unix time; tests inject one to move a verifier in time.
    ``token_type`` is the required ``typ`` claim (``None`` to skip the check).
    """

    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks: JWKSCache,
        algorithms: Iterable[str] = DEFAULT_ALGORITHMS,
        leeway: float | timedelta = DEFAULT_LEEWAY,
        *,
        required_claims: Iterable[str] = DEFAULT_REQUIRED_CLAIMS,
        token_type: str | None = "Bearer",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not issuer or not audience:
            raise ValueError("issuer and audience are required")
        self.algorithms = frozenset(algorithms)
        if not self.algorithms:
            raise ValueError("at least one algorithm is required")
        if not self.algorithms <= ASYMMETRIC_ALGORITHMS:
            refused = ", ".join(sorted(self.algorithms - ASYMMETRIC_ALGORITHMS))
            raise ValueError(f"only asymmetric signature algorithms are allowed, not {refused}")
        seconds = leeway.total_seconds() if isinstance(leeway, timedelta) else float(leeway)
        if not 0 <= seconds <= MAX_LEEWAY.total_seconds():
            raise ValueError(f"leeway must be between 0 and {MAX_LEEWAY.total_seconds():g} s")
        self.issuer = issuer
        self.audience = audience
        self.jwks = jwks
        self.leeway = seconds
        self.required_claims = tuple(dict.fromkeys(("exp", "iat", *required_claims)))
        self.token_type = token_type
        self._clock = clock
        self._verified: OrderedDict[str, _Verified] = OrderedDict()

    async def verify(self, token: str) -> dict[str, Any]:
        """The token's claims once every check passed; otherwise raises :class:`InvalidToken`.

        Raises :class:`JWKSUnavailable` when no signing keys can be had (a server-side problem).
        """
        if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
            raise InvalidToken("token is malformed")
        known = self._verified.get(token)
        if known is not None:
            # the same token again: its signature and claims were checked with this very key,
            # which the JWKS still holds under its kid; only the clock has moved
            try:
                key = await self.jwks.get(known.kid)
            except UnknownKey:
                del self._verified[token]
                raise InvalidToken("token signing key is unknown") from None
            if key is known.key:
                self._check_times(known.claims)
                self._verified.move_to_end(token)
                return dict(known.claims)
            del self._verified[token]
        claims, kid, key = await self._verify(token)
        self._verified[token] = _Verified(claims=claims, kid=kid, key=key)
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return dict(claims)

    async def _verify(self, token: str) -> tuple[dict[str, Any], str, VerificationKey]:
        try:
            header = jwt.get_unverified_header(token)
        except PyJWTError:
            raise InvalidToken("token is malformed") from None
        alg, kid = header.get("alg"), header.get("kid")
        if not isinstance(alg, str) or alg not in self.algorithms:
            raise InvalidToken("token signing algorithm is not allowed")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("token names no signing key")
        try:
            key = await self.jwks.get(kid)
        except UnknownKey:
            raise InvalidToken("token signing key is unknown") from None
        if not key.allows(alg):
            raise InvalidToken("token signing key or algorithm is not acceptable")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                issuer=self.issuer,
                audience=self.audience,
                options={
                    "require": list(self.required_claims),
                    # time claims are checked below, against our clock
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "enforce_minimum_key_length": True,
                },
            )
        except PyJWTError as error:
            raise InvalidToken(_reason(error)) from None
        self._check_times(claims)
        if self.token_type is not None and claims.get("typ") != self.token_type:
            raise InvalidToken("token is not an access token")
        return claims, kid, key

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        now = self._clock()
        exp = _numeric_date(claims, "exp")
        if exp is not None and exp <= now - self.leeway:
            raise InvalidToken("token has expired")
        for name in ("nbf", "iat"):
            moment = _numeric_date(claims, name)
            if moment is not None and moment > now + self.leeway:
                raise InvalidToken("token is not yet valid")
