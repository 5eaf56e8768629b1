"""Query parameters: unknown names are 400, NUL in a value 422, and `where_given` (and a
`Listing`) narrows a query by the filters given only."""

from __future__ import annotations

import operator
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

import httpx
from fastapi import Depends, FastAPI
from sqlmodel import select

from kit.audit.models import AuditEntry
from kit.db import Database, utcnow
from kit.errors import PROBLEM_JSON
from kit.inbox.models import InboxEntry
from kit.problems import install_problem_handlers
from kit.query import Listing, first, reject_unknown_query_parameters, where_given

ClientFactory = Callable[[FastAPI], AbstractAsyncContextManager[httpx.AsyncClient]]


def make_app() -> FastAPI:
    app = FastAPI(dependencies=[Depends(reject_unknown_query_parameters)])
    install_problem_handlers(app)

    @app.get("/things")
    async def things(status: str | None = None) -> dict[str, str | None]:
        return {"status": status}

    return app


async def get(client: ClientFactory, query: str) -> httpx.Response:
    async with client(make_app()) as http:
        return await http.get(f"/things?{query}")


async def test_a_declared_parameter_passes(client: ClientFactory) -> None:
    response = await get(client, "status=open")
    assert response.status_code == 200
    assert response.json() == {"status": "open"}


async def test_an_unknown_parameter_is_a_400_naming_it(client: ClientFactory) -> None:
    response = await get(client, "stauts=open")
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_JSON
    assert [e["parameter"] for e in response.json()["errors"]] == ["stauts"]


async def test_a_value_holding_nul_is_a_422_naming_the_parameter(client: ClientFactory) -> None:
    response = await get(client, "status=op%00en")
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "urn:lgnet:problem:validation-failed"
    assert body["errors"] == [
        {
            "location": "query",
            "parameter": "status",
            "detail": "must not contain NUL (U+0000) characters",
            "code": "string_nul",
        }
    ]


def _where(stmt: object) -> str:
    text = str(stmt)
    return text.partition("WHERE")[2].strip()


def test_only_the_given_filters_become_conditions() -> None:
    stmt = where_given(
        select(AuditEntry),
        (AuditEntry.resource_type, "referral"),
        (AuditEntry.subject, None),
        (AuditEntry.recorded_at, datetime(2026, 1, 1, tzinfo=UTC), operator.ge),
    )
    where = _where(stmt)
    assert "audit_log.resource_type = :resource_type_1" in where
    assert "audit_log.recorded_at >= :recorded_at_1" in where
    assert "subject" not in where


def test_no_filter_given_leaves_the_query_unfiltered() -> None:
    stmt = where_given(select(AuditEntry), (AuditEntry.subject, None))
    assert "WHERE" not in str(stmt)


ENTRIES = Listing(
    filters={
        "resource_type": AuditEntry.resource_type,
        "subject": AuditEntry.subject,
        "since": (AuditEntry.recorded_at, operator.ge),
    },
    order_by=(AuditEntry.sequence,),
)


def test_a_listing_narrows_by_its_filters_given_and_leaves_other_keys_alone() -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    where = _where(ENTRIES.narrow(select(AuditEntry), {"since": since, "subject": None, "x": 1}))
    assert where == "audit_log.recorded_at >= :recorded_at_1"
    assert "WHERE" not in str(ENTRIES.narrow(select(AuditEntry), {}))


async def test_first_is_the_first_row_or_none(db: Database) -> None:
    entry = InboxEntry(
        consumer="c", event_id=uuid.uuid4(), event_type="lgnet.t.x", processed_at=utcnow()
    )
    async with db.session() as session:
        session.add(entry)
    wanted = select(InboxEntry).where(InboxEntry.event_id == entry.event_id)
    async with db.session() as session:
        found = await first(session, wanted, for_update=True)
        assert found is not None
        assert found.event_type == "lgnet.t.x"
        assert await first(session, select(InboxEntry).where(InboxEntry.consumer == "x")) is None
