"""ASGI middleware every LGNet app runs, the gateway too: a server span per request, the
request's metrics and, where asked for, one access-log line.

The span continues the caller's trace (W3C ``traceparent``), so the gateway's span, the
service's span and everything the request causes downstream share one trace id.  Every app
records the same metric, `kit.metrics.HTTP_LATENCY` (its ``_count`` counts the requests),
labelled by method, route and status; the route is the matched path template
(`route_template`) unless the app says otherwise (the gateway labels a request with the
service it went to).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection

from opentelemetry import trace
from opentelemetry.propagate import extract
from opentelemetry.trace import Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kit.logs import current_request_id
from kit.metrics import HTTP_LATENCY
from kit.telemetry import tracer as kit_tracer

__all__ = ["METHODS", "UNTRACED_PATHS", "RouteLabel", "TelemetryMiddleware", "route_template"]

UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
"""Probes and scrapes: neither traced nor counted by default."""
METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
"""Methods labelled as themselves; any other is ``OTHER`` (a client picks the method)."""
_TRACE_HEADERS = frozenset({b"traceparent", b"tracestate", b"baggage"})

RouteLabel = Callable[[Scope], str]
"""The ``route`` label and span attribute of a finished request, from its ASGI scope."""


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/v1/intake/persons/{person_id}``), never the
    path itself (ids would make a series per person); ``unmatched`` when none matched."""
    return getattr(scope.get("route"), "path", None) or "unmatched"


class TelemetryMiddleware:
    """A SERVER span per request, its metrics, and, given an `access_log`, one line per
    request (never bodies or query strings, which may hold personal data).

    `route_label` names the route (default `route_template`); `tracer` gives the tracer to
    use, read per request (default the kit's); paths in `untraced` pass straight through.
    Latency runs until the response headers are sent, so a slow reader of a streamed body
    does not count as a slow server.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        route_label: RouteLabel = route_template,
        tracer: Callable[[], trace.Tracer] = kit_tracer,
        untraced: Collection[str] = UNTRACED_PATHS,
        access_log: logging.Logger | None = None,
    ) -> None:
        self.app = app
        self.route_label = route_label
        self.tracer = tracer
        self.untraced = frozenset(untraced)
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.untraced:
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in _TRACE_HEADERS
        }
        began = time.perf_counter()
        status = 500
        answered_after: float | None = None

        async def send_and_record(message: Message) -> None:
            nonlocal status, answered_after
            if message["type"] == "http.response.start":
                status = int(message["status"])
                answered_after = time.perf_counter() - began
            await send(message)

        with self.tracer().start_as_current_span(
            method, context=extract(carrier), kind=trace.SpanKind.SERVER
        ) as span:
            try:
                await self.app(scope, receive, send_and_record)
            finally:
                route = self.route_label(scope)
                span.update_name(f"{method} {route}")
                span.set_attribute("http.request.method", method)
                span.set_attribute("http.route", route)
                span.set_attribute("url.path", scope["path"])
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
                seconds = (
                    answered_after if answered_after is not None else time.perf_counter() - began
                )
                label_method = method if method in METHODS else "OTHER"
                HTTP_LATENCY.labels(label_method, route, str(status)).observe(seconds)
                if self.access_log is not None:
                    _log_access(self.access_log, scope, span, route, status, seconds)


def _log_access(
    logger: logging.Logger, scope: Scope, span: trace.Span, route: str, status: int, seconds: float
) -> None:
    method, path = scope["method"], scope["path"]
    principal = (scope.get("state") or {}).get("principal")
    context = span.get_span_context()
    logger.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={
            "method": method,
            "path": path,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            # also on the record itself, for handlers formatting it elsewhere
            "request_id": current_request_id(),
            "trace_id": format(context.trace_id, "032x") if context.is_valid else None,
            "client_id": getattr(principal, "client_id", None),
            "subject": getattr(principal, "subject", None),
        },
    )
