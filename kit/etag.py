"""ETags from aggregate versions, and `If-Match` preconditions for changes.

A mutable aggregate has an integer ``version`` bumped on every change; its strong ETag
is ``"<version>"``.  Reads set it, changes require it::

    @router.patch("/cases/{case_id}")
    async def update_case(case_id: Id, body: CaseUpdate, if_match: IfMatchDep,
                          response: Response, session: SessionDep) -> CasePublic:
        case = await repository.get(session, case_id)
        require_if_match(if_match, case.version)       # 428 if missing, 412 if stale
        ...
        set_etag(response, case.version)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header
from starlette.responses import Response

from kit.errors import PreconditionFailed, PreconditionRequired


def etag_for(version: int) -> str:
    """The strong ETag of `version`: ``"7"`` (quotes included)."""
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    """Set the ``ETag`` header of `response` to the ETag of `version`."""
    response.headers["ETag"] = etag_for(version)


def if_match_matches(if_match: str, current_version: int) -> bool:
    """Whether an ``If-Match`` value matches the current version (strong comparison:
    weak ``W/"…"`` tags never match; ``*`` matches any existing resource)."""
    current = etag_for(current_version)
    for tag in (part.strip() for part in if_match.split(",")):
        if tag == "*" or tag == current:
            return True
    return False


def require_if_match(if_match: str | None, current_version: int) -> None:
    """Raise `PreconditionRequired` (428) if there is no ``If-Match`` header, and
    `PreconditionFailed` (412) if it does not match `current_version`."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "This resource can only be changed with an If-Match header carrying its ETag."
        )
    if not if_match_matches(if_match, current_version):
        raise PreconditionFailed(
            "The resource was changed since it was read; fetch it again and retry.",
            extensions={"current_etag": etag_for(current_version)},
        )


async def if_match_header(
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", description="ETag of the version being changed."),
    ] = None,
) -> str | None:
    """FastAPI dependency: the raw ``If-Match`` header, None when absent (use through
    `IfMatchDep`; absence is answered by `require_if_match` with 428, not by a 422)."""
    return if_match


IfMatchDep = Annotated[str | None, Depends(if_match_header)]
