"""The gateway in-process, in front of fake upstreams, trusting a local issuer (no servers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway.app import create_app
from gateway.settings import GatewaySettings
from kit.settings import CommonSettings
from kit.testing.tokens import LocalIssuer, generate_rsa_key
from tests.unit.gateway.fake_upstream import FakeUpstream

SERVICES = ("intake", "casework", "housing", "events", "observatory")


class UpstreamsTransport(httpx.AsyncBaseTransport):
    """Sends ``http://<service>.test`` to that fake upstream's app; a service in ``failures``
    raises that error instead (connection refused, timeout…)."""

    def __init__(self, upstreams: dict[str, FakeUpstream]) -> None:
        self.upstreams = upstreams
        self.transports = {
            name: httpx.ASGITransport(app=upstream.app()) for name, upstream in upstreams.items()
        }
        self.failures: dict[str, type[httpx.TransportError]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        service = request.url.host.removesuffix(".test")
        if service in self.failures:
            raise self.failures[service]("simulated", request=request)
        if service not in self.transports:
            raise httpx.ConnectError("no such host", request=request)
        return await self.transports[service].handle_async_request(request)


@dataclass
class Harness:
    """A running gateway app with a client, its fake upstreams, issuer and recorded spans."""

    client: httpx.AsyncClient
    upstreams: dict[str, FakeUpstream]
    transport: UpstreamsTransport
    issuer: LocalIssuer
    spans: InMemorySpanExporter
    settings: GatewaySettings
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, *roles: str, username: str = "alice", client_id: str = "lgnet-web") -> str:
        return self.issuer.token(roles=roles, username=username, client_id=client_id)

    def auth(self, *roles: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*roles, **kwargs)}"}


@pytest.fixture(scope="session")
def realm_key() -> rsa.RSAPrivateKey:
    return generate_rsa_key()


@pytest.fixture
def local_issuer(realm_key: rsa.RSAPrivateKey) -> LocalIssuer:
    return LocalIssuer(key=realm_key, kid="realm-key-1")


GatewayFactory = Callable[..., AbstractAsyncContextManager[Harness]]


@pytest.fixture
def make_gateway(local_issuer: LocalIssuer) -> GatewayFactory:
    """``async with make_gateway(rate_limit_burst=2) as gw:`` — settings overrides as keywords
    (``common=`` for the shared ones)."""

    @asynccontextmanager
    async def factory(**overrides: Any) -> AsyncIterator[Harness]:
        common = overrides.pop("common", {})
        values: dict[str, Any] = {f"upstream_{name}": f"http://{name}.test" for name in SERVICES}
        values["json_logs"] = False
        settings = GatewaySettings(
            **(values | overrides),
            common=CommonSettings(keycloak_issuer=local_issuer.issuer, **common),
        )
        upstreams = {name: FakeUpstream(name) for name in SERVICES}
        transport = UpstreamsTransport(upstreams)
        spans = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(spans))
        app = create_app(
            settings,
            verifier=local_issuer.verifier(),
            transport=transport,
            tracer_provider=provider,
        )
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 51000)),
                base_url="http://gateway.test",
            ) as client,
        ):
            yield Harness(client, upstreams, transport, local_issuer, spans, settings)

    return factory


@pytest.fixture
async def gw(make_gateway: GatewayFactory) -> AsyncIterator[Harness]:
    async with make_gateway() as harness:
        yield harness
