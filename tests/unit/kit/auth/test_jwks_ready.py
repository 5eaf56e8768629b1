"""``JWKSCache.ready()``: the readiness probe of the realm's keys."""

from __future__ import annotations

from kit.testing.tokens import LocalIssuer


async def test_ready_fetches_once_then_serves_cached_keys(local_issuer: LocalIssuer) -> None:
    now = [0.0]
    jwks = local_issuer.jwks_cache(
        ttl=60, min_refresh_interval=10, max_stale=100, clock=lambda: now[0]
    )
    try:
        assert await jwks.ready()
        assert await jwks.ready()
        assert local_issuer.jwks_fetches == 1

        local_issuer.up = False
        now[0] = 70  # expired, the refresh fails: stale keys still serve
        assert await jwks.ready()
        now[0] = 75  # within the refresh interval: no new attempt
        assert await jwks.ready()
        now[0] = 200  # beyond max_stale
        assert not await jwks.ready()

        local_issuer.up = True
        now[0] = 215
        assert await jwks.ready()
    finally:
        await jwks.aclose()


async def test_not_ready_when_keycloak_was_never_reached(local_issuer: LocalIssuer) -> None:
    local_issuer.up = False
    jwks = local_issuer.jwks_cache()
    try:
        assert not await jwks.ready()
    finally:
        await jwks.aclose()
