"""What a route works with, so that its body is only what it does.

A feature names who may call it once, as a `Call` per role set (a `Change` for a change of
one versioned entity, a `Creation` for a POST that creates), and each route takes its input
and that call::

    Reading = Annotated[Call, call_by(Role.CASE_WORKER, Role.COORDINATOR)]

    @router.get("/{case_id}", responses=NOT_FOUND, summary="One case")
    async def get_case(case_id: uuid.UUID, call: Reading) -> CasePublic:
        case = await service.get(**call.by, case_id=case_id)
        return call.etagged(case.version, CasePublic.model_validate(case))

A list takes its query parameters as one dataclass (`QueryDep`); a creation answers 201 with
``Location`` and ``ETag`` through `Creation.created`, its decorator arguments from `creates`;
`NOT_FOUND` and `NOT_FOUND_OR_CONFLICT` are the ``responses=`` most routes document.
"""

# No `from __future__ import annotations`: FastAPI reads the signatures of the dependencies
# built here (`_call_of`, `change_by`, `creation_by`), which name local values, not globals.

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypedDict, TypeVar

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal, Role, require_roles
from kit.db import SessionDep
from kit.errors import problem_responses
from kit.etag import IfMatchDep, set_etag
from kit.idempotency import Idempotency, IdempotencyDep

T = TypeVar("T")


class Caller(TypedDict):
    """The keywords every use case takes first: the request's session and its principal."""

    session: AsyncSession
    principal: Principal


@dataclass(frozen=True)
class Call:
    """A request as its route's use case needs it: the session, the principal (who passed the
    feature's role check) and the response whose headers the route sets."""

    session: AsyncSession
    principal: Principal
    response: Response

    @property
    def by(self) -> Caller:
        """``session=`` and ``principal=`` for a use case: ``service.get(**call.by, …)``."""
        return Caller(session=self.session, principal=self.principal)

    def etagged(self, version: int, body: T) -> T:
        """`body`, with the ETag of `version` (`kit.etag.etag_for`) on the response: what a
        read or a change of one versioned entity answers."""
        set_etag(self.response, version)
        return body


class Changer(Caller):
    """`Caller`, and the ``If-Match`` a change of one versioned entity was made from."""

    if_match: str | None


@dataclass(frozen=True)
class Change(Call):
    """The `Call` of a change to one versioned entity: the ``If-Match`` it was made from
    (the use case answers 428 without it and 412 when it is stale)."""

    if_match: str | None

    @property
    def by(self) -> Changer:
        """``session=``, ``principal=`` and ``if_match=`` for a use case."""
        return Changer(session=self.session, principal=self.principal, if_match=self.if_match)


@dataclass(frozen=True)
class Creation(Call):
    """The `Call` of a POST that creates, with its ``Idempotency-Key`` handling."""

    idem: Idempotency

    async def created(
        self,
        create: Callable[[], Awaitable[T]],
        *,
        location: Callable[[T], str],
        version: Callable[[T], int] | None = None,
        kept: Callable[[T], Any] | None = None,
    ) -> Response:
        """201 with ``Location`` and ``ETag`` (`Idempotency.created`), `create` run at most
        once per ``Idempotency-Key`` of this principal (`kept`: what a replay answers, if
        not the same)."""
        return await self.idem.created(
            create, owner=self.principal.subject, location=location, version=version, kept=kept
        )


def _call_of(*roles: Role) -> Callable[..., Awaitable[Call]]:
    principal_with_role = require_roles(*roles)

    async def call(
        session: SessionDep,
        principal: Annotated[Principal, Depends(principal_with_role)],
        response: Response,
    ) -> Call:
        return Call(session=session, principal=principal, response=response)

    return call


def call_by(*roles: Role) -> Any:
    """The `Depends` of a `Call` by a principal holding one of `roles` (403 otherwise):
    ``Reading = Annotated[Call, call_by(Role.AUDITOR)]``."""
    return Depends(_call_of(*roles))


def change_by(*roles: Role) -> Any:
    """`call_by` for a change of one versioned entity (``Changing = Annotated[Change,
    change_by(…)]``); its route documents the ``If-Match`` header."""
    call_of = _call_of(*roles)

    async def change(call: Annotated[Call, Depends(call_of)], if_match: IfMatchDep) -> Change:
        return Change(call.session, call.principal, call.response, if_match)

    return Depends(change)


def creation_by(*roles: Role) -> Any:
    """`call_by` for a POST that creates (its route documents ``Idempotency-Key``):
    ``Creating = Annotated[Creation, creation_by(…)]``."""
    call_of = _call_of(*roles)

    async def creation(call: Annotated[Call, Depends(call_of)], idem: IdempotencyDep) -> Creation:
        return Creation(call.session, call.principal, call.response, idem)

    return Depends(creation)


def creates(model: type[BaseModel], *problems: int) -> dict[str, Any]:
    """A creation route's decorator arguments: a 201 answering `model` (the route returns
    `Creation.created`'s response) and the `problems` it documents:
    ``@router.post("", **creates(ReferralPublic, 409), summary="Receive a referral")``."""
    return {"status_code": 201, "response_model": model, "responses": problem_responses(*problems)}


NOT_FOUND = problem_responses(404)
"""``responses=`` of a route reading one thing: it may not exist (or not be visible)."""

NOT_FOUND_OR_CONFLICT = problem_responses(404, 409)
"""``responses=`` of a route changing one thing: it may not exist, or refuse the change."""

QueryDep = Annotated[T, Depends()]
"""A dataclass of query parameters as one argument: ``query: QueryDep[CaseQuery]``."""


class Identified(Protocol):
    """A created resource's public schema: it carries its id."""

    @property
    def id(self) -> uuid.UUID: ...


def location_in(router: APIRouter) -> Callable[[Identified], str]:
    """The ``Location`` of a resource `router` creates: ``<router.prefix>/<id>``."""

    def location(created: Identified) -> str:
        return f"{router.prefix}/{created.id}"

    return location
