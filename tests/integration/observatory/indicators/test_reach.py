"""The initiatives' reach from real events on the stack's Kafka: a fixed scenario of
initiatives, sessions and check-ins, published as the events service publishes them (its own
payload models), and the observatory's figures checked against the answers worked out by
hand. The threshold is 1 here (only zeros hidden), so that every figure shows."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.events.types import EventType
from kit.testing.apps import ServiceClient
from kit.testing.kafka import publish
from kit.testing.resources import assert_problem
from kit.testing.services import service_client
from services.events.attendance.events import (
    AttendanceRecorded,
    AttendanceRecordedData,
    FeedbackGiven,
    FeedbackGivenData,
)
from services.events.initiatives.events import (
    InitiativeCreated,
    InitiativeCreatedData,
    InitiativePublished,
    InitiativePublishedData,
)
from services.events.sessions.events import SessionCancelled, SessionData, SessionScheduled
from services.observatory.app import create_app as create_observatory
from services.observatory.settings import ObservatorySettings
from tests.integration.observatory.waiting import published

pytestmark = pytest.mark.integration

INDICATORS = "/v1/observatory/indicators"
observatory = service_client(create_observatory, ObservatorySettings, suppression_threshold=1)
P = [uuid.uuid4() for _ in range(10)]  # beneficiaries' person references (P[0] unused)

# worked out by hand (Municipio 4, Municipio 8, total):
EXPECTED = {
    # s1, s2 in 4 and s3 in 8; s4 cancelled, s5 of a draft
    "initiative_sessions": (2, 1, 3),
    # s1: 5 checked in + 2 walk-ins; s2: 4 + 1 after its second batch; s3: 3
    "initiative_attendances": (12, 3, 15),
    # P1 (s1, s2, s3) and P2 (s1, s2) came back, first in 4; P3-P7 once in 4; P8, P9 once in 8
    "initiative_participants": (7, 2, 9),
    "initiative_repeat_participants": (2, None, 2),  # none in 8: a 0, hidden
    # answers 5, 4, 2 on s1 and 5 on s3 (the draft's s5 had one too)
    "initiative_feedback": (3, 1, 4),
    "initiative_feedback_helpful": (2, 1, 3),  # 4 or 5
}


def _initiative(initiative_id: uuid.UUID, day: datetime, version: int, status: str) -> Any:
    return {
        "initiative_id": initiative_id,
        "version": version,
        "kind": "workshop",
        "status": status,
        "organiser_organisation": "assoc-ponte",
        "partner_organisations": [],
        "audience": "both",
        "topics": ["language"],
        "languages": ["it"],
        "municipio": 4,
        "starts_on": day.date(),
        "ends_on": day.date() + timedelta(days=1),
    }


def _session(
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    starts_at: datetime,
    municipio: int,
    *,
    version: int = 1,
    status: str = "scheduled",
) -> dict[str, Any]:
    return SessionData(
        session_id=session_id,
        initiative_id=initiative_id,
        version=version,
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        zone="Corvetto",
        venue_municipio=municipio,
        venue_accessible=True,
        capacity=30,
        languages=["it"],
        cultural_mediator=False,
        interpreter=False,
        changed_at=starts_at - timedelta(days=7),
    ).model_dump(mode="json")


def _attendance(
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    at: datetime,
    beneficiaries: list[uuid.UUID],
    totals: tuple[int, int],
) -> dict[str, Any]:
    return AttendanceRecordedData(
        initiative_id=initiative_id,
        session_id=session_id,
        checked_in=len(beneficiaries),
        walk_ins=0,
        refused=0,
        beneficiaries_checked_in=beneficiaries,
        total_checked_in=totals[0],
        total_walk_ins=totals[1],
        recorded_at=at,
    ).model_dump(mode="json")


def _feedback(
    initiative_id: uuid.UUID, session_id: uuid.UUID, day: datetime, usefulness: int
) -> dict[str, Any]:
    return FeedbackGivenData(
        initiative_id=initiative_id,
        session_id=session_id,
        registrant="beneficiary",
        usefulness=usefulness,
        given_at=day + timedelta(days=1),
    ).model_dump(mode="json")


async def _publish_scenario(stack: Stack, day: datetime) -> None:
    published, draft = uuid.uuid4(), uuid.uuid4()
    s1, s2, s3, s4, s5 = (uuid.uuid4() for _ in range(5))
    hour = timedelta(hours=1)
    created = datetime(2009, 12, 1, tzinfo=UTC)
    events: list[tuple[EventType[Any], dict[str, Any]]] = [
        (
            InitiativeCreated,
            InitiativeCreatedData(
                **_initiative(published, day, 1, "draft"), created_at=created
            ).model_dump(mode="json"),
        ),
        (
            InitiativePublished,
            InitiativePublishedData(
                **_initiative(published, day, 2, "published"), published_at=created
            ).model_dump(mode="json"),
        ),
        (SessionScheduled, _session(published, s1, day + 10 * hour, 4)),
        (SessionScheduled, _session(published, s2, day + 14 * hour, 4)),
        (SessionScheduled, _session(published, s3, day + 16 * hour, 8)),
        (SessionScheduled, _session(published, s4, day + 18 * hour, 4)),
        (
            SessionCancelled,
            _session(published, s4, day + 18 * hour, 4, version=2, status="cancelled"),
        ),
        (AttendanceRecorded, _attendance(published, s1, day + 11 * hour, P[1:6], (5, 2))),
        (AttendanceRecorded, _attendance(published, s2, day + 15 * hour, P[1:3], (2, 0))),
        (AttendanceRecorded, _attendance(published, s2, day + 15.5 * hour, P[6:8], (4, 1))),
        (AttendanceRecorded, _attendance(published, s3, day + 17 * hour, [P[1], *P[8:10]], (3, 0))),
        *((FeedbackGiven, _feedback(published, s1, day, score)) for score in (5, 4, 2)),
        (FeedbackGiven, _feedback(published, s3, day, 5)),
    ]
    await publish(stack.kafka_bootstrap, events, subject=str(published), organisation="assoc-ponte")
    of_a_draft: list[tuple[EventType[Any], dict[str, Any]]] = [
        (
            InitiativeCreated,
            InitiativeCreatedData(
                **_initiative(draft, day, 1, "draft"), created_at=created
            ).model_dump(mode="json"),
        ),
        (SessionScheduled, _session(draft, s5, day + 12 * hour, 4)),
        (AttendanceRecorded, _attendance(draft, s5, day + 13 * hour, P[1:4], (3, 0))),
        (FeedbackGiven, _feedback(draft, s5, day, 5)),
    ]
    await publish(stack.kafka_bootstrap, of_a_draft, subject=str(draft), organisation="assoc-ponte")


async def test_sessions_attendances_and_participants_are_the_scenarios(
    stack: Stack, observatory: ServiceClient, realm: Realm
) -> None:
    day = datetime(2010, 1, 1, tzinfo=UTC) + timedelta(days=uuid.uuid4().int % 3650)
    await _publish_scenario(stack, day)
    params = {
        "from": day.isoformat(),
        "to": (day + timedelta(days=1)).isoformat(),
        "by": ["municipio"],
    }
    headers = realm.headers("analyst.osservatorio")

    answers = await published(observatory, EXPECTED, _shown, params=params, headers=headers)

    body = answers["initiative_participants"]
    assert body["unit"] == "participants"
    assert body["cohort"]["en"] == "sessions held"
    # aggregates only: no person reference, nor its key
    assert not any(str(ref) in str(answers) for ref in P)


def _shown(body: dict[str, Any]) -> tuple[int | None, int | None, int | None]:
    cells = {cell["breakdown"]["municipio"]: cell["value"] for cell in body["cells"]}
    return cells["4"], cells["8"], body["total"]["value"]


async def test_an_initiative_indicator_is_not_broken_down_by_target_group(
    observatory: ServiceClient, realm: Realm
) -> None:
    today = date(2025, 1, 1)
    response = await observatory.get(
        f"{INDICATORS}/initiative_sessions",
        params={
            "from": f"{today.isoformat()}T00:00:00Z",
            "to": f"{today.replace(month=2).isoformat()}T00:00:00Z",
            "by": ["target_group"],
        },
        headers=realm.headers("analyst.osservatorio"),
    )
    assert_problem(response, 400, "urn:lgnet:problem:bad-breakdown")
