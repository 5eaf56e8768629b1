"""The OpenAPI document of an LGNet app: every error it can answer, as RFC 9457 problems.

The errors themselves, their rendering and `problem_responses` (what a router declares) are in
`kit.errors`; this module rewrites the generated document so it says what the app really does:

- every problem a route can answer because of the kit is declared here, once, from what the
  operation looks like in the document (`kit_statuses`): a router declares only its domain's
  (404 for a path id, 409 for a domain conflict…);
- error responses are ``application/problem+json``, 400 and 422 a `ValidationProblem` (FastAPI's
  own validation error shape is dropped);
- the kit's request headers have the schema the kit holds them to, and a query value's says it
  holds no NUL (request bodies say so themselves: `kit.schemas.ClosedModel`).

`install_docs` serves Swagger UI and ReDoc from assets the app serves itself (the
``fastapi-offline`` package's, pinned in ``uv.lock``): ``/docs`` works on a city's intranet or a
laptop with no internet, where a CDN is out of reach.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from kit.errors import PROBLEM_JSON, Problem, ValidationProblem, status_title
from kit.schemas import state_request_rules

_REF = "#/components/schemas/"
_WRITE_METHODS = frozenset({"post", "put", "patch"})
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_MODELS: dict[int, type[Problem]] = {400: ValidationProblem, 422: ValidationProblem}


def kit_statuses(method: str, operation: dict[str, Any]) -> set[int]:
    """The statuses the kit itself may answer for an operation of an LGNet service, read from
    the operation as the document describes it:

    - 400: every operation (an unknown query parameter, `kit.query`; a malformed
      ``Content-Length``, `kit.limits`); with a JSON body also malformed JSON; with an
      ``Idempotency-Key`` also a malformed key;
    - 401, 403 and 503: an operation with a ``security`` requirement (no or a bad token, a
      missing role or organisation; the realm's keys unavailable, `kit.auth`);
    - 413 and 415: a POST, PUT or PATCH (a body too large, or not JSON: `kit.limits`, which
      refuses them whether or not the operation declares a body);
    - 422: an operation with parameters or a body (its validation; a query value holding NUL);
    - 412 and 428: an operation taking ``If-Match`` (`kit.etag`);
    - 409 and 422: an operation taking ``Idempotency-Key`` (a request with the same key still
      in flight; the key reused for another request, `kit.idempotency`).
    """
    statuses = {400}
    headers = {
        str(p.get("name", "")).lower()
        for p in operation.get("parameters", [])
        if p.get("in") == "header"
    }
    if operation.get("security"):
        statuses |= {401, 403, 503}
    if method in _WRITE_METHODS:
        statuses |= {413, 415}
    if operation.get("parameters") or "requestBody" in operation:
        statuses.add(422)
    if "if-match" in headers:
        statuses |= {412, 428}
    if "idempotency-key" in headers:
        statuses |= {409, 422}
    return statuses


def problem_response(status: int) -> dict[str, Any]:
    """The OpenAPI response object of a problem answered with `status`."""
    model = _MODELS.get(status, Problem)
    return {
        "description": status_title(status),
        "content": {PROBLEM_JSON: {"schema": {"$ref": _REF + model.__name__}}},
    }


def declare_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (an app's generated document) with every operation's kit statuses added
    (`kit_statuses`), every error response a problem+json, and the problem models defined."""
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in _HTTP_METHODS or not isinstance(operation, dict):
                continue
            _kit_parameters(operation)
            responses = operation.setdefault("responses", {})
            for status in kit_statuses(method, operation):
                responses.setdefault(str(status), problem_response(status))
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400 and _is_problem(response):
                    responses[code] = {**response, **problem_response(int(code))}
            operation["responses"] = dict(sorted(responses.items()))
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Problem, ValidationProblem):
        generated = model.model_json_schema(ref_template=_REF + "{model}")
        schemas.update(generated.pop("$defs", {}))
        schemas[model.__name__] = generated
    for name in ("HTTPValidationError", "ValidationError"):
        if not _is_referenced(schema, _REF + name):
            schemas.pop(name, None)
    schema["components"]["schemas"] = dict(sorted(schemas.items()))
    return schema


# What kit.idempotency takes: 1 to 255 printable ASCII characters (not starting or ending with a
# space, which HTTP would strip)
_IDEMPOTENCY_KEY = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": "^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$",
    "title": "Idempotency-Key",
}


# What kit.etag takes as an If-Match: a value with something besides white space (Python's,
# within Latin-1, as header values are decoded), else it counts as absent (428)
_IF_MATCH = {
    "type": "string",
    "pattern": "[^\\t-\\r\\u001c-\\u0020\\u0085\\u00a0]",
    "title": "If-Match",
}


def _kit_parameters(operation: dict[str, Any]) -> None:
    """The kit's own request headers as the kit takes them, and query values without NUL
    (`kit.query` refuses it in any of them: `kit.schemas.NO_NUL_PATTERN`)."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query":
            state_request_rules(parameter.get("schema"))
        if parameter.get("in") != "header":
            continue
        name = str(parameter.get("name", "")).lower()
        if name == "if-match":
            # kit.etag takes it as optional so that its absence is a 428 naming the rule
            # rather than a 422; the contract says what a client must send
            parameter["required"] = True
            described = _description(parameter).get("description", "ETag of the version.")
            parameter["schema"] = {
                **_IF_MATCH,
                "description": f"{described} Empty or blank counts as absent (428).",
            }
        elif name == "idempotency-key":
            parameter["schema"] = {**_IDEMPOTENCY_KEY, **_description(parameter)}


def document_problems(app: FastAPI) -> None:
    """Patch `app.openapi` so its document declares every problem the app answers
    (`declare_problems`).

    A router declares its domain's problems with ``responses=kit.errors.problem_responses(...)``.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        app.openapi_schema = declare_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _description(parameter: dict[str, Any]) -> dict[str, Any]:
    description = parameter.get("schema", {}).get("description")
    return {"description": description} if description else {}


def _is_problem(response: dict[str, Any]) -> bool:
    """Whether a generated error response is one of ours (or FastAPI's validation error)."""
    content = response.get("content")
    if not content:
        return True  # declared with no body: every error body is a problem
    for media in (PROBLEM_JSON, "application/json"):
        ref = content.get(media, {}).get("schema", {}).get("$ref", "")
        if ref in (_REF + "Problem", _REF + "ValidationProblem", _REF + "HTTPValidationError"):
            return True
    return False


def _is_referenced(node: Any, ref: str) -> bool:
    if isinstance(node, dict):
        return node.get("$ref") == ref or any(_is_referenced(v, ref) for v in node.values())
    if isinstance(node, list):
        return any(_is_referenced(v, ref) for v in node)
    return False


DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))
"""Swagger UI's and ReDoc's JavaScript, CSS and favicon, as the ``fastapi-offline`` package
ships them."""
DOCS_ASSETS_PATH = "/docs/assets"


def install_docs(
    app: FastAPI,
    *,
    title: str,
    openapi_url: str = "/openapi.json",
    swagger_ui_parameters: dict[str, Any] | None = None,
    redoc: bool = True,
) -> None:
    """Serve ``/docs`` (Swagger UI on `openapi_url`), ``/docs/oauth2-redirect`` and, with
    `redoc`, ``/redoc``, every asset they load from ``/docs/assets`` on the app itself: no
    request leaves for another host.  Build the app with ``docs_url=None, redoc_url=None``
    (FastAPI's own pages load from a CDN); call this before adding catch-all routes."""
    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    oauth2_redirect = "/docs/oauth2-redirect"
    favicon = f"{DOCS_ASSETS_PATH}/favicon.png"
    pages = {
        "/docs": get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} (Swagger UI)",
            swagger_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=favicon,
            oauth2_redirect_url=oauth2_redirect,
            swagger_ui_parameters=swagger_ui_parameters,
        ),
        oauth2_redirect: get_swagger_ui_oauth2_redirect_html(),
    }
    if redoc:
        redoc_js = f"{DOCS_ASSETS_PATH}/redoc.standalone.js"
        pages["/redoc"] = get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} (ReDoc)",
            redoc_js_url=redoc_js,
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )
    for path, page in pages.items():
        app.add_api_route(path, _page(bytes(page.body)), methods=["GET"], include_in_schema=False)


def _page(html: bytes) -> Callable[[], Awaitable[HTMLResponse]]:
    """A route answering `html`, built once (the docs pages do not change while serving)."""

    async def page() -> HTMLResponse:
        return HTMLResponse(html)

    return page
