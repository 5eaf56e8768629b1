"""Throw-away upstream services for the gateway's tests: they answer with what they received.

Shared by the unit tests (through :class:`UpstreamsTransport`, in :class:`Harness`) and the
integration tests (under uvicorn, :func:`kit.testing.apps.serve_http`). An upstream serves
``/healthz``, ``/readyz``, ``/openapi.json`` and echoes every other request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic_settings import BaseSettings

from kit.testing.tokens import LocalIssuer

SERVICES = ("intake", "casework", "housing", "events", "observatory")
"""The services behind the gateway, one upstream each."""


@dataclass
class Received:
    """What an upstream received, for assertions."""

    method: str
    path: str
    raw_path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = [v for n, v in self.headers if n == name.lower()]
        return values[0] if values else None

    def has_header(self, name: str) -> bool:
        return any(n == name.lower() for n, _ in self.headers)


@dataclass
class FakeUpstream:
    """The app and what it received; ``ready`` and ``openapi`` shape its answers."""

    name: str
    ready: bool = True
    openapi: dict[str, Any] | None = None
    received: list[Received] = field(default_factory=list)

    @property
    def last(self) -> Received:
        return self.received[-1]

    def app(self) -> FastAPI:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

        @app.get("/healthz")
        async def healthz() -> dict[str, str]:
            return {"status": "ok"}

        @app.get("/readyz")
        async def readyz() -> Response:
            status = 200 if self.ready else 503
            return JSONResponse({"ready": self.ready}, status_code=status)

        @app.get("/openapi.json")
        async def openapi() -> Response:
            if self.openapi is None:
                return JSONResponse({"detail": "no document"}, status_code=404)
            return JSONResponse(self.openapi)

        @app.api_route(
            "/{path:path}", methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
        )
        async def echo(request: Request) -> Response:
            body = await request.body()
            received = Received(
                method=request.method,
                path=request.url.path,
                raw_path=request.scope["raw_path"].decode("latin-1"),
                query=request.scope["query_string"].decode("latin-1"),
                headers=[(n.lower(), v) for n, v in request.headers.items()],
                body=body,
            )
            self.received.append(received)
            if request.url.path.endswith("/slow"):
                await asyncio.sleep(float(request.query_params.get("seconds", "5")))
            status = int(request.query_params.get("status", "200"))
            response = JSONResponse(
                {
                    "service": self.name,
                    "method": received.method,
                    "path": received.path,
                    "query": received.query,
                    "body_bytes": len(body),
                },
                status_code=status,
            )
            # headers the gateway must not pass back: hop-by-hop, and those it owns
            response.headers["X-Internal-Hop"] = "secret"
            response.headers["Connection"] = "X-Internal-Hop"
            response.headers["Proxy-Authenticate"] = "Basic"
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["ETag"] = '"v1"'
            response.headers.append("Link", '</v1/next>; rel="next"')
            response.headers.append("Link", '</v1/prev>; rel="prev"')
            return response

        return app


def openapi_doc(service: str, prefix: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A small OpenAPI 3.1 document as FastAPI makes them: one public path, ``/healthz``,
    a ``Thing`` schema (``schema``), the kit's ``Problem``, a bearer scheme."""
    return {
        "openapi": "3.1.0",
        "info": {"title": service, "version": "0.1.0"},
        "paths": {
            f"{prefix}/things": {
                "get": {
                    "operationId": f"{service}_list_things",
                    "tags": [service],
                    "security": [{"HTTPBearer": []}],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Page"}
                                }
                            },
                        },
                        "404": {
                            "description": "Not Found",
                            "content": {
                                "application/problem+json": {
                                    "schema": {"$ref": "#/components/schemas/Problem"}
                                }
                            },
                        },
                    },
                }
            },
            "/healthz": {"get": {"responses": {"200": {"description": "OK"}}}},
        },
        "components": {
            "schemas": {
                "Thing": schema,
                "Page": {
                    "type": "object",
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
                    },
                },
                "Problem": {
                    "type": "object",
                    "properties": {"type": {"type": "string"}, "title": {"type": "string"}},
                },
            },
            "securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}},
        },
        "tags": [{"name": service}],
    }


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
    settings: BaseSettings
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, *roles: str, username: str = "alice", client_id: str = "lgnet-web") -> str:
        return self.issuer.token(roles=roles, username=username, client_id=client_id)

    def auth(self, *roles: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*roles, **kwargs)}"}


GatewayFactory = Callable[..., AbstractAsyncContextManager[Harness]]
"""``async with make_gateway(rate_limit_burst=2) as gw:`` — an in-process gateway (unit tests)."""
RunGateway = Callable[..., AbstractContextManager[str]]
"""``with run_gateway(rate_limit_burst=3) as url:`` — a gateway under uvicorn (integration)."""


CORS_PREFLIGHT = {
    "Origin": "http://localhost:5173",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
}
"""The preflight the web front end's dev server sends before a POST with a token."""


def assert_preflight_allowed(response: httpx.Response) -> None:
    """The gateway allowed :data:`CORS_PREFLIGHT`: its origin, POST and every header asked."""
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == CORS_PREFLIGHT["Origin"]
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    asked = CORS_PREFLIGHT["Access-Control-Request-Headers"].split(",")
    assert {h.strip() for h in asked} <= {h.strip() for h in allowed.split(",")}
