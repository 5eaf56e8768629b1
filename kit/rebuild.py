"""Rebuild a service's read model from scratch by replaying the topics it consumes.

A read model is derived data: every row of it comes from events still kept on Kafka. The
rebuild empties the service's own tables and its consumers' inbox rows (not the kit's audit log
or policy versions: those are not derived), replays every subscription's topics through the
service's own handlers (`kit.inbox.replay`) and leaves each consumer group at the end it
reached. Stop the service first; start it again afterwards and it goes on live from there.
A rebuild that fails half-way leaves a partial read model: run it again, it starts over.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import MetaData, delete
from sqlmodel import col

from kit.db import Database
from kit.inbox import InboxEntry
from kit.inbox.replay import Progress, bounds, commit_group_offsets, replay
from kit.kafka import ensure_topics
from kit.migrations import upgrade_to_head
from kit.service import Subscription
from kit.settings import ServiceSettings


async def rebuild(
    settings: ServiceSettings,
    *,
    subscriptions: Sequence[Subscription],
    read_model: MetaData,
    migrations: Path,
    report: Callable[[Progress], None] = lambda _: None,
    batch_size: int = 2000,
) -> Progress:
    """Empty `read_model`'s tables in the service's database and replay `subscriptions` into
    them; the progress at the end (records read and their outcomes)."""
    bootstrap = settings.common.kafka_bootstrap_servers
    topics = sorted({topic for sub in subscriptions for topic in sub.topics})
    await ensure_topics(bootstrap, topics)
    await upgrade_to_head(migrations, settings.database_url)
    database = Database(settings.database_url, pool_size=settings.database_pool_size)
    try:
        consumers = [
            sub.consumer(settings, database.session, dead_letters=False) for sub in subscriptions
        ]
        groups = [consumer.name for consumer in consumers]
        async with database.session() as session:
            for table in reversed(read_model.sorted_tables):
                await session.exec(delete(table))
            await session.exec(delete(InboxEntry).where(col(InboxEntry.consumer).in_(groups)))
        start, end = await bounds(bootstrap, topics)
        progress = Progress(total=sum(end[tp] - start[tp] for tp in end))
        report(progress)
        for consumer in consumers:
            mine = {tp: offset for tp, offset in end.items() if tp.topic in consumer.topics}
            await replay(
                consumer,
                start=start,
                end=mine,
                progress=progress,
                report=report,
                batch_size=batch_size,
            )
            await commit_group_offsets(bootstrap, consumer.name, mine)
        progress.ended = time.monotonic()
        return progress
    finally:
        await database.dispose()


def bar(progress: Progress, width: int = 30) -> str:
    """One line of progress: a bar, records read of all, the rate and the time left."""
    share = progress.done / progress.total if progress.total else 1.0
    filled = round(width * share)
    left = progress.left
    eta = "--:--" if left is None else _clock(left)
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {share:4.0%} "
        f"{progress.done:,}/{progress.total:,} events  {progress.rate:,.0f} events/s  "
        f"{_clock(progress.elapsed)} elapsed, {eta} left"
    )


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
