"""Request limits as ASGI middleware: body size (413) and JSON-only writes (415).

    app.add_middleware(RequestLimitsMiddleware, max_body_bytes=settings.common.max_body_bytes)

A body larger than `max_body_bytes` is refused from its ``Content-Length`` before it is
read, and otherwise as soon as the streamed chunks add up past the limit.  A batch endpoint
(a path ending in ``:batch``, e.g. ``/v1/intake/outreach-contacts:batch``) has the larger
`max_batch_body_bytes` instead: it carries many items by design.  A ``POST``,
``PUT`` or ``PATCH`` with a body must be ``application/json`` (or ``application/*+json``,
e.g. merge-patch) unless its path starts with one of `non_json_paths`.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kit.errors import BadRequest, PayloadTooLarge, ProblemError, UnsupportedMediaType
from kit.problems import render_problem

_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


class _BodyTooLarge(HTTPException):
    # An HTTPException so FastAPI's body parsing re-raises it instead of turning it into
    # a 400; the problem handler renders it as payload-too-large.
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


def is_json_media_type(content_type: str) -> bool:
    """Whether a Content-Type header value is JSON (``application/json``,
    ``application/*+json``), parameters ignored."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class RequestLimitsMiddleware:
    """Refuses oversized bodies (413) and non-JSON write bodies (415) as problem+json."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_batch_body_bytes: int | None = None,
        non_json_paths: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_batch_body_bytes = max_batch_body_bytes or max_body_bytes
        self.non_json_paths = tuple(non_json_paths)

    def limit_for(self, path: str) -> int:
        return self.max_batch_body_bytes if path.endswith(":batch") else self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        problem = self._check_headers(scope, headers)
        if problem is not None:
            await render_problem(Request(scope), problem)(scope, receive, send)
            return

        received = 0
        started = False
        limit = self.limit_for(scope["path"])

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge as exc:
            # Only reached when no problem handler rendered it (e.g. a body read in
            # middleware).
            if started:
                raise
            too_large = PayloadTooLarge(str(exc.detail))
            await render_problem(Request(scope), too_large)(scope, receive, send)

    def _check_headers(self, scope: Scope, headers: Headers) -> ProblemError | None:
        length_header = headers.get("content-length")
        if length_header is not None:
            if not length_header.isdigit():
                return BadRequest("Invalid Content-Length header.")
            limit = self.limit_for(scope["path"])
            if int(length_header) > limit:
                return PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        has_body = "transfer-encoding" in headers or (
            length_header is not None and int(length_header) > 0
        )
        if (
            has_body
            and scope["method"] in _WRITE_METHODS
            and not scope["path"].startswith(self.non_json_paths)
            and not is_json_media_type(headers.get("content-type", ""))
        ):
            return UnsupportedMediaType(
                "Request bodies must be JSON (Content-Type: application/json)."
            )
        return None
