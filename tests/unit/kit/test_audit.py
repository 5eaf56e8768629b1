"""The audit log: entries chained in the caller's transaction, tampering detected, auditors only."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import (
    GENESIS_HASH,
    AuditAction,
    AuditEntry,
    AuditPurpose,
    AuditScope,
    ChainReport,
    audit_router,
    entry_hash,
    record_access,
    verify_chain,
)
from kit.auth import Role
from kit.db import Database, SessionDep
from kit.logs import RequestIdMiddleware
from kit.migrations import upgrade_to_head
from kit.pagination import Page
from kit.testing.apps import RouterClient
from kit.testing.principals import principal
from kit.testing.tokens import LocalIssuer

ROOT = Path(__file__).resolve().parents[3]

OPERATOR = principal("desk.aurora", "coop-aurora", Role.INTAKE_OPERATOR)


async def access(
    session: AsyncSession,
    action: AuditAction = AuditAction.READ,
    resource_id: uuid.UUID | None = None,
    *,
    purpose: AuditPurpose = AuditPurpose.CASE_MANAGEMENT,
    resource_type: str = "person",
) -> None:
    """``OPERATOR``'s ``action`` on a person (a new id unless given), recorded in ``session``."""
    await record_access(
        session,
        OPERATOR,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id or uuid.uuid4(),
        purpose=purpose,
    )


async def audit(db: Database, count: int) -> list[uuid.UUID]:
    """``count`` reads, each committed in a transaction of its own; their resource ids."""
    ids = [uuid.uuid4() for _ in range(count)]
    for resource_id in ids:
        async with db.session() as session:
            await access(session, resource_id=resource_id)
    return ids


async def entries(db: Database) -> list[AuditEntry]:
    async with db.session() as session:
        return list(await session.exec(select(AuditEntry).order_by(col(AuditEntry.sequence))))


async def raw(db: Database, *statements: str) -> None:
    """Tamper with the table as someone with the database's owner rights could."""
    async with db.engine.begin() as connection:
        await connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        await connection.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        for statement in statements:
            await connection.execute(text(statement))


async def report(db: Database) -> ChainReport:
    async with db.session() as session:
        return await verify_chain(session)


async def first_problem(db: Database) -> tuple[int, str]:
    """Where and how `verify_chain` finds the chain broken (it must find it broken)."""
    result = await report(db)
    assert not result.ok
    assert result.first_problem is not None
    return result.first_problem.sequence, result.first_problem.kind


# --- the chain -------------------------------------------------------------------------


async def test_committed_accesses_form_an_intact_chain(db: Database) -> None:
    ids = await audit(db, 5)

    rows = await entries(db)
    assert [row.sequence for row in rows] == [1, 2, 3, 4, 5]
    assert [row.resource_id for row in rows] == ids
    assert rows[0].previous_hash == GENESIS_HASH
    assert all(b.previous_hash == a.hash for a, b in itertools.pairwise(rows))
    assert all(entry_hash(row) == row.hash for row in rows)
    first = rows[0]
    assert (first.subject, first.username, first.client_id, first.organisation) == (
        OPERATOR.subject,
        "desk.aurora",
        "lgnet-web",
        "coop-aurora",
    )
    assert (first.action, first.resource_type, first.purpose) == (
        "read",
        "person",
        "case_management",
    )
    result = await report(db)
    assert result.ok
    assert (result.entries_checked, result.head_sequence, result.head_hash) == (5, 5, rows[-1].hash)


async def test_an_empty_log_verifies(db: Database) -> None:
    result = await report(db)
    assert result.ok
    assert (result.entries_checked, result.head_sequence) == (0, None)


async def test_a_rolled_back_transaction_leaves_no_entry(db: Database) -> None:
    async def failing_change() -> None:
        async with db.session() as session:
            await access(session, AuditAction.UPDATE)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        await failing_change()
    await audit(db, 1)

    assert [row.action for row in await entries(db)] == ["read"]
    assert (await report(db)).ok


async def test_an_access_inside_a_rolled_back_savepoint_is_not_audited(db: Database) -> None:
    kept, dropped = uuid.uuid4(), uuid.uuid4()
    async with db.session() as session:
        await access(session, AuditAction.READ, kept, purpose=AuditPurpose.DUPLICATE_RESOLUTION)
        savepoint = await session.begin_nested()
        await access(session, AuditAction.MERGE, dropped, purpose=AuditPurpose.DUPLICATE_RESOLUTION)
        await savepoint.rollback()

    assert [row.resource_id for row in await entries(db)] == [kept]


async def test_several_accesses_in_one_transaction_are_consecutive(db: Database) -> None:
    async with db.session() as session:
        for action in (AuditAction.READ, AuditAction.UPDATE, AuditAction.EXPORT):
            await access(
                session,
                action,
                resource_type="case",
                purpose=AuditPurpose.SUBJECT_ACCESS_REQUEST,
            )
    assert [row.action for row in await entries(db)] == ["read", "update", "export"]
    assert (await report(db)).ok


async def test_only_codes_from_the_vocabularies_are_accepted(db: Database) -> None:
    async with db.session() as session:
        with pytest.raises(ValueError, match="is not a valid AuditPurpose"):
            await access(session, purpose="checking on Mohamed")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="resource_type"):
            await access(session, resource_type="Person Mohamed Ali")
    assert await entries(db) == []


HOUSEHOLDS = AuditScope("household", AuditPurpose.REFERRAL_HANDLING)


async def test_a_scope_records_a_read_and_a_listed_page_in_one_line_each(db: Database) -> None:
    read_id, *listed = (uuid.uuid4() for _ in range(4))
    async with db.session() as session:
        await HOUSEHOLDS.record(session, OPERATOR, AuditAction.READ, read_id)
        await HOUSEHOLDS.record(session, OPERATOR, AuditAction.LIST, *listed)
        await HOUSEHOLDS.record(session, OPERATOR, AuditAction.LIST)  # an empty page: nothing
    rows = await entries(db)
    assert [(r.action, r.resource_id) for r in rows] == [
        ("read", read_id),
        *(("list", listed_id) for listed_id in listed),
    ]
    assert {(r.resource_type, r.purpose, r.subject) for r in rows} == {
        ("household", "referral_handling", OPERATOR.subject)
    }
    assert (await report(db)).ok


@dataclass(frozen=True)
class Row:
    id: uuid.UUID


async def test_a_scope_returns_what_it_audits_a_read_row_and_a_listed_page(
    db: Database,
) -> None:
    row = Row(uuid.uuid4())
    page = Page[Row](items=[Row(uuid.uuid4()), Row(uuid.uuid4())], next_cursor="n")
    async with db.session() as session:
        assert await HOUSEHOLDS.read(session, OPERATOR, row) is row
        assert await HOUSEHOLDS.listed(session, OPERATOR, page) is page
    assert [(r.action, r.resource_id) for r in await entries(db)] == [
        ("read", row.id),
        *(("list", item.id) for item in page.items),
    ]


def test_a_scope_takes_only_codes_from_the_vocabularies() -> None:
    with pytest.raises(ValueError, match="resource_type"):
        AuditScope("Household of Mohamed", AuditPurpose.REFERRAL_HANDLING)
    with pytest.raises(ValueError, match="is not a valid AuditPurpose"):
        AuditScope("household", "checking on Mohamed")  # type: ignore[arg-type]


# --- tampering -------------------------------------------------------------------------


async def test_an_edited_entry_is_detected(db: Database) -> None:
    await audit(db, 5)
    await raw(db, "UPDATE audit_log SET purpose = 'erasure' WHERE sequence = 3")

    result = await report(db)
    assert not result.ok
    assert result.first_problem is not None
    assert (result.first_problem.sequence, result.first_problem.kind) == (3, "altered")
    assert result.entries_checked == 2


async def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link(db: Database) -> None:
    await audit(db, 5)
    row = (await entries(db))[2]
    row.organisation = "coop-other"
    forged = entry_hash(row)
    await raw(
        db,
        f"UPDATE audit_log SET organisation = 'coop-other', hash = '{forged}' WHERE sequence = 3",
    )

    assert await first_problem(db) == (4, "broken_link")


@pytest.mark.parametrize(
    ("count", "statements", "problem"),
    [
        pytest.param(5, ["DELETE FROM audit_log WHERE sequence = 2"], (2, "missing"), id="deleted"),
        pytest.param(
            4,
            [
                "DELETE FROM audit_log WHERE sequence = 2",
                "UPDATE audit_log SET sequence = sequence - 1 WHERE sequence > 2",
            ],
            (2, "altered"),
            id="deleted-and-renumbered",
        ),
        pytest.param(
            4,
            [
                "UPDATE audit_log SET sequence = -1 WHERE sequence = 2",
                "UPDATE audit_log SET sequence = 2 WHERE sequence = 3",
                "UPDATE audit_log SET sequence = 3 WHERE sequence = -1",
            ],
            (2, "altered"),
            id="reordered",
        ),
    ],
)
async def test_removed_and_moved_entries_are_detected(
    db: Database, count: int, statements: list[str], problem: tuple[int, str]
) -> None:
    await audit(db, count)
    await raw(db, *statements)

    assert await first_problem(db) == problem


async def test_an_inserted_entry_is_detected(db: Database) -> None:
    await audit(db, 3)
    rows = await entries(db)
    await raw(
        db,
        # make room at 2 (through negatives: a multi-row UPDATE may collide on the key)
        "UPDATE audit_log SET sequence = -sequence WHERE sequence >= 2",
        "UPDATE audit_log SET sequence = 1 - sequence WHERE sequence < 0",
        "INSERT INTO audit_log (sequence, recorded_at, subject, username, client_id, "
        "organisation, action, resource_type, resource_id, purpose, previous_hash, hash) "
        f"SELECT 2, recorded_at, subject, username, client_id, organisation, 'erase', "
        f"resource_type, resource_id, purpose, '{rows[0].hash}', '{'f' * 64}' "
        "FROM audit_log WHERE sequence = 1",
    )

    assert await first_problem(db) == (2, "altered")


async def test_the_triggers_refuse_update_and_delete(db: Database) -> None:
    await audit(db, 2)
    for statement in (
        "UPDATE audit_log SET purpose = 'erasure'",
        "DELETE FROM audit_log WHERE sequence = 1",
    ):
        with pytest.raises(IntegrityError, match="append-only"):
            async with db.engine.begin() as connection:
                await connection.execute(text(statement))
    assert (await report(db)).ok


@pytest.mark.parametrize("service", ["intake", "observatory"])
async def test_the_migrations_install_the_triggers(tmp_path: Path, service: str) -> None:
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    await upgrade_to_head(ROOT / "services" / service / "migrations", url)
    migrated = Database(url)
    try:
        await audit(migrated, 2)
        with pytest.raises(IntegrityError, match="append-only"):
            async with migrated.engine.begin() as connection:
                await connection.execute(text("DELETE FROM audit_log"))
        assert (await report(migrated)).ok
    finally:
        await migrated.dispose()


# --- the auditors' endpoints -------------------------------------------------------------


@pytest.fixture
async def api(serve_router: RouterClient) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_router(audit_router("/v1/test/audit")) as http:
        yield http


async def test_only_auditors_read_the_log(
    api: httpx.AsyncClient, local_issuer: LocalIssuer
) -> None:
    assert (await api.get("/v1/test/audit")).status_code == 401
    for path in ("/v1/test/audit", "/v1/test/audit/verify"):
        denied = await api.get(path, headers=local_issuer.headers("coordinator", "case-worker"))
        assert denied.status_code == 403
        assert denied.headers["content-type"] == "application/problem+json"
        assert (await api.get(path, headers=local_issuer.headers("auditor"))).status_code == 200


async def test_auditors_page_and_filter_the_log(
    api: httpx.AsyncClient, local_issuer: LocalIssuer, db: Database
) -> None:
    ids = await audit(db, 5)
    headers = local_issuer.headers("auditor")

    first = (await api.get("/v1/test/audit", params={"limit": 3}, headers=headers)).json()
    assert [e["sequence"] for e in first["items"]] == [5, 4, 3]
    second = await api.get(
        "/v1/test/audit", params={"limit": 3, "cursor": first["next_cursor"]}, headers=headers
    )
    assert [e["sequence"] for e in second.json()["items"]] == [2, 1]
    assert second.json()["next_cursor"] is None

    one = await api.get("/v1/test/audit", params={"resource_id": str(ids[1])}, headers=headers)
    assert [e["sequence"] for e in one.json()["items"]] == [2]
    by_subject = await api.get(
        "/v1/test/audit",
        params={"subject": OPERATOR.subject, "resource_type": "person"},
        headers=headers,
    )
    assert len(by_subject.json()["items"]) == 5
    rows = await entries(db)
    window = await api.get(
        "/v1/test/audit",
        params={"since": rows[1].recorded_at.isoformat(), "until": rows[3].recorded_at.isoformat()},
        headers=headers,
    )
    assert [e["sequence"] for e in window.json()["items"]] == [3, 2]
    naive = await api.get(
        "/v1/test/audit", params={"since": "2026-01-01T00:00:00"}, headers=headers
    )
    assert naive.status_code == 422


async def test_auditors_verify_the_chain(
    api: httpx.AsyncClient, local_issuer: LocalIssuer, db: Database
) -> None:
    await audit(db, 3)
    auditor = local_issuer.headers("auditor")
    report_ok = (await api.get("/v1/test/audit/verify", headers=auditor)).json()
    assert report_ok["ok"] is True
    assert report_ok["head_sequence"] == 3

    await raw(db, "DELETE FROM audit_log WHERE sequence = 1")
    broken = (await api.get("/v1/test/audit/verify", headers=auditor)).json()
    assert broken["ok"] is False
    assert broken["first_problem"]["kind"] == "missing"


async def test_a_request_records_its_request_id(db: Database) -> None:
    app = FastAPI()
    app.state.database = db
    app.add_middleware(RequestIdMiddleware)

    @app.get("/persons/{person_id}")
    async def read_person(person_id: uuid.UUID, session: SessionDep) -> dict[str, str]:
        await access(session, resource_id=person_id)
        return {}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get(f"/persons/{uuid.uuid4()}")
    (row,) = await entries(db)
    assert row.request_id is not None
    assert row.request_id in response.headers.values()
