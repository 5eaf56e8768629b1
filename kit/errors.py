"""RFC 9457 problem details: typed errors and the problem documents they render as.

Pure: no web framework is imported here, so domain rules may raise these errors and stay free
of I/O; `kit.problems` renders them. Raise a `ProblemError` subclass anywhere in a request;
`kit.problems.install_problem_handlers(app)` turns it, Starlette's HTTP errors, request
validation errors and any unhandled exception into an ``application/problem+json`` response.
A service declares one class per domain failure, its `slug` and `title` (and `status`, when
it does not inherit one) given as class keywords or as class attributes::

    class ReferralAlreadyHandedOver(
        Conflict, slug="referral-already-handed-over", title="Referral already handed over"
    ): ...

    raise ReferralAlreadyHandedOver("Referral 3f2… was handed over on 2025-01-03.")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python

T = TypeVar("T")

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:lgnet:problem:"


# Slugs for statuses Starlette raises itself, matching the classes below.
_STATUS_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    412: "precondition-failed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-failed",
    428: "precondition-required",
    429: "too-many-requests",
    500: "internal-error",
}
_RESERVED_MEMBERS = frozenset(
    {"type", "title", "status", "detail", "instance", "request_id", "trace_id"}
)


def problem_type(slug: str) -> str:
    """The problem `type` URI for a slug: ``urn:lgnet:problem:<slug>``."""
    return PROBLEM_TYPE_PREFIX + slug


def slug_for_status(status: int) -> str:
    if status in _STATUS_SLUGS:
        return _STATUS_SLUGS[status]
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "-")
    except ValueError:
        return f"http-{status}"


def status_title(status: int) -> str:
    """The reason phrase of an HTTP status (``404`` → ``"Not Found"``)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ProblemError(Exception):
    """An error that renders as a problem document.

    Subclasses set the class attributes `status`, `slug` and `title` (as class keywords,
    ``class Gone(ProblemError, status=410, slug="gone", title="Gone")``, or in the class
    body); an instance adds a human `detail`, optional `extensions` (extra members such as
    ``{"errors": [...]}``) and optional response `headers`.
    """

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal Server Error"
    default_headers: ClassVar[Mapping[str, str]] = {}

    def __init_subclass__(
        cls,
        *,
        status: int | None = None,
        slug: str | None = None,
        title: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        # a keyword left out keeps what the class body or the parent class says
        if status is not None:
            cls.status = status
        if slug is not None:
            cls.slug = slug
        if title is not None:
            cls.title = title

    def __init__(
        self,
        detail: str | None = None,
        *,
        extensions: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        clash = _RESERVED_MEMBERS.intersection(extensions or {})
        if clash:
            raise ValueError(f"extension members clash with standard ones: {sorted(clash)}")
        self.extensions: dict[str, Any] = dict(extensions or {})
        self.headers: dict[str, str] = {**self.default_headers, **(headers or {})}

    @property
    def type(self) -> str:
        return problem_type(self.slug)

    def problem(self) -> dict[str, Any]:
        """The problem document without the request's members (``instance``, ``request_id``,
        ``trace_id``): for a result nested in a response, e.g. one item of a batch."""
        return problem_body(self.status, self.slug, self.title, self.detail, self.extensions)


class BadRequest(ProblemError, status=400, slug="bad-request", title="Bad Request"): ...


class Unauthorized(ProblemError, status=401, slug="unauthorized", title="Unauthorized"):
    default_headers: ClassVar[Mapping[str, str]] = {"WWW-Authenticate": "Bearer"}


class Forbidden(ProblemError, status=403, slug="forbidden", title="Forbidden"): ...


class NotFound(ProblemError, status=404, slug="not-found", title="Not Found"): ...


class Conflict(ProblemError, status=409, slug="conflict", title="Conflict"): ...


class PreconditionFailed(
    ProblemError, status=412, slug="precondition-failed", title="Precondition Failed"
): ...


class PayloadTooLarge(
    ProblemError, status=413, slug="payload-too-large", title="Payload Too Large"
): ...


class UnsupportedMediaType(
    ProblemError, status=415, slug="unsupported-media-type", title="Unsupported Media Type"
): ...


class UnprocessableContent(
    ProblemError, status=422, slug="unprocessable-content", title="Unprocessable Content"
):
    """422: a well-formed request the server cannot act on (not field validation)."""


class ValidationFailed(UnprocessableContent, slug="validation-failed", title="Validation Failed"):
    """422 ``validation-failed``: invalid fields, listed in ``errors`` (`FieldError` dicts) as
    for a request that fails its schema.  Build one from pydantic errors or for one field::

        raise ValidationFailed.from_pydantic(exc.errors(), loc_prefix=("body", "document"))
        raise InvalidFirstContact.for_field("contacted_at", "cannot be in the future",
                                            code="out_of_range")

    A subclass may keep its own slug (a domain rule with a name of its own).
    """

    default_detail: ClassVar[str] = "The request has invalid fields."

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Iterable[Mapping[str, Any]] = (),
        extensions: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.errors: list[dict[str, Any]] = [dict(error) for error in errors]
        super().__init__(
            detail or self.default_detail,
            extensions={**(extensions or {}), "errors": self.errors},
            headers=headers,
        )

    @classmethod
    def from_pydantic(
        cls,
        errors: Iterable[Mapping[str, Any]],
        *,
        loc_prefix: Sequence[int | str] = ("body",),
        detail: str | None = None,
    ) -> Self:
        """From pydantic error dicts (``ValidationError.errors()``) whose locations are
        relative to `loc_prefix`, e.g. ``("body", "items", 3)`` for a batch's fourth item."""
        located = ({**error, "loc": (*loc_prefix, *error.get("loc", ()))} for error in errors)
        return cls(detail, errors=field_errors(located))

    @classmethod
    def for_field(
        cls,
        field: str | Sequence[int | str],
        message: str,
        *,
        code: str,
        location: str = "body",
        detail: str | None = None,
    ) -> Self:
        """One invalid field: `field` a name or a path (``("members", 0, "name")``) in the
        body (or the name of a query/path/header parameter, with `location`)."""
        path = (field,) if isinstance(field, str) else tuple(field)
        error = {"loc": (location, *path), "msg": message, "type": code}
        return cls(detail or f"{'.'.join(map(str, path))} {message}.", errors=field_errors([error]))


class PreconditionRequired(
    ProblemError, status=428, slug="precondition-required", title="Precondition Required"
): ...


class TooManyRequests(
    ProblemError, status=429, slug="too-many-requests", title="Too Many Requests"
): ...


class NotReady(ProblemError, status=503, slug="not-ready", title="Not Ready"):
    """503 from ``/readyz``: a dependency (database, Kafka, a service) is not ready yet."""


def require_found(value: T | None, error: ProblemError) -> T:
    """`value`, or raise `error` (a `NotFound` subclass, usually) when it is None::

    case = await repository.get(session, case_id)
    return require_found(case, CaseNotFound(f"No case {case_id}."))
    """
    if value is None:
        raise error
    return value


# --- documents -------------------------------------------------------------------------


class FieldError(BaseModel):
    """One invalid input: where it is and what is wrong with it."""

    location: str = Field(description="body, query, path, header or cookie")
    pointer: str | None = Field(
        default=None, description="JSON Pointer into the body, e.g. '#/members/0/name'"
    )
    parameter: str | None = Field(default=None, description="name of the invalid parameter")
    detail: str
    code: str = Field(description="machine-readable reason, e.g. 'missing'")


class Problem(BaseModel):
    """RFC 9457 problem details (OpenAPI schema)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["urn:lgnet:problem:not-found"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    trace_id: str | None = None


class ValidationProblem(Problem):
    """A 400 or 422 problem; ``errors`` lists every invalid field of a request that failed
    validation (``type`` ``urn:lgnet:problem:validation-failed``, always with ``errors``; an
    unknown query parameter, 400, names each in ``errors``).  A domain rule refusing a
    well-formed request answers 422 with a ``type`` of its own and may have no ``errors``."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "if": {
                "properties": {"type": {"const": PROBLEM_TYPE_PREFIX + "validation-failed"}},
                "required": ["type"],
            },
            "then": {"required": ["errors"]},
        },
    )

    errors: list[FieldError] = Field(
        default_factory=list,
        description="The invalid fields; present whenever the type is validation-failed",
    )


def problem_body(
    status: int, slug: str, title: str, detail: str | None, extensions: Mapping[str, Any]
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": problem_type(slug), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(to_jsonable_python(dict(extensions)))
    return body


# --- field errors ----------------------------------------------------------------------


def _json_pointer(parts: Sequence[int | str]) -> str:
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "#/" + "/".join(escaped) if parts else "#"


_ABSENT = object()


def _in_body(body: Any, parts: Sequence[int | str]) -> list[int | str]:
    """`parts` of a body error's location that are places in `body`: pydantic also names the
    branch of a union it tried (a tag such as ``public``, a type such as ``int``), which is no
    place a client can point to. The last part stays when it names a missing field."""
    kept: list[int | str] = []
    here = body
    for n, part in enumerate(parts):
        in_list = isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here)
        if in_list or (isinstance(here, dict) and part in here):
            here = here[part]
        elif isinstance(here, dict) and n == len(parts) - 1:
            pass  # a missing field
        else:
            continue  # a branch's label
        kept.append(part)
    return kept


def field_errors(errors: Iterable[Mapping[str, Any]], body: Any = _ABSENT) -> list[dict[str, Any]]:
    """Pydantic/FastAPI error dicts as `FieldError` dicts; the input values are dropped, and so
    is a nullable field's "Input should be None" beside what its value got wrong (``8.5`` for
    an ``int | None``: the integer's error is the one to tell). Given the request's `body`,
    body pointers leave out the union branches pydantic names (`_in_body`)."""
    errors = list(errors)
    wrong = {tuple(e.get("loc", ()))[:-1] for e in errors if not _null_branch(e)}
    result = []
    for err in errors:
        if _null_branch(err) and tuple(err.get("loc", ()))[:-1] in wrong:
            continue
        loc = list(err.get("loc", ()))
        location = str(loc[0]) if loc else "body"
        item: dict[str, Any] = {"location": location}
        if location == "body":
            item["pointer"] = _json_pointer(loc[1:] if body is _ABSENT else _in_body(body, loc[1:]))
        else:
            item["parameter"] = ".".join(str(p) for p in loc[1:]) or None
        item["detail"] = str(err.get("msg", "Invalid value"))
        item["code"] = str(err.get("type", "invalid"))
        result.append(item)
    return result


def _null_branch(error: Mapping[str, Any]) -> bool:
    loc = tuple(error.get("loc", ()))
    return error.get("type") == "none_required" and bool(loc) and loc[-1] == "none"


_STATUS_MODELS: dict[int, type[Problem]] = {400: ValidationProblem, 422: ValidationProblem}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries declaring problem+json bodies for `statuses`.

    ``@router.post(..., responses=problem_responses(404, 409, 412))``
    """
    return {
        status: {
            "model": _STATUS_MODELS.get(status, Problem),
            "description": status_title(status),
        }
        for status in statuses
    }
