"""Kafka administration the services need: topics exist with the intended partitions."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = logging.getLogger(__name__)

DEFAULT_PARTITIONS = 3


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str],
    *,
    partitions: int = DEFAULT_PARTITIONS,
    replication_factor: int = 1,
) -> None:
    """Create the missing ``topics`` (an existing topic is left as it is)."""
    wanted = sorted(set(topics))
    if not wanted:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another replica won the race
                await admin.create_topics(
                    [NewTopic(t, partitions, replication_factor) for t in missing]
                )
            log.info("created topics %s", ", ".join(missing))
    finally:
        await admin.close()


async def kafka_reachable(bootstrap_servers: str, within: float = 2.0) -> bool:
    """True if the cluster answers a metadata request within ``within`` seconds."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, request_timeout_ms=int(within * 1000)
    )
    try:
        async with asyncio.timeout(within):
            await admin.start()
            await admin.describe_cluster()
        return True
    except Exception:
        return False
    finally:
        await admin.close()
