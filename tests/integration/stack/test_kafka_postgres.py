"""The stack's Kafka and PostgreSQL are real and usable the way the services use them."""

from __future__ import annotations

import asyncio
import uuid

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from deploy.local.stack import Stack

pytestmark = pytest.mark.integration


async def test_idempotent_producer_round_trip(stack: Stack) -> None:
    topic = f"smoke-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(
        bootstrap_servers=stack.kafka_bootstrap, enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        for i in range(3):
            await producer.send_and_wait(topic, f"m{i}".encode(), key=b"same-key")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=stack.kafka_bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        got = [(await asyncio.wait_for(consumer.getone(), 20)).value for _ in range(3)]
    finally:
        await consumer.stop()
    assert got == [b"m0", b"m1", b"m2"]  # one key, one partition: order kept


def test_postgres_has_the_extensions_intake_needs(stack: Stack) -> None:
    url = stack.database_url("smoke").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
        assert conn.execute("SELECT levenshtein('Mohamed', 'Muhammad')").fetchone() == (3,)
    assert version is not None
    assert version[0].startswith("18")
