"""ASGI middleware every LGNet app runs: a server span per request and request metrics.

The span continues the caller's trace (W3C ``traceparent``), so the gateway's span, the
service's span and everything the request causes downstream share one trace id.
"""

from __future__ import annotations

import time

from opentelemetry import trace
from opentelemetry.propagate import extract
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kit.metrics import HTTP_LATENCY
from kit.telemetry import tracer

_UNTRACED = frozenset({"/healthz", "/readyz", "/metrics"})


class TelemetryMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _UNTRACED:
            await self.app(scope, receive, send)
            return
        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        status = 500
        began = time.perf_counter()

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        with tracer().start_as_current_span(
            f"{scope['method']} {scope['path']}",
            context=extract(carrier),
            kind=trace.SpanKind.SERVER,
        ) as span:
            try:
                await self.app(scope, receive, send_and_record)
            finally:
                route = scope.get("route")
                template = getattr(route, "path", None) or "unmatched"
                span.update_name(f"{scope['method']} {template}")
                span.set_attribute("http.request.method", scope["method"])
                span.set_attribute("http.route", template)
                span.set_attribute("http.response.status_code", status)
                HTTP_LATENCY.labels(scope["method"], template, str(status)).observe(
                    time.perf_counter() - began
                )
