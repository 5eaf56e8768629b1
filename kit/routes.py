"""Small pieces that keep a route to what it does: who may call it, its query parameters as
one dataclass, the answer for one versioned entity, and where a created resource lives.

A read or a change of one entity answers its public schema with its ETag, and a creation
names its ``Location`` under the router's prefix::

    return etagged(response, case.version, CasePublic.model_validate(case))
    return await idem.created(create, owner=principal.subject, location=location_in(router))
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import APIRouter, Depends, Response

from kit.auth import Role, require_roles
from kit.etag import set_etag

T = TypeVar("T")


class Identified(Protocol):
    """A created resource's public schema: it carries its id."""

    @property
    def id(self) -> uuid.UUID: ...


def etagged(response: Response, version: int, body: T) -> T:
    """`body`, with the ETag of `version` (`kit.etag.etag_for`) set on `response`: what a
    read or a change of one versioned entity answers."""
    set_etag(response, version)
    return body


def location_in(router: APIRouter) -> Callable[[Identified], str]:
    """The ``Location`` of a resource `router` creates: ``<router.prefix>/<id>`` (for
    `kit.idempotency.Idempotency.created`)."""

    def location(created: Identified) -> str:
        return f"{router.prefix}/{created.id}"

    return location


def holding(*roles: Role) -> Any:
    """The `Depends` of a principal holding one of `roles` (`kit.auth.require_roles`), for a
    feature's role alias: ``Reader = Annotated[Principal, holding(Role.AUDITOR)]``."""
    return Depends(require_roles(*roles))


QueryDep = Annotated[T, Depends()]
"""A dataclass of query parameters as one argument: ``query: QueryDep[CaseQuery]``."""
