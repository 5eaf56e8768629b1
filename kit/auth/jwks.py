"""An async cache of the Keycloak realm's signing keys (its JWKS).

Every service and the gateway verify tokens locally against the realm's public keys, so the keys
must be at hand on the hot path and Keycloak must not be asked for them on every request:

- The JWKS is fetched with httpx from ``jwks_uri`` — given, or discovered once from
  ``<issuer>/.well-known/openid-configuration`` — and kept for ``ttl`` seconds.
- A token naming an unknown ``kid`` triggers a refetch (Keycloak rotated its keys), but at most one
  fetch starts per ``min_refresh_interval`` seconds, whatever the reason: forged kids cannot turn
  into a request storm against Keycloak.
- Concurrent callers needing a refresh share one fetch (coalesced); a caller that goes away
  (client disconnect) does not cancel the fetch the others are waiting for.
- When a refresh fails, the last good keys keep being served for ``max_stale`` seconds past their
  TTL, so a brief Keycloak outage does not log everybody out. With no usable keys at all,
  :class:`JWKSUnavailable` is raised: a server-side problem (503), not the caller's fault.

Only asymmetric signature keys are kept: RSA (at least 2048 bits) and EC (P-256, P-384, P-521).
Symmetric (``oct``) keys, encryption keys (``use: enc``, e.g. Keycloak's ``RSA-OAEP`` key) and keys
without a ``kid`` are dropped when the JWKS is parsed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from jwt.exceptions import InvalidKeyError

__all__ = [
    "JWKSCache",
    "JWKSUnavailable",
    "UnknownKey",
    "VerificationKey",
    "parse_jwks",
]

logger = logging.getLogger(__name__)

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

MIN_RSA_BITS = 2048
# JWS algorithms each key type may verify; a JWK's own "alg", when present, narrows it to one.
_ALGORITHMS_BY_KTY = {
    "RSA": frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}),
    "EC": frozenset({"ES256", "ES384", "ES512"}),
}
_CURVE_OF_ALG = {"ES256": "secp256r1", "ES384": "secp384r1", "ES512": "secp521r1"}


class JWKSUnavailable(Exception):
    """No usable signing keys: the JWKS was never fetched, or is stale beyond ``max_stale``."""


class UnknownKey(Exception):
    """The JWKS (fetched afresh when the rate limit allowed) has no key with this ``kid``."""


@dataclass(frozen=True, slots=True)
class VerificationKey:
    """A public signature key from the JWKS.

    ``alg`` is the algorithm the JWK declares (``None`` when it declares none); :meth:`allows`
    says whether a token signed with ``alg`` may be verified with this key.
    """

    kid: str
    kty: str
    alg: str | None
    key: PublicKey

    def allows(self, alg: str) -> bool:
        if alg not in _ALGORITHMS_BY_KTY[self.kty]:
            return False
        if self.alg is not None and alg != self.alg:
            return False
        if isinstance(self.key, ec.EllipticCurvePublicKey):
            return self.key.curve.name == _CURVE_OF_ALG[alg]
        return True


def _parse_key(jwk: Mapping[str, Any]) -> VerificationKey | None:
    kid, kty, alg = jwk.get("kid"), jwk.get("kty"), jwk.get("alg")
    if not isinstance(kid, str) or not kid or kty not in _ALGORITHMS_BY_KTY:
        return None
    if jwk.get("use", "sig") != "sig" or (alg is not None and not isinstance(alg, str)):
        return None
    if alg is not None and alg not in _ALGORITHMS_BY_KTY[kty]:
        return None
    try:
        if kty == "RSA":
            rsa_key = RSAAlgorithm.from_jwk(dict(jwk))
            public: PublicKey = (
                rsa_key.public_key() if isinstance(rsa_key, rsa.RSAPrivateKey) else rsa_key
            )
            if public.key_size < MIN_RSA_BITS:
                return None
        else:
            ec_key = ECAlgorithm.from_jwk(dict(jwk))
            public = (
                ec_key.public_key() if isinstance(ec_key, ec.EllipticCurvePrivateKey) else ec_key
            )
    except (InvalidKeyError, ValueError, TypeError, KeyError):
        return None
    return VerificationKey(kid=kid, kty=str(kty), alg=alg, key=public)


def parse_jwks(document: Any) -> dict[str, VerificationKey]:
    """The usable signature keys of a JWKS document, by ``kid``.

    Raises ``ValueError`` when the document is not a JWKS or holds no usable key.
    """
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys: dict[str, VerificationKey] = {}
    for jwk in document["keys"]:
        if isinstance(jwk, Mapping) and (key := _parse_key(jwk)) is not None:
            keys[key.kid] = key
    if not keys:
        raise ValueError("JWKS has no usable signature key")
    return keys


class JWKSCache:
    """The realm's signing keys, fetched lazily and cached; see the module docstring.

    Give ``jwks_uri``, or ``issuer`` to discover it (the discovery document's ``issuer`` must match
    exactly). Pass ``http`` to share a client (then the caller closes it); otherwise the cache owns
    one and :meth:`aclose` closes it. ``clock`` is monotonic seconds (injectable for tests).
    """

    def __init__(
        self,
        *,
        jwks_uri: str | None = None,
        issuer: str | None = None,
        http: httpx.AsyncClient | None = None,
        ttl: float = 300.0,
        min_refresh_interval: float = 10.0,
        max_stale: float = 3600.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if jwks_uri is None and issuer is None:
            raise ValueError("give jwks_uri, or issuer to discover it")
        if ttl <= 0 or min_refresh_interval < 0 or max_stale < 0:
            raise ValueError("ttl must be positive; min_refresh_interval, max_stale not negative")
        self._jwks_uri = jwks_uri
        self._issuer = issuer
        self._owns_http = http is None
        self._http = http if http is not None else httpx.AsyncClient(timeout=timeout)
        self._ttl = ttl
        self._min_refresh_interval = min_refresh_interval
        self._max_stale = max_stale
        self._clock = clock
        self._keys: dict[str, VerificationKey] | None = None
        self._fetched_at = 0.0
        self._last_attempt: float | None = None
        self._inflight: asyncio.Task[None] | None = None

    async def get(self, kid: str) -> VerificationKey:
        """The key named ``kid``, refreshing the JWKS first if it is expired or lacks ``kid``.

        Raises :class:`UnknownKey` or :class:`JWKSUnavailable`.
        """
        now = self._clock()
        keys = self._keys
        outdated = keys is None or kid not in keys or now >= self._fetched_at + self._ttl
        if outdated and self._may_refresh(now):
            await self.refresh()
        key = self._usable_keys().get(kid)
        if key is None:
            raise UnknownKey(kid)
        return key

    async def refresh(self) -> None:
        """Fetch the JWKS now, or join the fetch in flight. Never raises on fetch failure
        (the failure is logged and the previous keys stay), so check :meth:`get`'s outcome."""
        if self._inflight is None:
            self._last_attempt = self._clock()
            self._inflight = asyncio.create_task(self._fetch(), name="jwks-refresh")
        # shield: one waiter going away must not cancel the fetch the others share
        await asyncio.shield(self._inflight)

    async def ready(self) -> bool:
        """Whether usable keys are at hand, for readiness probes; never raises.

        Missing or expired keys are fetched first, within the refresh rate limit, so frequent
        probes cost Keycloak at most one request per ``min_refresh_interval``.
        """
        now = self._clock()
        expired = self._keys is None or now >= self._fetched_at + self._ttl
        if expired and self._may_refresh(now):
            await self.refresh()
        try:
            self._usable_keys()
        except JWKSUnavailable:
            return False
        return True

    async def aclose(self) -> None:
        """Cancel a fetch in flight and close the HTTP client if this cache created it."""
        if self._inflight is not None:
            self._inflight.cancel()
            self._inflight = None
        if self._owns_http:
            await self._http.aclose()

    def _may_refresh(self, now: float) -> bool:
        if self._inflight is not None:
            return True  # joining the fetch in flight costs Keycloak nothing
        return self._last_attempt is None or now - self._last_attempt >= self._min_refresh_interval

    def _usable_keys(self) -> dict[str, VerificationKey]:
        if self._keys is None:
            raise JWKSUnavailable("signing keys could not be fetched")
        if self._clock() >= self._fetched_at + self._ttl + self._max_stale:
            raise JWKSUnavailable("signing keys are stale and could not be refreshed")
        return self._keys

    async def _fetch(self) -> None:
        try:
            if self._jwks_uri is None:
                self._jwks_uri = await self._discover()
            response = await self._http.get(self._jwks_uri, headers={"Accept": "application/json"})
            response.raise_for_status()
            keys = parse_jwks(response.json())
        except Exception as exc:
            # HTTP errors, bad JSON, a JWKS without usable keys: a refresh never fails a request
            logger.warning(
                "JWKS refresh failed (%s: %s); keeping the previous keys",
                type(exc).__name__,
                exc,
            )
        else:
            if self._keys is not None and keys.keys() != self._keys.keys():
                logger.info("JWKS key ids changed: %s", sorted(keys))
            self._keys = keys
            self._fetched_at = self._clock()
        finally:
            self._inflight = None

    async def _discover(self) -> str:
        assert self._issuer is not None  # guaranteed by __init__
        url = self._issuer.rstrip("/") + "/.well-known/openid-configuration"
        response = await self._http.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict) or document.get("issuer") != self._issuer:
            raise ValueError("discovery document is for another issuer")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise ValueError("discovery document has no jwks_uri")
        return jwks_uri
