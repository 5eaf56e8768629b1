"""The gateway in-process, in front of fake upstreams, trusting a local issuer (no servers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway.app import create_app
from gateway.settings import GatewaySettings
from kit.settings import CommonSettings
from kit.testing.tokens import LocalIssuer
from kit.testing.upstream import (
    SERVICES,
    FakeUpstream,
    GatewayFactory,
    Harness,
    UpstreamsTransport,
)


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
