"""``python -m services.observatory rebuild``: replaying the topics into an empty observatory
gives exactly the read model, and so the figures, that live consumption built.

The live observatory (this module's, on a database of its own) has consumed every event on
the topics since the session began; once it has caught up, the command rebuilds another,
empty database from Kafka and the two are compared row by row and figure by figure.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import select

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.db import Database
from kit.inbox.replay import bounds
from kit.settings import REPO_ROOT
from kit.testing import intake as intake_api
from kit.testing.apps import ServiceClient
from kit.testing.services import fresh_database_url
from services.observatory.app import SUBSCRIPTIONS
from services.observatory.indicators import service
from services.observatory.indicators.catalogue import CATALOGUE
from services.observatory.indicators.domain import Cohort, Indicator
from services.observatory.tables import METADATA
from tests.integration.observatory.waiting import counted

pytestmark = pytest.mark.integration

TOPICS = sorted({topic for sub in SUBSCRIPTIONS for topic in sub.topics})


async def committed(bootstrap: str, group: str, partitions: list[TopicPartition]) -> dict[Any, Any]:
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await reader.start()
    try:
        return {tp: await reader.committed(tp) for tp in partitions}
    finally:
        await reader.stop()


async def caught_up(observatory: ServiceClient, bootstrap: str, within: float = 60) -> None:
    """Wait until the live observatory's consumer groups have committed the topics' ends."""
    _, end = await bounds(bootstrap, TOPICS)
    deadline = time.monotonic() + within
    for consumer in observatory.app.state.consumers:
        mine = [tp for tp in end if tp.topic in consumer.topics]
        while True:
            offsets = await committed(bootstrap, consumer.name, mine)
            if all((offsets[tp] or 0) >= end[tp] for tp in mine):
                break
            assert time.monotonic() < deadline, f"{consumer.name} is behind: {offsets}"
            await asyncio.sleep(0.2)


async def read_model(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the observatory's own tables, sorted."""
    database = Database(url)
    try:
        async with database.session(writes=False) as session:
            connection = await session.connection()
            return {
                table.name: sorted(tuple(row) for row in await connection.execute(select(table)))
                for table in METADATA.sorted_tables
            }
    finally:
        await database.dispose()


async def figures(url: str, cohort: Cohort) -> list[Any]:
    """Every indicator over `cohort` by its first two breakdowns (month and Municipio, but the
    caseload's Municipio and target group), as published."""
    database = Database(url)
    try:
        async with database.session(writes=False) as session:
            return [
                await service.published_breakdown(
                    session=session,
                    cohort=cohort,
                    indicator=indicator,
                    by=CATALOGUE[indicator].breakdowns[:2],
                    threshold=3,
                )
                for indicator in Indicator
            ]
    finally:
        await database.dispose()


async def test_a_rebuild_from_kafka_ends_in_exactly_the_live_figures(
    intake: httpx.AsyncClient,
    casework: httpx.AsyncClient,  # opens the cases the observatory counts
    observatory: ServiceClient,
    realm: Realm,
    stack: Stack,
) -> None:
    headers = realm.headers("intake.aurora")
    received_at = datetime(2011, 3, 1, tzinfo=UTC) + timedelta(minutes=uuid.uuid4().int % 40000)
    for n in range(7):
        created = await services_referral(intake, headers, received_at, municipio=1 + n % 3)
        if n % 2 == 0:
            await intake_api.hand_over(intake, created, headers, "assoc-ponte")
    bootstrap = stack.kafka_bootstrap
    live_url = observatory.app.state.database.url.render_as_string(hide_password=False)
    # casework opens the cases, then the observatory counts them: all of it on the topics
    # before the ends are taken
    cohort = Cohort(received_at, received_at + timedelta(seconds=1))
    await counted(
        observatory,
        cohort,
        within=60,
        referrals_received=7,
        referrals_handed_over=4,
        referrals_taken_in_charge=4,
    )
    await caught_up(observatory, bootstrap)

    rebuilt_url = fresh_database_url(stack, "observatory")
    prefix = f"rebuild-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "LGNET_OBSERVATORY_DATABASE_URL": rebuilt_url,
        "LGNET_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "LGNET_KEYCLOAK_ISSUER": stack.issuer,
        "LGNET_CONSUMER_GROUP_PREFIX": prefix,
        "LGNET_ENVIRONMENT": "test",
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.observatory", "rebuild"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    assert "events/s" in done.stderr  # the progress bar was drawn
    assert "left" in done.stderr
    assert "rebuilt from" in done.stderr

    live, rebuilt = await read_model(live_url), await read_model(rebuilt_url)
    assert rebuilt["referral_facts"], done.stderr
    assert rebuilt == live
    assert await figures(rebuilt_url, cohort) == await figures(live_url, cohort)

    # the rebuilt database's consumer groups were left at the end the replay reached
    _, end = await bounds(bootstrap, TOPICS)
    for sub in SUBSCRIPTIONS:
        mine = [tp for tp in end if tp.topic in sub.topics]
        offsets = await committed(bootstrap, f"{prefix}-observatory-{sub.name}", mine)
        assert all(offsets[tp] == end[tp] for tp in mine), offsets


async def services_referral(
    intake: httpx.AsyncClient, headers: dict[str, str], received_at: datetime, *, municipio: int
) -> httpx.Response:
    created = await intake.post(
        intake_api.REFERRALS,
        json={
            "channel": "hotline",
            "received_at": received_at.isoformat(),
            "place": {"municipio": municipio, "name": "Piazzale Loreto"},
            "urgency": "normal",
            "target_group": "vulnerable_family",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    return created
