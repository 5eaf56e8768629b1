"""Query strings are checked before a route runs: an unknown parameter is an error, not
silently ignored (``?stauts=open`` must not return the unfiltered list as if the filter had
been applied), and a value holding NUL (``%00``), which no database text column can store or
compare, is a validation error rather than a server error."""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from kit.errors import BadRequest, ValidationFailed


class UnknownQueryParameter(BadRequest):
    slug = "unknown-query-parameter"
    title = "Unknown query parameter"


_NUL = "must not contain NUL (U+0000) characters"
_known: dict[int, frozenset[str]] = {}


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _declared(route: APIRoute) -> frozenset[str]:
    names = _known.get(id(route))
    if names is None:
        names = _known[id(route)] = frozenset(_query_names(route.dependant))
    return names


async def reject_unknown_query_parameters(request: Request) -> None:
    """App-wide dependency: 400 problem naming each query parameter the route does not declare."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - _declared(route))
    if unknown:
        raise UnknownQueryParameter(
            f"Unknown query parameter(s): {', '.join(unknown[:10])}.",
            extensions={
                "errors": [
                    {"location": "query", "parameter": name, "detail": "Not a parameter here."}
                    for name in unknown[:10]
                ]
            },
        )
    with_nul = sorted({name for name, value in request.query_params.multi_items() if "\0" in value})
    if with_nul:
        raise ValidationFailed.from_pydantic(
            [{"loc": (name,), "msg": _NUL, "type": "string_nul"} for name in with_nul[:10]],
            loc_prefix=("query",),
            detail="Query parameters must not contain NUL characters.",
        )
