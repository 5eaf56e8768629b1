"""Retention: a closed case is anonymised once the closure policy's period has passed, by a
job, once, with an event; what it said of its persons goes, its facts stay."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.db import Database
from kit.testing import casework as api
from kit.testing.apps import ServiceClient
from kit.testing.kafka import events_about
from kit.testing.services import service_client
from services.casework.app import create_app
from services.casework.retention.jobs import sweep
from services.casework.settings import CaseworkSettings

pytestmark = pytest.mark.integration

WORKER, SUPERVISOR = "caseworker.ponte", "supervisor.ponte"
ANONYMISED = "[anonymised]"

casework = service_client(create_app, CaseworkSettings, retention_interval_seconds=3600)


async def test_a_closed_case_is_anonymised_once_its_period_ends(
    casework: ServiceClient, realm: Realm, database: Database, stack: Stack
) -> None:
    worker = realm.headers(WORKER)
    case = await api.open_case(casework, worker)
    path = f"{api.CASES}/{case['id']}"
    plan = {"goals": [{"domain": "housing", "description": "Synthetic: Via Retentionzz 3"}]}
    assert (await casework.post(f"{path}/plan", json=plan, headers=worker)).is_success
    note = await casework.post(
        f"{path}/notes", json={"body": "Synthetic: Retentionzz said"}, headers=worker
    )
    asked = (await api.request_closure(casework, case["id"], worker)).json()
    assert (await api.decide(casework, asked["id"], realm.headers(SUPERVISOR))).is_success
    closed = (await casework.get(path, headers=worker)).json()
    due = datetime.fromisoformat(closed["anonymise_due_at"])
    assert due - datetime.fromisoformat(closed["closed_at"]) == timedelta(days=5 * 365 + 1)

    assert case["id"] not in {str(i) for i in await sweep(database, now=due - timedelta(seconds=1))}
    done = await sweep(database, now=due)
    assert case["id"] in {str(i) for i in done}
    assert case["id"] not in {str(i) for i in await sweep(database, now=due)}  # once

    after = (await casework.get(path, headers=worker)).json()
    assert after["anonymised_at"] is not None
    assert after["person_refs"] == []
    assert after["closure_reason"] is None
    assert (after["closure_outcome"], after["target_group"], after["municipio"]) == (
        closed["closure_outcome"],
        closed["target_group"],
        closed["municipio"],
    )
    kept = await casework.get(f"{path}/notes/{note.json()['id']}", headers=worker)
    assert kept.json()["body"] == ANONYMISED
    goals = (await casework.get(f"{path}/plan", headers=worker)).json()["goals"]
    assert [(g["domain"], g["description"]) for g in goals] == [("housing", ANONYMISED)]
    reopened = await api.change(casework, f"{path}/reopening", {"reason": "Synthetic"}, worker)
    assert reopened.status_code == 409
    assert "Retentionzz" not in (await casework.get(f"{path}/history", headers=worker)).text

    deadline = asyncio.get_running_loop().time() + 10
    while not await events_about(
        stack.kafka_bootstrap,
        "lgnet.casework.cases",
        case["id"],
        event_type="lgnet.casework.case.anonymised",
    ):
        assert asyncio.get_running_loop().time() < deadline, "no case.anonymised event"
        await asyncio.sleep(0.2)


async def test_a_reopened_case_is_no_longer_due(
    casework: ServiceClient, realm: Realm, database: Database
) -> None:
    worker = realm.headers(WORKER)
    case = await api.open_case(casework, worker)
    asked = (await api.request_closure(casework, case["id"], worker)).json()
    await api.decide(casework, asked["id"], realm.headers(SUPERVISOR))
    due = datetime.fromisoformat(
        (await casework.get(f"{api.CASES}/{case['id']}", headers=worker)).json()["anonymise_due_at"]
    )
    reopened = await api.change(
        casework, f"{api.CASES}/{case['id']}/reopening", {"reason": "Synthetic: back"}, worker
    )
    assert reopened.json()["anonymise_due_at"] is None
    assert case["id"] not in {str(i) for i in await sweep(database, now=due + timedelta(days=1))}
