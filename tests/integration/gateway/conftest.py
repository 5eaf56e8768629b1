"""The gateway under uvicorn in front of throw-away upstreams, trusting the real Keycloak realm."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp

from deploy.local.keycloak import API_AUDIENCE
from deploy.local.stack import Stack
from gateway.app import create_app
from gateway.settings import GatewaySettings
from kit.settings import CommonSettings
from kit.testing.realm_keys import (
    TestSigningKey,
    register_test_signing_key,
    remove_test_signing_key,
)
from tests.unit.gateway.fake_upstream import FakeUpstream

DEMO_PASSWORD = "lgnet-demo"  # local-only demo password (deploy/keycloak/README.md)
SERVICES = ("intake", "casework", "housing", "events", "observatory")


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """``app`` under uvicorn on a free loopback port, in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@dataclass
class Realm:
    """The real realm of the test stack: tokens of its demo accounts, its JWKS."""

    issuer: str

    def _token(self, **form: str) -> str:
        response = httpx.post(f"{self.issuer}/protocol/openid-connect/token", data=form)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def token(self, username: str) -> str:
        """LOCAL ONLY: the password grant of the dev/test client ``lgnet-cli``."""
        return self._token(
            grant_type="password", client_id="lgnet-cli", username=username, password=DEMO_PASSWORD
        )

    def system_token(self, client_id: str, secret: str) -> str:
        """A partner system's client-credentials token."""
        return self._token(
            grant_type="client_credentials", client_id=client_id, client_secret=secret
        )

    def jwks(self) -> dict[str, Any]:
        response = httpx.get(f"{self.issuer}/protocol/openid-connect/certs")
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document


@pytest.fixture(scope="module")
def realm(stack: Stack) -> Realm:
    return Realm(stack.issuer)


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
    with serve(fake.app()) as url:
        yield fake, url


RunGateway = Callable[..., AbstractContextManager[str]]


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
        with serve(create_app(settings)) as url:
            yield url

    return start
