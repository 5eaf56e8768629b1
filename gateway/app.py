"""The gateway: LGNet's one door (docs/architecture.md §2).

    uvicorn gateway.app:app --port 8000        # settings from LGNET_GATEWAY_* and LGNET_*

Endpoints of its own: ``/healthz`` (alive), ``/readyz`` (realm keys at hand and every service
ready), ``/metrics`` (Prometheus), ``/openapi.json`` (the services' documents merged) and
``/docs`` (Swagger UI on it, its assets under ``/docs/assets`` served by the gateway itself).
Everything else is proxied by :mod:`gateway.proxy` under the route
table of :mod:`gateway.routes`.

Around every request, outermost first: request id (``X-Request-ID`` accepted when sane, else
made; echoed and forwarded), a SERVER span (continuing the caller's ``traceparent``) with the
request's metrics and one access-log line, CORS, and the body-size limit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.responses import Response
from starlette.types import Scope

from gateway.openapi import OpenAPIAggregator
from gateway.proxy import Proxy
from gateway.ratelimit import TokenBucketLimiter
from gateway.settings import GatewaySettings
from kit.auth import JWKSCache, TokenVerifier, install_auth
from kit.errors import NotReady
from kit.heap import freeze_long_lived
from kit.http import TelemetryMiddleware
from kit.limits import RequestLimitsMiddleware
from kit.logs import RequestIdMiddleware, configure_logging
from kit.openapi import DOCS_ASSETS_PATH, install_docs
from kit.problems import install_problem_handlers
from kit.telemetry import configure_tracing

__all__ = ["Gateway", "app", "create_app"]

logger = logging.getLogger("gateway.access")

OWN_ENDPOINTS = (
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
)
CORS_REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept",
    "Accept-Language",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
    "X-Request-ID",
    "traceparent",
    "tracestate",
)
CORS_EXPOSED_HEADERS = (
    "ETag",
    "Location",
    "Link",
    "Retry-After",
    "WWW-Authenticate",
    "X-Request-ID",
)


@dataclass
class Gateway:
    """What the running gateway holds: settled in the lifespan, read by handlers and middleware."""

    settings: GatewaySettings
    tracer: trace.Tracer
    verifier: TokenVerifier | None = None
    proxy: Proxy | None = None
    openapi: OpenAPIAggregator | None = None
    http: httpx.AsyncClient | None = field(default=None, repr=False)

    def running(self) -> tuple[Proxy, OpenAPIAggregator, TokenVerifier, httpx.AsyncClient]:
        if self.proxy is None or self.openapi is None or self.verifier is None or self.http is None:
            raise RuntimeError("the gateway's lifespan has not started")
        return self.proxy, self.openapi, self.verifier, self.http


def _tracer_provider(settings: GatewaySettings) -> trace.TracerProvider:
    """The process's SDK provider when one is configured (OTLP export), else a private one.

    A private SDK provider without exporter still makes real trace and span ids, so the
    ``traceparent`` sent to the services and the trace ids in logs and problems are real, and the
    process-wide provider is left for whoever configures export.
    """
    configure_tracing("gateway", settings.common.otlp_endpoint)
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    return TracerProvider(resource=Resource.create({"service.name": "lgnet-gateway"}))


def _route_label(scope: Scope) -> str:
    """The ``route`` of a request's metrics, span and access line: the service it was proxied
    to (set by the proxy), one of the gateway's own endpoints, or ``unmatched``."""
    state = scope.get("state") or {}
    path: str = scope["path"]
    if path.startswith(f"{DOCS_ASSETS_PATH}/"):
        return DOCS_ASSETS_PATH
    return state.get("route") or (path if path in OWN_ENDPOINTS else "unmatched")


def create_app(
    settings: GatewaySettings | None = None,
    *,
    verifier: TokenVerifier | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    tracer_provider: trace.TracerProvider | None = None,
) -> FastAPI:
    """The gateway app. Tests may inject a ``verifier`` (e.g. a local issuer's), an httpx
    ``transport`` to reach fake upstreams, and a ``tracer_provider`` to record spans."""
    settings = settings or GatewaySettings()
    gateway = Gateway(
        settings=settings,
        tracer=(tracer_provider or trace.NoOpTracerProvider()).get_tracer("lgnet.gateway"),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.json_logs:
            configure_logging("gateway", settings.common.log_level)
            # both log URLs with their query strings, which may hold names (?name=…): our own
            # access line (path only) replaces them
            logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
            logging.getLogger("httpx").setLevel(logging.WARNING)
        if tracer_provider is None:
            gateway.tracer = _tracer_provider(settings).get_tracer("lgnet.gateway")
        common = settings.common
        own_verifier = verifier is None
        gateway.verifier = verifier or TokenVerifier(
            common.keycloak_issuer,
            common.keycloak_audience,
            JWKSCache(issuer=common.keycloak_issuer, ttl=settings.jwks_ttl_seconds),
        )
        install_auth(app, gateway.verifier)
        gateway.http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(
                settings.upstream_timeout_seconds, connect=settings.upstream_connect_timeout_seconds
            ),
            limits=httpx.Limits(
                max_connections=settings.upstream_max_connections,
                max_keepalive_connections=settings.upstream_max_connections // 4 or 1,
            ),
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment between us and the services
        )
        upstreams = settings.upstreams()
        gateway.proxy = Proxy(
            http=gateway.http,
            upstreams=upstreams,
            verifier=gateway.verifier,
            limiter=TokenBucketLimiter(
                settings.rate_limit_per_second,
                settings.rate_limit_burst,
                max_clients=settings.rate_limit_max_clients,
            ),
            anonymous_limiter=TokenBucketLimiter(
                settings.anonymous_rate_limit_per_second,
                settings.anonymous_rate_limit_burst,
                max_clients=settings.anonymous_rate_limit_max_clients,
            ),
            tracer=gateway.tracer,
            trust_forwarded_headers=settings.trust_forwarded_headers,
        )
        gateway.openapi = OpenAPIAggregator(
            gateway.http,
            upstreams,
            issuer=common.keycloak_issuer,
            ttl=settings.openapi_ttl_seconds,
            timeout=settings.probe_timeout_seconds,
        )
        await gateway.verifier.jwks.refresh()  # warm the keys; never raises
        freeze_long_lived()  # start-up's objects, out of the full collections' walk
        try:
            yield
        finally:
            await gateway.http.aclose()
            if own_verifier:
                await gateway.verifier.jwks.aclose()

    app = FastAPI(
        title="LGNet gateway",
        lifespan=lifespan,
        openapi_url=None,  # /openapi.json is the merged document, served below
        docs_url=None,
        redoc_url=None,
    )
    app.state.gateway = gateway
    install_problem_handlers(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> dict[str, Any]:
        _, _, token_verifier, http = gateway.running()
        upstreams = settings.upstreams()

        async def probe(url: str) -> str:
            try:
                response = await http.get(f"{url}/readyz", timeout=settings.probe_timeout_seconds)
            except httpx.TimeoutException:
                return "timed out"
            except httpx.HTTPError:
                return "unreachable"
            return "ok" if response.is_success else f"HTTP {response.status_code}"

        results = await asyncio.gather(
            token_verifier.jwks.ready(), *(probe(url) for url in upstreams.values())
        )
        checks: dict[str, str] = {"jwks": "ok" if results[0] else "unavailable"}
        checks.update(zip(upstreams, (str(r) for r in results[1:]), strict=True))
        failing = sorted(name for name, outcome in checks.items() if outcome != "ok")
        if failing:
            raise NotReady(
                f"Not ready: {', '.join(failing)}.",
                extensions={"checks": checks, "failing": failing},
                headers={"Retry-After": "5"},
            )
        return {"status": "ready", "checks": checks}

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        _, aggregator, _, _ = gateway.running()
        return JSONResponse(await aggregator.document())

    install_docs(
        app,
        title="LGNet API",
        swagger_ui_parameters={"persistAuthorization": False, "displayRequestDuration": True},
        redoc=False,
    )

    @app.api_route("/{path:path}", methods=list(Proxy.methods), include_in_schema=False)
    async def proxied(request: Request) -> Response:
        proxy, _, _, _ = gateway.running()
        return await proxy.handle(request)

    # Added innermost first: the body limit runs last, the request id first.
    app.add_middleware(
        RequestLimitsMiddleware,
        max_body_bytes=settings.common.max_body_bytes,
        max_batch_body_bytes=settings.common.max_batch_body_bytes,
        non_json_paths=("/",),  # media types are the services' business
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=list(Proxy.methods),
        allow_headers=list(CORS_REQUEST_HEADERS),
        expose_headers=list(CORS_EXPOSED_HEADERS),
        allow_credentials=False,  # bearer tokens, no cookies
        max_age=settings.cors_max_age_seconds,
    )
    app.add_middleware(
        TelemetryMiddleware,
        route_label=_route_label,
        tracer=lambda: gateway.tracer,  # settled in the lifespan
        untraced=(),  # the gateway's own endpoints are counted too, as before
        access_log=logger,
    )
    app.add_middleware(RequestIdMiddleware)
    return app


app = create_app()
"""The app for ``uvicorn gateway.app:app`` (settings from the environment)."""
