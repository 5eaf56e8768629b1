"""Problem documents over HTTP: the handlers that render every error of an app as RFC 9457
``application/problem+json``, and the ``Allow`` of a 405.

`kit.errors` holds the errors themselves (pure); this module is where they meet FastAPI.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from kit.errors import (
    PROBLEM_JSON,
    ProblemError,
    ValidationFailed,
    field_errors,
    problem_body,
    slug_for_status,
    status_title,
)
from kit.logs import current_request_id, current_trace_ids

logger = logging.getLogger(__name__)


def problem_response(
    request: Request | None,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    extensions: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Build an ``application/problem+json`` response for `request`."""
    body = problem_body(status, slug, title, detail, {})
    if request is not None:
        body["instance"] = request.url.path
    request_id = current_request_id()
    if request_id is None and request is not None:
        request_id = getattr(request.state, "request_id", None)
    if request_id is not None:
        body["request_id"] = request_id
    trace_id, _ = current_trace_ids()
    if trace_id is not None:
        body["trace_id"] = trace_id
    body.update(jsonable_encoder(dict(extensions or {})))
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON
    )


def render_problem(request: Request | None, exc: ProblemError) -> JSONResponse:
    """The response for a `ProblemError`."""
    return problem_response(
        request,
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        extensions=exc.extensions,
        headers=exc.headers,
    )


async def _problem_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return render_problem(request, exc)


async def _http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    title = status_title(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the methods of the first route matching the path; every route
        # of the path counts (GET and PATCH of /persons/{id} are two routes)
        headers["Allow"] = ", ".join(allowed_methods(request)) or headers.get("Allow", "")
    return problem_response(
        request,
        status=exc.status_code,
        slug=slug_for_status(exc.status_code),
        title=title,
        detail=detail,
        headers=headers,
    )


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE")


def allowed_methods(request: Request) -> list[str]:
    """Every method the app answers for the request's path, sorted: the ``Allow`` of a 405
    (RFC 9110 §15.5.6).  Each method is tried against the app's routes (FastAPI nests
    included routers, so the routes are asked, not listed)."""
    routes = getattr(getattr(request.scope.get("app"), "router", None), "routes", ())
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


async def _validation_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem_response(
            request,
            status=400,
            slug="malformed-json",
            title="Malformed JSON",
            detail="The request body is not valid JSON.",
        )
    return render_problem(request, ValidationFailed(errors=field_errors(errors, exc.body)))


async def _unhandled_handler(request: Request, exc: Exception) -> Response:
    # The request body is never logged: it holds personal data.
    logger.error(
        "unhandled error on %s %s",
        request.method,
        request.url.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return problem_response(
        request, status=500, slug="internal-error", title="Internal Server Error"
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error of `app` as problem+json (see module docstring).

    `kit.openapi.document_problems(app)` makes the OpenAPI document say so
    (`kit.service.create_service` calls both)."""
    app.add_exception_handler(ProblemError, _problem_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    # Runs in Starlette's outermost middleware, which re-raises after responding so the
    # server still sees the error.
    app.add_exception_handler(Exception, _unhandled_handler)
