"""The gateway under uvicorn in front of throw-away upstreams, trusting the real Keycloak realm
(the session's ``realm`` fixture gives its demo users' tokens)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from deploy.local.keycloak import API_AUDIENCE
from deploy.local.stack import Stack
from gateway.app import create_app
from gateway.settings import GatewaySettings
from kit.settings import CommonSettings
from kit.testing.apps import serve_http
from kit.testing.realm_keys import (
    TestSigningKey,
    register_test_signing_key,
    remove_test_signing_key,
)
from kit.testing.upstream import SERVICES, FakeUpstream, RunGateway


@pytest.fixture(scope="module")
def test_key(stack: Stack) -> Iterator[TestSigningKey]:
    """An extra signing key the realm trusts but does not sign with (see kit.testing.realm_keys).

    Registered before any gateway of the module starts, so that the gateway's first JWKS fetch
    already holds it."""
    admin = stack.keycloak.admin()
    key = register_test_signing_key(admin)
    try:
        yield key
    finally:
        remove_test_signing_key(admin, key)


@pytest.fixture(scope="module")
def upstream() -> Iterator[tuple[FakeUpstream, str]]:
    """One echoing upstream serving as every service."""
    fake = FakeUpstream("echo")
    with serve_http(fake.app()) as url:
        yield fake, url


@pytest.fixture(scope="module")
def run_gateway(stack: Stack, upstream: tuple[FakeUpstream, str]) -> RunGateway:
    """``with run_gateway(rate_limit_burst=3) as url:`` — a gateway under uvicorn trusting the
    realm; every service is the echo upstream unless overridden."""

    @contextmanager
    def start(**overrides: Any) -> Iterator[str]:
        values: dict[str, Any] = {f"upstream_{name}": upstream[1] for name in SERVICES}
        values["json_logs"] = False
        settings = GatewaySettings(
            **(values | overrides),
            common=CommonSettings(keycloak_issuer=stack.issuer, keycloak_audience=API_AUDIENCE),
        )
        with serve_http(create_app(settings)) as url:
            yield url

    return start
