"""Versioned policy: the rule in force when something happened, history never rewritten."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kit.auth import Role
from kit.db import Database, utcnow
from kit.migrations import kit_metadata
from kit.policy import (
    InvalidPolicyDocument,
    PolicyBackdated,
    PolicyKind,
    PolicyProposal,
    current,
    current_version,
    history,
    policy_router,
    propose,
)
from kit.testing.apps import RouterClient
from kit.testing.principals import principal
from kit.testing.tokens import LocalIssuer


class SlaHours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    first_contact: int = Field(default=24, gt=0)
    hand_over: int = Field(default=72, gt=0)


class Elsewhere(BaseModel):
    pass


SLA = PolicyKind("test.sla", SlaHours, default=SlaHours(), description="SLA deadlines (hours)")
OTHER = PolicyKind("test.other", SlaHours, default=SlaHours(first_contact=1))

COORDINATOR = principal("coordinator.comune", "comune-milano", Role.COORDINATOR)
JAN = datetime(2026, 1, 1, tzinfo=UTC)


async def propose_sla(db: Database, hours: int, effective_from: datetime) -> int:
    async with db.session() as session:
        record = await propose(
            session,
            SLA,
            {"first_contact": hours},
            effective_from=effective_from,
            principal=COORDINATOR,
            why="co-design round",
        )
    return record.version


async def sla_at(db: Database, at: datetime) -> SlaHours:
    async with db.session() as session:
        return await current(session, SLA, at=at)


async def test_the_default_is_in_force_until_a_version_takes_effect(db: Database) -> None:
    assert await sla_at(db, JAN) == SlaHours()
    await propose_sla(db, 12, JAN)

    assert (await sla_at(db, JAN - timedelta(microseconds=1))).first_contact == 24
    assert (await sla_at(db, JAN)).first_contact == 12
    assert (await sla_at(db, JAN + timedelta(days=400))).first_contact == 12


async def test_events_are_judged_under_the_version_in_force_when_they_happened(
    db: Database,
) -> None:
    last_year, last_week, next_year = (utcnow() + timedelta(days=days) for days in (-365, -7, 365))
    assert await propose_sla(db, 12, last_year) == 1
    assert await propose_sla(db, 8, last_week) == 2
    assert await propose_sla(db, 6, next_year) == 3

    assert (await sla_at(db, last_year + timedelta(days=30))).first_contact == 12
    assert (await sla_at(db, last_week + timedelta(days=1))).first_contact == 8
    async with db.session() as session:
        # the future version is recorded but not in force yet
        assert (await current(session, SLA)).first_contact == 8
        record = await current_version(session, SLA, at=next_year + timedelta(days=1))
        assert record is not None
        assert (record.version, record.why, record.organisation) == (
            3,
            "co-design round",
            "comune-milano",
        )
        assert (await current(session, OTHER, at=next_year)).first_contact == 1  # kinds apart
        assert [r.version for r in await history(session, SLA)] == [1, 2, 3]
        assert await history(session, OTHER) == []


async def test_a_version_may_not_take_effect_before_the_latest(db: Database) -> None:
    await propose_sla(db, 12, JAN)
    with pytest.raises(PolicyBackdated):
        await propose_sla(db, 10, JAN - timedelta(days=1))
    # nor at the same instant as a version already in force
    with pytest.raises(PolicyBackdated):
        await propose_sla(db, 10, JAN)
    async with db.session() as session:
        assert [r.document.first_contact for r in await history(session, SLA)] == [12]


async def test_a_scheduled_version_may_be_replaced_before_it_takes_effect(db: Database) -> None:
    next_year = utcnow() + timedelta(days=365)
    await propose_sla(db, 12, next_year)
    assert await propose_sla(db, 10, next_year) == 2

    assert (await sla_at(db, next_year)).first_contact == 10
    async with db.session() as session:
        assert [r.document.first_contact for r in await history(session, SLA)] == [12, 10]


async def test_a_document_not_matching_the_schema_is_refused(db: Database) -> None:
    async with db.session() as session:
        with pytest.raises(InvalidPolicyDocument) as refused:
            await propose(
                session,
                SLA,
                {"first_contact": -1, "colour": "red"},
                effective_from=JAN,
                principal=COORDINATOR,
                why="typo",
            )
        pointers = {error["pointer"] for error in refused.value.extensions["errors"]}
        assert pointers == {"#/document/first_contact", "#/document/colour"}
        with pytest.raises(ValueError, match="why"):
            await propose(
                session, SLA, SlaHours(), effective_from=JAN, principal=COORDINATOR, why="  "
            )
        with pytest.raises(ValueError, match="naive"):
            await propose(
                session,
                SLA,
                SlaHours(),
                effective_from=datetime(2026, 1, 1),
                principal=COORDINATOR,
                why="x",
            )
        assert await history(session, SLA) == []


def test_a_kind_needs_a_code_name_and_a_default_of_its_schema() -> None:
    with pytest.raises(ValueError, match="name"):
        PolicyKind("SLA deadlines", SlaHours, default=SlaHours())
    with pytest.raises(TypeError):
        PolicyKind("test.x", SlaHours, default=Elsewhere())


# --- property: current(at) is the latest version effective at or before `at` ------------------

_instants = st.integers(min_value=0, max_value=10_000).map(lambda m: JAN + timedelta(minutes=m))


async def _check_selection(effective: list[datetime], queries: list[datetime]) -> None:
    database = Database("sqlite:///:memory:")
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(kit_metadata().create_all)
        for hours, effective_from in enumerate(effective, start=1):
            await propose_sla(database, hours, effective_from)
        for at in queries:
            in_force = [i for i, when in enumerate(effective, start=1) if when <= at]
            expected = max(in_force) if in_force else SlaHours().first_contact
            assert (await sla_at(database, at)).first_contact == expected
    finally:
        await database.dispose()


@settings(max_examples=60, deadline=None)
@given(
    effective=st.lists(_instants, max_size=8, unique=True).map(sorted),
    queries=st.lists(_instants, min_size=1, max_size=10),
)
def test_current_is_the_latest_version_in_force(
    effective: list[datetime], queries: list[datetime]
) -> None:
    asyncio.run(_check_selection(effective, queries + effective))


# --- the HTTP API ----------------------------------------------------------------------


@pytest.fixture
async def api(serve_router: RouterClient) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_router(policy_router("/v1/test/policies", [SLA, OTHER])) as http:
        yield http


BODY = {"document": {"first_contact": 12}, "effective_from": "2026-01-01T00:00:00+01:00"}


async def test_coordinators_propose_and_everyone_reads(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    reader = local_issuer.headers("case-worker")
    default = await api.get("/v1/test/policies/test.sla", headers=reader)
    assert default.status_code == 200
    assert default.json()["version"] is None
    assert default.json()["document"] == {"first_contact": 24, "hand_over": 72}

    created = await api.post(
        "/v1/test/policies/test.sla/versions",
        json={**BODY, "why": "co-design 2026"},
        headers=local_issuer.headers("coordinator"),
    )
    assert created.status_code == 201, created.text
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == "/v1/test/policies/test.sla/versions/1"
    assert created.json()["effective_from"] == "2025-12-31T23:00:00Z"
    assert created.json()["document"] == {"first_contact": 12, "hand_over": 72}

    now = await api.get("/v1/test/policies/test.sla", headers=reader)
    assert (now.json()["version"], now.headers["ETag"]) == (1, '"1"')
    before = await api.get(
        "/v1/test/policies/test.sla", params={"at": "2025-06-01T00:00:00Z"}, headers=reader
    )
    assert before.json()["version"] is None
    located = await api.get(created.headers["Location"], headers=reader)
    assert located.json()["why"] == "co-design 2026"


async def test_only_coordinators_propose(api: httpx.AsyncClient, local_issuer: LocalIssuer) -> None:
    body = {**BODY, "why": "x"}
    assert (await api.post("/v1/test/policies/test.sla/versions", json=body)).status_code == 401
    denied = await api.post(
        "/v1/test/policies/test.sla/versions",
        json=body,
        headers=local_issuer.headers("case-supervisor", "auditor"),
    )
    assert denied.status_code == 403
    assert (await api.get("/v1/test/policies/test.sla")).status_code == 401


async def test_bad_proposals_are_problems(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    coordinator = local_issuer.headers("coordinator")
    url = "/v1/test/policies/test.sla/versions"

    invalid = await api.post(
        url, json={**BODY, "document": {"first_contact": "soon"}, "why": "x"}, headers=coordinator
    )
    assert invalid.status_code == 422
    assert invalid.headers["content-type"] == "application/problem+json"
    assert [e["pointer"] for e in invalid.json()["errors"]] == ["#/document/first_contact"]

    no_why = await api.post(url, json={**BODY, "why": " "}, headers=coordinator)
    assert no_why.status_code == 422
    naive = await api.post(
        url, json={**BODY, "effective_from": "2026-01-01T00:00:00", "why": "x"}, headers=coordinator
    )
    assert naive.status_code == 422

    assert (await api.post(url, json={**BODY, "why": "x"}, headers=coordinator)).status_code == 201
    backdated = await api.post(
        url,
        json={**BODY, "effective_from": "2025-01-01T00:00:00Z", "why": "x"},
        headers=coordinator,
    )
    assert backdated.status_code == 409
    assert backdated.json()["type"] == "urn:lgnet:problem:policy-backdated"

    unknown = await api.get("/v1/test/policies/test.nothing", headers=coordinator)
    assert unknown.status_code == 404
    missing = await api.get("/v1/test/policies/test.sla/versions/9", headers=coordinator)
    assert missing.status_code == 404


async def test_a_retried_proposal_is_recorded_once(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    headers = {**local_issuer.headers("coordinator"), "Idempotency-Key": "sla-2026"}
    url = "/v1/test/policies/test.sla/versions"
    first = await api.post(url, json={**BODY, "why": "x"}, headers=headers)
    again = await api.post(url, json={**BODY, "why": "x"}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    versions = await api.get(url, headers=headers)
    assert [v["version"] for v in versions.json()["items"]] == [1]


async def test_history_is_paginated(api: httpx.AsyncClient, local_issuer: LocalIssuer) -> None:
    coordinator = local_issuer.headers("coordinator")
    url = "/v1/test/policies/test.sla/versions"
    for year in (2026, 2027, 2028):
        body = {"document": {}, "effective_from": f"{year}-01-01T00:00:00Z", "why": f"{year}"}
        assert (await api.post(url, json=body, headers=coordinator)).status_code == 201

    page = (await api.get(url, params={"limit": 2}, headers=coordinator)).json()
    assert [v["version"] for v in page["items"]] == [1, 2]
    rest = await api.get(
        url, params={"limit": 2, "cursor": page["next_cursor"]}, headers=coordinator
    )
    assert [v["why"] for v in rest.json()["items"]] == ["2028"]
    assert rest.json()["next_cursor"] is None


@given(st.text(alphabet=st.sampled_from(" \t\x1c\x1f\u3000a\x00"), max_size=6))
def test_a_proposal_s_why_is_taken_exactly_when_its_schema_says_so(why: str) -> None:
    """What counts as blank is the schema's (the fuzzer sent "\\x1c", which Python's strip
    removes and the stated pattern does not)."""
    schema = PolicyProposal.model_json_schema()["properties"]["why"]
    stated = jsonschema.Draft202012Validator(schema).is_valid(why)
    body = {"document": {}, "effective_from": "2026-01-01T00:00:00Z", "why": why}
    try:
        PolicyProposal.model_validate(body)
    except ValidationError:
        taken = False
    else:
        taken = True
    assert taken is stated
