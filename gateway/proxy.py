"""The proxy: route, authenticate, authorise, rate-limit, forward, stream back.

For every request under a public prefix (see :mod:`gateway.routes`):

1. the path is matched against the route table (no match, or a path with ``.``/``..`` segments:
   404 / 400);
2. the bearer token is verified with :func:`kit.auth.authenticate` (401 / 403 / 503);
3. the client's bucket is charged (429 with ``Retry-After``);
4. the route's roles are checked against the token's realm roles (403 ``role-required``);

   — except on an anonymous path (`gateway.routes.ANONYMOUS`, for its methods): no token is
   asked for or looked at (an ``Authorization`` sent anyway is not forwarded), and the client
   IP address's bucket of the anonymous limiter is charged instead (429 with ``Retry-After``);
5. the request goes to the service — method, raw path and query, body and end-to-end headers,
   the ``Authorization`` header unchanged (the service verifies the token again: zero trust),
   plus ``X-Request-ID``, ``traceparent`` (a CLIENT span, child of the gateway's SERVER span) and
   ``X-Forwarded-For/-Proto/-Host``;
6. the response is streamed back without hop-by-hop headers. A service that cannot be reached
   is a 502, one that does not answer in time a 504, a request HTTP does not let the gateway
   send on (a control character in a header) a 400 — all problem+json, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import ClassVar

import httpx
from fastapi import Request
from opentelemetry import trace
from opentelemetry.propagate import inject
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import Counter
from starlette.responses import Response, StreamingResponse

from gateway.ratelimit import TokenBucketLimiter
from gateway.routes import ANONYMOUS, ROUTES, AnonymousPath, RouteRule, match_anonymous, match_route
from kit.auth import MissingRole, Principal, TokenVerifier, authenticate
from kit.errors import BadRequest, NotFound, ProblemError, TooManyRequests, Unauthorized
from kit.logs import REQUEST_ID_HEADER, current_request_id

__all__ = [
    "HOP_BY_HOP",
    "RATE_LIMITED",
    "UPSTREAM_ERRORS",
    "Proxy",
    "UpstreamTimeout",
    "UpstreamUnavailable",
]

logger = logging.getLogger(__name__)

# RFC 9110 §7.6.1: meaningful for one connection only, never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# Request headers the gateway sets itself (or lets httpx set) instead of passing them on.
_REPLACED_REQUEST = frozenset(
    {"host", "content-length", "x-request-id", "traceparent", "tracestate"}
)
_FORWARDED = frozenset({"forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"})
# Response headers the gateway owns: its own server/date, request id and CORS.
_REPLACED_RESPONSE = frozenset({"server", "date", "x-request-id"})

UPSTREAM_ERRORS = Counter(
    "lgnet_gateway_upstream_errors_total",
    "Proxied requests that got no response from the service, by service and kind",
    ["upstream", "kind"],
)
RATE_LIMITED = Counter(
    "lgnet_gateway_rate_limited_total", "Requests refused by the per-client rate limit"
)
ANONYMOUS_RATE_LIMITED = Counter(
    "lgnet_gateway_anonymous_rate_limited_total",
    "Anonymous requests (public paths) refused by the per-IP rate limit",
)


class UpstreamUnavailable(
    ProblemError, status=502, slug="upstream-unavailable", title="Upstream Unavailable"
): ...


class UpstreamTimeout(
    ProblemError, status=504, slug="upstream-timeout", title="Upstream Timeout"
): ...


def _connection_tokens(headers: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Header names listed in ``Connection`` (also hop-by-hop, RFC 9110 §7.6.1)."""
    return frozenset(
        token.strip().lower()
        for name, value in headers
        if name.lower() == "connection"
        for token in value.split(",")
        if token.strip()
    )


def end_to_end(headers: Iterable[tuple[str, str]], drop: frozenset[str]) -> list[tuple[str, str]]:
    """``headers`` without hop-by-hop ones, those ``Connection`` names, and ``drop``."""
    items = list(headers)
    excluded = HOP_BY_HOP | _connection_tokens(items) | drop
    return [(name, value) for name, value in items if name.lower() not in excluded]


def _raw(headers: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """``headers`` as the bytes they came in: the server decoded them as Latin-1 (as HTTP
    allows any octet above 0x7F in a field value), and httpx would encode text as ASCII,
    failing on the first such octet. Without the white space around a value, which is not
    part of it (RFC 9110 §5.5) and which httpx refuses to send."""
    return [
        (name.encode("latin-1"), value.strip(" \t").encode("latin-1")) for name, value in headers
    ]


class UnforwardableRequest(
    BadRequest, slug="unforwardable-request", title="Request cannot be forwarded"
): ...


def _has_dot_segment(path: str) -> bool:
    return any(segment in (".", "..") for segment in path.split("/"))


def _bearer_token(request: Request) -> str:
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("A bearer token is required.")
    return token.strip()


class Proxy:
    """The gateway's proxy; one per app, sharing one HTTP client for all upstreams."""

    methods: ClassVar[tuple[str, ...]] = (
        "GET",
        "HEAD",
        "OPTIONS",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
    )

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        upstreams: Mapping[str, str],
        verifier: TokenVerifier,
        limiter: TokenBucketLimiter,
        tracer: trace.Tracer,
        routes: Iterable[RouteRule] = ROUTES,
        anonymous: Iterable[AnonymousPath] = ANONYMOUS,
        anonymous_limiter: TokenBucketLimiter | None = None,
        trust_forwarded_headers: bool = False,
    ) -> None:
        self.tracer = tracer
        self.http = http
        self.upstreams = dict(upstreams)
        self.verifier = verifier
        self.limiter = limiter
        self.routes = tuple(routes)
        self.anonymous = tuple(anonymous)
        # (not `or`: an empty limiter has len() 0)
        self.anonymous_limiter = (
            anonymous_limiter if anonymous_limiter is not None else TokenBucketLimiter(5.0, 20)
        )
        self.trust_forwarded_headers = trust_forwarded_headers

    def route(self, path: str) -> RouteRule:
        """The route for ``path``, or the problem to answer (400 / 404)."""
        if _has_dot_segment(path):
            raise BadRequest("The path must not contain '.' or '..' segments.")
        rule = match_route(path, self.routes)
        if rule is None:
            raise NotFound(f"No service serves {path}.")
        return rule

    async def admit(self, request: Request, rule: RouteRule) -> Principal:
        """Authenticate, rate-limit and authorise the request for ``rule``."""
        principal = await authenticate(self.verifier, _bearer_token(request))
        request.state.principal = principal
        decision = self.limiter.acquire(f"{principal.client_id}\x00{principal.subject}")
        if not decision.allowed:
            RATE_LIMITED.inc()
            raise TooManyRequests(
                "Too many requests from this client; slow down.",
                headers={"Retry-After": decision.retry_after_header},
            )
        if not rule.allows(request.method, principal.roles):
            roles = ", ".join(sorted(rule.roles_for(request.method))) or "none"
            raise MissingRole(f"{request.method} {rule.prefix} needs one of the roles: {roles}.")
        return principal

    def client_address(self, request: Request) -> str:
        """The caller's IP address: the one the trusted load balancer saw (the last
        ``X-Forwarded-For`` entry) when forwarded headers are trusted, else the peer's."""
        if self.trust_forwarded_headers:
            forwarded = request.headers.get("x-forwarded-for", "")
            last = forwarded.rsplit(",", 1)[-1].strip()
            if last:
                return last
        return request.client.host if request.client else "unknown"

    def admit_anonymous(self, request: Request) -> None:
        """Rate-limit an anonymous request by its client IP address (no token involved)."""
        decision = self.anonymous_limiter.acquire(self.client_address(request))
        if not decision.allowed:
            ANONYMOUS_RATE_LIMITED.inc()
            raise TooManyRequests(
                "Too many requests from this address; slow down.",
                headers={"Retry-After": decision.retry_after_header},
            )

    async def handle(self, request: Request) -> Response:
        """Answer a request under a public prefix (see the module docstring)."""
        path = request.url.path
        rule = self.route(path)
        request.state.route = rule.service
        anonymous = match_anonymous(request.method, path, self.anonymous) is not None
        if anonymous:
            self.admit_anonymous(request)
        else:
            await self.admit(request, rule)
        base_url = self.upstreams.get(rule.service)
        if base_url is None:
            raise NotFound(f"No service serves {rule.prefix} yet.")
        return await self.forward(request, rule.service, base_url, anonymous=anonymous)

    def _forward_headers(self, request: Request, *, anonymous: bool) -> list[tuple[str, str]]:
        incoming = request.headers.items()
        drop = _REPLACED_REQUEST if self.trust_forwarded_headers else _REPLACED_REQUEST | _FORWARDED
        if anonymous:
            drop = drop | {"authorization"}  # never checked here: not passed on either
        headers = end_to_end(incoming, drop)
        if "accept-encoding" not in request.headers:
            # else httpx offers gzip for a client that asked for nothing, and we pass bytes raw
            headers.append(("accept-encoding", "identity"))
        request_id = current_request_id() or getattr(request.state, "request_id", None)
        if request_id:
            headers.append((REQUEST_ID_HEADER, request_id))
        client_host = request.client.host if request.client else None
        forwarded_for = (
            request.headers.get("x-forwarded-for") if self.trust_forwarded_headers else None
        )
        if client_host:
            forwarded_for = f"{forwarded_for}, {client_host}" if forwarded_for else client_host
        if forwarded_for:
            headers = [(n, v) for n, v in headers if n.lower() != "x-forwarded-for"]
            headers.append(("x-forwarded-for", forwarded_for))
        if not (self.trust_forwarded_headers and "x-forwarded-proto" in request.headers):
            headers.append(("x-forwarded-proto", request.url.scheme))
        if not (self.trust_forwarded_headers and "x-forwarded-host" in request.headers):
            host = request.headers.get("host")
            if host:
                headers.append(("x-forwarded-host", host))
        return headers

    async def forward(
        self, request: Request, service: str, base_url: str, *, anonymous: bool = False
    ) -> Response:
        """Send ``request`` to ``base_url`` and stream the answer back (without its
        ``Authorization`` header if it is `anonymous`)."""
        raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
        query: bytes = request.scope.get("query_string", b"")
        target = httpx.URL(base_url).copy_with(raw_path=raw_path + (b"?" + query if query else b""))
        headers = self._forward_headers(request, anonymous=anonymous)
        body = await request.body()  # bounded by the body-size middleware
        with self.tracer.start_as_current_span(
            f"{request.method} {service}", kind=SpanKind.CLIENT
        ) as span:
            span.set_attribute("http.request.method", request.method)
            span.set_attribute("server.address", target.host)
            if target.port is not None:
                span.set_attribute("server.port", target.port)
            span.set_attribute("lgnet.upstream", service)
            carrier: dict[str, str] = {}
            inject(carrier)  # traceparent of this CLIENT span: the service's span is its child
            headers.extend(carrier.items())
            upstream_request = self.http.build_request(
                request.method, target, headers=_raw(headers), content=body
            )
            try:
                upstream = await self.http.send(upstream_request, stream=True)
            except httpx.TimeoutException as error:
                kind = "connect_timeout" if isinstance(error, httpx.ConnectTimeout) else "timeout"
                self._failed(span, service, kind, error)
                if kind == "connect_timeout":
                    raise UpstreamUnavailable(f"The {service} service cannot be reached.") from None
                raise UpstreamTimeout(f"The {service} service did not answer in time.") from None
            except httpx.LocalProtocolError:
                # the request as the client sent it is not one HTTP lets us send on (a control
                # character in a header value): the client's fault, not the service's
                raise UnforwardableRequest(
                    "The request holds a header value HTTP does not allow."
                ) from None
            except httpx.HTTPError as error:
                self._failed(span, service, "unreachable", error)
                raise UpstreamUnavailable(f"The {service} service cannot be reached.") from None
            span.set_attribute("http.response.status_code", upstream.status_code)
            if upstream.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
        response_headers = end_to_end(upstream.headers.multi_items(), _REPLACED_RESPONSE)
        response_headers = [
            (n, v) for n, v in response_headers if not n.lower().startswith("access-control-")
        ]
        response = StreamingResponse(
            _stream(upstream), status_code=upstream.status_code, media_type=None
        )
        # keep the service's headers as sent (repeated ones too: Set-Cookie, Link, Vary)
        response.raw_headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in response_headers
        ]
        return response

    @staticmethod
    def _failed(span: trace.Span, service: str, kind: str, error: Exception) -> None:
        UPSTREAM_ERRORS.labels(service, kind).inc()
        span.set_status(Status(StatusCode.ERROR, kind))
        # the error type and service only: its message may carry the URL with a query string
        logger.warning(
            "upstream %s failed: %s",
            service,
            type(error).__name__,
            extra={"upstream": service, "error_kind": kind},
        )


async def _stream(upstream: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    finally:
        await upstream.aclose()
