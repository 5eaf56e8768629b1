"""A route's call: role checked, session and principal passed on, its answer's ETag, If-Match
and the 201 of a creation."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Response
from pydantic import BaseModel

from kit.auth import Role
from kit.routes import (
    NOT_FOUND,
    Call,
    Change,
    Creation,
    QueryDep,
    call_by,
    change_by,
    creates,
    creation_by,
    location_in,
)
from kit.testing.apps import RouterClient
from kit.testing.tokens import LocalIssuer

router = APIRouter(prefix="/v1/test/things")

Reading = Annotated[Call, call_by(Role.CASE_WORKER)]
Changing = Annotated[Change, change_by(Role.COORDINATOR)]
Creating = Annotated[Creation, creation_by(Role.COORDINATOR)]


class ThingPublic(BaseModel):
    id: uuid.UUID
    version: int
    subject: str


@dataclass
class ThingQuery:
    colour: str | None = None


THING = uuid.UUID("00000000-0000-4000-8000-000000000001")


@router.get("", summary="List")
async def list_things(call: Reading, query: QueryDep[ThingQuery]) -> dict[str, str | None]:
    return {"subject": call.by["principal"].subject, **asdict(query)}


@router.get("/{thing_id}", responses=NOT_FOUND, summary="One")
async def get_thing(thing_id: uuid.UUID, call: Reading) -> ThingPublic:
    return call.etagged(3, ThingPublic(id=thing_id, version=3, subject=call.principal.subject))


@router.post("/{thing_id}/change", summary="Change")
async def change_thing(thing_id: uuid.UUID, change: Changing) -> dict[str, str | None]:
    return {"if_match": change.by["if_match"]}


@router.post("", **creates(ThingPublic, 409), summary="Create")
async def create_thing(creation: Creating) -> Response:
    async def create() -> ThingPublic:
        return ThingPublic(id=THING, version=1, subject=creation.principal.subject)

    return await creation.created(create, location=location_in(router))


@pytest.fixture
async def api(serve_router: RouterClient) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_router(router) as http:
        yield http


async def test_a_call_needs_one_of_its_roles(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    assert (await api.get("/v1/test/things")).status_code == 401
    denied = await api.get("/v1/test/things", headers=local_issuer.headers("coordinator"))
    assert denied.status_code == 403
    allowed = await api.get(
        "/v1/test/things?colour=red", headers=local_issuer.headers("case-worker")
    )
    assert allowed.status_code == 200
    assert allowed.json()["colour"] == "red"


async def test_one_entity_is_answered_with_its_etag(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    answer = await api.get(f"/v1/test/things/{THING}", headers=local_issuer.headers("case-worker"))
    assert answer.status_code == 200
    assert answer.headers["ETag"] == '"3"'


async def test_a_change_carries_the_if_match_it_was_made_from(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    headers = {**local_issuer.headers("coordinator"), "If-Match": '"2"'}
    answer = await api.post(f"/v1/test/things/{THING}/change", headers=headers)
    assert answer.json() == {"if_match": '"2"'}


async def test_a_creation_answers_201_with_location_and_etag(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    headers = {**local_issuer.headers("coordinator"), "Idempotency-Key": "k-1"}
    first = await api.post("/v1/test/things", headers=headers)
    again = await api.post("/v1/test/things", headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.headers["Location"] == f"/v1/test/things/{THING}"
    assert first.headers["ETag"] == '"1"'
    assert again.headers["Idempotent-Replayed"] == "true"
