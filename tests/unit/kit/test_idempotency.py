"""A retried POST returns the first response and does the work once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI, Response
from sqlmodel import Field, func, select

from kit.db import Database, SessionDep, utcnow
from kit.errors import NotFound
from kit.idempotency import (
    IdempotencyDep,
    IdempotencyRecord,
    purge_expired,
    request_fingerprint,
)
from kit.problems import install_problem_handlers
from kit.schemas import ClosedModel, PublicModel
from kit.testing.apps import ClientFactory
from kit.testing.settings import install_test_settings
from kit.testing.tables import ScratchTable


class Contact(ScratchTable, table=True):
    __tablename__ = "contacts"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    place: str


class ContactIn(ClosedModel):
    place: str


class ContactPublic(PublicModel):
    id: uuid.UUID
    place: str


def make_app(db: Database, gate: asyncio.Event | None = None, **common: Any) -> FastAPI:
    app = FastAPI()
    app.state.database = db
    install_test_settings(app, **common)
    install_problem_handlers(app)

    @app.post("/contacts", status_code=201, response_model=ContactPublic)
    async def create(contact_in: ContactIn, session: SessionDep, idem: IdempotencyDep) -> Response:
        async def use_case() -> ContactPublic:
            if contact_in.place == "nowhere":
                raise NotFound("No such place.")
            contact = Contact(place=contact_in.place)
            session.add(contact)
            await session.flush()
            if gate is not None:
                await gate.wait()
            return ContactPublic.model_validate(contact)

        return await idem.run(
            use_case,
            owner="org-1:alice",
            status_code=201,
            headers=lambda c: {"Location": f"/contacts/{c.id}"},
        )

    @app.post("/versioned", status_code=201, response_model=VersionedPublic)
    async def create_versioned(contact_in: ContactIn, idem: IdempotencyDep) -> Response:
        async def use_case() -> VersionedPublic:
            return VersionedPublic(id=uuid.uuid4(), place=contact_in.place, version=3)

        return await idem.created(
            use_case, owner="org-1:alice", location=lambda c: f"/versioned/{c.id}"
        )

    return app


class VersionedPublic(ContactPublic):
    version: int


async def contacts(db: Database) -> int:
    async with db.session() as session:
        return (await session.exec(select(func.count()).select_from(Contact))).one()


async def test_retry_replays_the_first_response(db: Database, client: ClientFactory) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    async with client(make_app(db)) as http:
        first = await http.post("/contacts", json={"place": "Municipio 2"}, headers=key)
        retry = await http.post(
            "/contacts",
            content=b'{ "place":"Municipio 2" }',
            headers={**key, "Content-Type": "application/json"},
        )
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await contacts(db) == 1


async def test_without_a_key_every_request_runs(db: Database, client: ClientFactory) -> None:
    async with client(make_app(db)) as http:
        a = await http.post("/contacts", json={"place": "Municipio 2"})
        b = await http.post("/contacts", json={"place": "Municipio 2"})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]
    assert await contacts(db) == 2


async def test_same_key_for_another_request_is_refused(db: Database, client: ClientFactory) -> None:
    key = {"Idempotency-Key": "k-1"}
    async with client(make_app(db)) as http:
        await http.post("/contacts", json={"place": "Municipio 2"}, headers=key)
        other = await http.post("/contacts", json={"place": "Municipio 9"}, headers=key)
    assert other.status_code == 422
    assert other.json()["type"] == "urn:lgnet:problem:idempotency-key-reused"
    assert await contacts(db) == 1


async def test_failed_requests_store_nothing_and_can_be_retried(
    db: Database, client: ClientFactory
) -> None:
    key = {"Idempotency-Key": "k-2"}
    async with client(make_app(db)) as http:
        failed = await http.post("/contacts", json={"place": "nowhere"}, headers=key)
        again = await http.post("/contacts", json={"place": "nowhere"}, headers=key)
    assert failed.status_code == again.status_code == 404
    assert "Idempotent-Replayed" not in again.headers
    async with db.session() as session:
        assert (await session.exec(select(IdempotencyRecord))).all() == []


async def test_concurrent_duplicate_is_a_conflict(db: Database, client: ClientFactory) -> None:
    gate = asyncio.Event()
    key = {"Idempotency-Key": "k-3"}
    async with client(make_app(db, gate)) as http:
        first = asyncio.create_task(
            http.post("/contacts", json={"place": "Municipio 1"}, headers=key)
        )
        await asyncio.sleep(0.2)  # the first request is now waiting at the gate
        duplicate = await http.post("/contacts", json={"place": "Municipio 1"}, headers=key)
        gate.set()
        done = await first
        retry = await http.post("/contacts", json={"place": "Municipio 1"}, headers=key)
    assert duplicate.status_code == 409
    assert duplicate.json()["type"] == "urn:lgnet:problem:idempotency-key-in-flight"
    assert done.status_code == 201
    assert retry.json() == done.json()
    assert await contacts(db) == 1


async def test_expired_keys_run_again(db: Database, client: ClientFactory) -> None:
    key = {"Idempotency-Key": "k-4"}
    app = make_app(db)
    async with client(app) as http:
        first = await http.post("/contacts", json={"place": "Municipio 4"}, headers=key)
        async with db.session() as session:
            record = await session.get(IdempotencyRecord, ("org-1:alice", "k-4"))
            assert record is not None
            record.created_at = utcnow() - timedelta(days=2)
        second = await http.post("/contacts", json={"place": "Municipio 4"}, headers=key)
    assert second.json()["id"] != first.json()["id"]
    assert "Idempotent-Replayed" not in second.headers
    async with db.session() as session:
        assert await purge_expired(session, timedelta(seconds=0)) == 1


@pytest.mark.parametrize(("ttl_seconds", "replayed"), [(60, True), (10, False)])
async def test_the_ttl_setting_decides_when_a_key_expires(
    db: Database, client: ClientFactory, ttl_seconds: int, replayed: bool
) -> None:
    key = {"Idempotency-Key": f"ttl-{ttl_seconds}"}
    app = make_app(db, idempotency_ttl_seconds=ttl_seconds)  # LGNET_IDEMPOTENCY_TTL_SECONDS
    async with client(app) as http:
        first = await http.post("/contacts", json={"place": "Municipio 4"}, headers=key)
        async with db.session() as session:
            record = await session.get(IdempotencyRecord, ("org-1:alice", key["Idempotency-Key"]))
            assert record is not None
            record.created_at = utcnow() - timedelta(seconds=30)
        second = await http.post("/contacts", json={"place": "Municipio 4"}, headers=key)
    assert (second.json()["id"] == first.json()["id"]) is replayed
    assert ("Idempotent-Replayed" in second.headers) is replayed
    assert await contacts(db) == (1 if replayed else 2)


async def test_created_sets_location_and_etag_and_replays_them(
    db: Database, client: ClientFactory
) -> None:
    key = {"Idempotency-Key": "created-1"}
    async with client(make_app(db)) as http:
        first = await http.post("/versioned", json={"place": "Municipio 1"}, headers=key)
        retry = await http.post("/versioned", json={"place": "Municipio 1"}, headers=key)
    assert first.status_code == retry.status_code == 201
    assert first.headers["Location"] == f"/versioned/{first.json()['id']}"
    assert first.headers["ETag"] == '"3"'
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["ETag"] == '"3"'
    assert retry.headers["Idempotent-Replayed"] == "true"


async def test_created_without_a_version_sets_no_etag(db: Database, client: ClientFactory) -> None:
    app = FastAPI()
    app.state.database = db
    install_test_settings(app)

    @app.post("/contacts", status_code=201, response_model=ContactPublic)
    async def create(contact_in: ContactIn, idem: IdempotencyDep) -> Response:
        async def use_case() -> ContactPublic:
            return ContactPublic(id=uuid.uuid4(), place=contact_in.place)

        return await idem.created(use_case, owner="o", location=lambda c: f"/contacts/{c.id}")

    async with client(app) as http:
        response = await http.post("/contacts", json={"place": "Municipio 1"})
    assert response.status_code == 201
    assert response.headers["Location"] == f"/contacts/{response.json()['id']}"
    assert "ETag" not in response.headers


@pytest.mark.parametrize("bad", [b"", b"x" * 256, "clé".encode(), b"a\tb"])
async def test_malformed_keys_are_refused(db: Database, client: ClientFactory, bad: bytes) -> None:
    async with client(make_app(db)) as http:
        response = await http.post(
            "/contacts", json={"place": "Municipio 1"}, headers={b"Idempotency-Key": bad}
        )
    assert response.status_code == 400
    assert response.json()["type"] == "urn:lgnet:problem:invalid-idempotency-key"


async def test_structured_field_quotes_are_ignored(db: Database, client: ClientFactory) -> None:
    async with client(make_app(db)) as http:
        a = await http.post("/contacts", json={"place": "M"}, headers={"Idempotency-Key": '"k"'})
        b = await http.post("/contacts", json={"place": "M"}, headers={"Idempotency-Key": "k"})
    assert b.json() == a.json()


def test_fingerprint_ignores_json_layout_but_not_content() -> None:
    a = request_fingerprint("POST", "/contacts", "", b'{"a": 1, "b": [1, 2]}')
    b = request_fingerprint("POST", "/contacts", "", b'{"b":[1,2],"a":1}')
    c = request_fingerprint("POST", "/contacts", "", b'{"a": 1, "b": [2, 1]}')
    d = request_fingerprint("POST", "/contacts", "x=1", b'{"a": 1, "b": [1, 2]}')
    assert a == b
    assert len({a, c, d}) == 3


async def test_openapi_documents_the_header(db: Database) -> None:
    operation = make_app(db).openapi()["paths"]["/contacts"]["post"]
    assert {"name": "Idempotency-Key", "in": "header"}.items() <= operation["parameters"][0].items()
    assert operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ContactPublic"
    )
