"""Replay topics from their beginning through a consumer's handlers: a read model rebuilt.

`replay` reads every partition of the consumer's topics from the first record kept to the end
it found when it began (records published meanwhile are left to the live consumer), and applies
them with `EventConsumer.process_batch`: the same handlers, inbox and batching as live
consumption, so a replay into an empty read model ends where live consumption of the same
records did. It reports its progress as it goes (`Progress`).

Once replayed, `commit_group_offsets` moves the live consumer group to the end the replay
reached, so a service started afterwards goes on from there (the inbox refuses anything it
reads twice). The live service must be stopped meanwhile: a group with members refuses a
commit from outside it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from kit.inbox.consumer import EventConsumer

Offsets = Mapping[TopicPartition, int]


@dataclass
class Progress:
    """How far a replay is: records read of those it set out to read."""

    total: int
    done: int = 0
    batches: int = 0  # transactions the records were applied in
    outcomes: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None  # set when the replay is over

    @property
    def elapsed(self) -> float:
        return (self.ended if self.ended is not None else time.monotonic()) - self.started

    @property
    def rate(self) -> float:
        """Records per second so far (0 before the first)."""
        return self.done / self.elapsed if self.done and self.elapsed > 0 else 0.0

    @property
    def left(self) -> float | None:
        """Seconds left at the rate so far (None before a rate is known)."""
        return (self.total - self.done) / self.rate if self.rate else None


async def partitions(bootstrap_servers: str, topics: list[str]) -> list[TopicPartition]:
    """Every partition of ``topics`` the cluster knows (a topic it does not know has none)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics(sorted(set(topics)))
    finally:
        await admin.close()
    return sorted(
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        if topic["error_code"] == 0  # else unknown: nothing to read
        for partition in topic["partitions"]
    )


async def bounds(bootstrap_servers: str, topics: list[str]) -> tuple[Offsets, Offsets]:
    """The first offset kept and the end of every partition of ``topics``, as of now."""
    found = await partitions(bootstrap_servers, topics)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        if not found:
            return {}, {}
        return await consumer.beginning_offsets(found), await consumer.end_offsets(found)
    finally:
        await consumer.stop()


async def replay(
    target: EventConsumer,
    *,
    start: Offsets,
    end: Offsets,
    progress: Progress,
    report: Callable[[Progress], None] = lambda _: None,
    batch_size: int = 2000,
) -> None:
    """Apply the records of `target`'s topics in ``[start, end)`` of each partition through
    `target` (not started: it is only handed batches), calling `report` after each batch."""
    todo = {tp: offset for tp, offset in end.items() if offset > start.get(tp, 0)}
    if not todo:
        return
    reader = AIOKafkaConsumer(
        bootstrap_servers=target.bootstrap_servers,
        enable_auto_commit=False,
        max_partition_fetch_bytes=8 << 20,
        fetch_max_bytes=64 << 20,
    )
    await reader.start()
    try:
        reader.assign(list(todo))
        for tp in todo:
            reader.seek(tp, start.get(tp, 0))
        while todo:
            records = await _next_batch(reader, todo, batch_size)
            if not records:
                continue
            for outcome in await target.process_batch(records):
                progress.outcomes[outcome] = progress.outcomes.get(outcome, 0) + 1
            progress.done += len(records)
            progress.batches += 1
            report(progress)
    finally:
        await reader.stop()


async def _next_batch(
    reader: AIOKafkaConsumer, todo: dict[TopicPartition, int], batch_size: int
) -> list[ConsumerRecord[bytes, bytes]]:
    """Up to `batch_size` records before the ends in `todo`, from as many fetches as it
    takes (one fetch brings a partition's buffered records, often far fewer); a partition
    whose end is reached leaves `todo`."""
    records: list[ConsumerRecord[bytes, bytes]] = []
    while todo and len(records) < batch_size:
        polled = await reader.getmany(
            *todo, timeout_ms=200 if records else 1000, max_records=batch_size - len(records)
        )
        records += [
            record
            for tp, batch in polled.items()
            for record in batch
            if record.offset < todo.get(tp, 0)
        ]
        for tp in list(todo):
            # the position, not the last record: it steps over control records too
            if await reader.position(tp) >= todo[tp]:
                del todo[tp]
                reader.pause(tp)
        if not polled:
            break
    return records


async def commit_group_offsets(bootstrap_servers: str, group: str, offsets: Offsets) -> None:
    """Set consumer group `group`'s committed offsets to `offsets` (its members stopped)."""
    if not offsets:
        return
    committer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    await committer.start()
    try:
        committer.assign(list(offsets))
        await committer.commit(dict(offsets))
    finally:
        await committer.stop()
