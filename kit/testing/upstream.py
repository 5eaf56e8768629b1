"""A throw-away upstream service for the gateway's tests: it answers with what it received.

Shared by the unit tests (through an httpx transport) and the integration tests (under
uvicorn). It serves ``/healthz``, ``/readyz``, ``/openapi.json`` and echoes every other request.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response


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
