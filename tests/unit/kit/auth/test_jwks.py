"""The JWKS cache: TTL, key rotation, refresh rate limit, coalescing, stale keys, discovery."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm

from kit.auth import JWKSCache, JWKSUnavailable, UnknownKey, parse_jwks
from kit.testing.tokens import LocalIssuer, generate_rsa_key, public_jwk

ISSUER = "https://keycloak.test/realms/lgnet"
JWKS_URI = f"{ISSUER}/protocol/openid-connect/certs"
DISCOVERY_URI = f"{ISSUER}/.well-known/openid-configuration"


@dataclass
class FakeClock:
    """A monotonic clock the test moves by hand."""

    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class FakeKeycloak:
    """Serves the discovery document and the JWKS, counts requests, can be down or held."""

    jwks: dict[str, Any]
    issuer: str = ISSUER
    up: bool = True
    jwks_fetches: int = 0
    discovery_fetches: int = 0
    gate: asyncio.Event | None = None  # when set, JWKS responses wait for it
    requests: list[str] = field(default_factory=list)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.requests.append(url)
        if not self.up:
            raise httpx.ConnectError("connection refused", request=request)
        if url == DISCOVERY_URI:
            self.discovery_fetches += 1
            return httpx.Response(200, json={"issuer": self.issuer, "jwks_uri": JWKS_URI})
        if url == JWKS_URI:
            self.jwks_fetches += 1
            if self.gate is not None:
                await self.gate.wait()
            return httpx.Response(200, json=self.jwks)
        return httpx.Response(404)


@pytest.fixture
def local_issuer(realm_key: rsa.RSAPrivateKey) -> LocalIssuer:
    return LocalIssuer(issuer=ISSUER, key=realm_key, kid="realm-key-1")


@pytest.fixture
def keycloak(local_issuer: LocalIssuer) -> FakeKeycloak:
    return FakeKeycloak(jwks=local_issuer.jwks())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def http(keycloak: FakeKeycloak) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(keycloak.handle)) as client:
        yield client


@pytest.fixture
def jwks(http: httpx.AsyncClient, clock: FakeClock) -> JWKSCache:
    return JWKSCache(
        jwks_uri=JWKS_URI, http=http, ttl=300, min_refresh_interval=10, max_stale=600, clock=clock
    )


async def test_keys_are_fetched_once_and_cached_for_the_ttl(
    jwks: JWKSCache, keycloak: FakeKeycloak, clock: FakeClock, local_issuer: LocalIssuer
) -> None:
    for _ in range(5):
        assert (await jwks.get(local_issuer.kid)).kid == local_issuer.kid
        clock.advance(30)
    assert keycloak.jwks_fetches == 1


async def test_keys_are_fetched_again_after_the_ttl(
    jwks: JWKSCache, keycloak: FakeKeycloak, clock: FakeClock, local_issuer: LocalIssuer
) -> None:
    await jwks.get(local_issuer.kid)
    clock.advance(301)
    await jwks.get(local_issuer.kid)
    assert keycloak.jwks_fetches == 2


async def test_a_rotated_key_is_found_with_one_refetch(
    jwks: JWKSCache, keycloak: FakeKeycloak, clock: FakeClock, local_issuer: LocalIssuer
) -> None:
    await jwks.get(local_issuer.kid)
    clock.advance(60)  # well within the TTL
    new = LocalIssuer(issuer=ISSUER)
    keycloak.jwks = {"keys": [new.jwk(), local_issuer.jwk()]}

    assert (await jwks.get(new.kid)).kid == new.kid
    assert (await jwks.get(new.kid)).kid == new.kid
    assert keycloak.jwks_fetches == 2


async def test_forged_kids_cause_at_most_one_refetch_per_interval(
    jwks: JWKSCache, keycloak: FakeKeycloak, clock: FakeClock, local_issuer: LocalIssuer
) -> None:
    await jwks.get(local_issuer.kid)
    clock.advance(60)
    for _ in range(100):
        with pytest.raises(UnknownKey):
            await jwks.get(f"forged-{uuid.uuid4()}")
        clock.advance(0.05)  # 100 attempts over 5 s
    assert keycloak.jwks_fetches == 2

    clock.advance(10)  # the interval has passed: one more fetch is allowed
    for _ in range(10):
        with pytest.raises(UnknownKey):
            await jwks.get(f"forged-{uuid.uuid4()}")
    assert keycloak.jwks_fetches == 3
    # the genuine key is still served throughout
    assert (await jwks.get(local_issuer.kid)).kid == local_issuer.kid


async def test_concurrent_callers_share_one_fetch(
    jwks: JWKSCache, keycloak: FakeKeycloak, local_issuer: LocalIssuer
) -> None:
    keycloak.gate = asyncio.Event()
    callers = [asyncio.create_task(jwks.get(local_issuer.kid)) for _ in range(50)]
    await asyncio.sleep(0.01)
    keycloak.gate.set()
    keys = await asyncio.gather(*callers)
    assert {key.kid for key in keys} == {local_issuer.kid}
    assert keycloak.jwks_fetches == 1


async def test_a_caller_going_away_does_not_cancel_the_shared_fetch(
    jwks: JWKSCache, keycloak: FakeKeycloak, local_issuer: LocalIssuer
) -> None:
    keycloak.gate = asyncio.Event()
    leaving = asyncio.create_task(jwks.get(local_issuer.kid))
    staying = asyncio.create_task(jwks.get(local_issuer.kid))
    await asyncio.sleep(0.01)
    leaving.cancel()
    keycloak.gate.set()
    assert (await staying).kid == local_issuer.kid
    assert keycloak.jwks_fetches == 1


async def test_stale_keys_are_served_while_keycloak_is_down_then_refused(
    jwks: JWKSCache, keycloak: FakeKeycloak, clock: FakeClock, local_issuer: LocalIssuer
) -> None:
    await jwks.get(local_issuer.kid)
    keycloak.up = False
    clock.advance(301)  # TTL over, refresh fails: stale keys still serve
    assert (await jwks.get(local_issuer.kid)).kid == local_issuer.kid
    clock.advance(5)  # within the refresh interval: Keycloak is not asked again
    assert (await jwks.get(local_issuer.kid)).kid == local_issuer.kid
    attempts = len(keycloak.requests)
    assert attempts == 2

    clock.advance(600)  # past TTL + max_stale
    with pytest.raises(JWKSUnavailable):
        await jwks.get(local_issuer.kid)

    keycloak.up = True
    clock.advance(10)
    assert (await jwks.get(local_issuer.kid)).kid == local_issuer.kid


async def test_no_keys_and_keycloak_down_is_unavailable_without_hammering_it(
    jwks: JWKSCache, keycloak: FakeKeycloak, clock: FakeClock, local_issuer: LocalIssuer
) -> None:
    keycloak.up = False
    for _ in range(20):
        with pytest.raises(JWKSUnavailable):
            await jwks.get(local_issuer.kid)
    assert len(keycloak.requests) == 1
    keycloak.up = True
    clock.advance(10)
    assert (await jwks.get(local_issuer.kid)).kid == local_issuer.kid


async def test_a_broken_jwks_response_keeps_the_previous_keys(
    jwks: JWKSCache, keycloak: FakeKeycloak, clock: FakeClock, local_issuer: LocalIssuer
) -> None:
    await jwks.get(local_issuer.kid)
    keycloak.jwks = {"keys": []}
    clock.advance(301)
    assert (await jwks.get(local_issuer.kid)).kid == local_issuer.kid
    assert keycloak.jwks_fetches == 2


async def test_jwks_uri_is_discovered_from_the_issuer(
    http: httpx.AsyncClient, keycloak: FakeKeycloak, clock: FakeClock, local_issuer: LocalIssuer
) -> None:
    cache = JWKSCache(issuer=ISSUER, http=http, clock=clock)
    await cache.get(local_issuer.kid)
    clock.advance(301)
    await cache.get(local_issuer.kid)
    assert keycloak.discovery_fetches == 1
    assert keycloak.jwks_fetches == 2
    assert keycloak.requests[1] == JWKS_URI


async def test_a_discovery_document_of_another_issuer_is_refused(
    http: httpx.AsyncClient, keycloak: FakeKeycloak, clock: FakeClock, local_issuer: LocalIssuer
) -> None:
    keycloak.issuer = "https://evil.test/realms/lgnet"
    cache = JWKSCache(issuer=ISSUER, http=http, clock=clock)
    with pytest.raises(JWKSUnavailable):
        await cache.get(local_issuer.kid)
    assert keycloak.jwks_fetches == 0


async def test_an_owned_http_client_is_closed() -> None:
    cache = JWKSCache(jwks_uri=JWKS_URI)
    await cache.aclose()
    assert cache._http.is_closed


def test_parse_jwks_keeps_only_asymmetric_signature_keys() -> None:
    rsa_key = generate_rsa_key()
    ec_jwk = ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key(), as_dict=True)
    document = {
        "keys": [
            public_jwk(rsa_key, "rsa-sig"),
            {**public_jwk(rsa_key, "rsa-enc", alg="RSA-OAEP"), "use": "enc"},  # Keycloak's enc key
            {**public_jwk(rsa_key, "rsa-hs", alg="HS256")},  # an RSA key claiming an HMAC alg
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0", "alg": "HS256"},
            {**public_jwk(rsa_key, "x"), "kid": ""},
            public_jwk(generate_rsa_key(1024), "rsa-small"),
            {**ec_jwk, "kid": "ec-sig"},
            {"kty": "RSA", "kid": "broken", "n": "AQAB"},
            "not a key",
        ]
    }
    assert set(parse_jwks(document)) == {"rsa-sig", "ec-sig"}


@pytest.mark.parametrize("document", [{"keys": []}, {"nokeys": 1}, [], {"keys": ["x"]}])
def test_parse_jwks_refuses_documents_without_usable_keys(document: object) -> None:
    with pytest.raises(ValueError, match="JWKS"):
        parse_jwks(document)


def test_a_key_verifies_only_the_algorithms_it_may() -> None:
    rsa_key = generate_rsa_key()
    declared = parse_jwks({"keys": [public_jwk(rsa_key, "k", alg="RS256")]})["k"]
    undeclared = parse_jwks({"keys": [public_jwk(rsa_key, "k", alg=None)]})["k"]
    p256 = ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key(), as_dict=True)
    ec_key = parse_jwks({"keys": [{**p256, "kid": "e"}]})["e"]

    assert declared.allows("RS256")
    assert not declared.allows("PS256")
    assert undeclared.allows("PS256")
    assert not undeclared.allows("ES256")
    assert ec_key.allows("ES256")
    assert not ec_key.allows("ES384")
    assert not ec_key.allows("RS256")
