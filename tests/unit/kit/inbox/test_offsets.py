"""Offset commits, which run beside the next polls: a commit that fails keeps its offsets for
the next one, unless a newer offset of the partition came meanwhile (no Kafka: the consumer's
two calls a commit makes are answered here)."""

from __future__ import annotations

from typing import Any

from aiokafka import TopicPartition
from aiokafka.errors import KafkaConnectionError

from kit.inbox import EventConsumer

A = TopicPartition("lgnet.testkit.things", 0)
B = TopicPartition("lgnet.testkit.things", 1)


class Partitions:
    """What `EventConsumer._commit` asks of aiokafka's consumer: its assignment, and a commit
    that fails with a broken connection while `failing`, recording what it was asked."""

    def __init__(self, *assigned: TopicPartition) -> None:
        self.assigned = set(assigned)
        self.failing = False
        self.committed: list[dict[TopicPartition, int]] = []
        self.on_commit: Any = None  # called inside the commit, as a poll would run meanwhile

    def assignment(self) -> set[TopicPartition]:
        return self.assigned

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        if self.on_commit is not None:
            self.on_commit()
        if self.failing:
            raise KafkaConnectionError("coordinator gone")
        self.committed.append(dict(offsets))


def consumer() -> EventConsumer:
    return EventConsumer(
        name="offsets-test",
        topics=["lgnet.testkit.things"],
        handlers={},
        sessions=None,  # type: ignore[arg-type]  # applies nothing here
        bootstrap_servers="127.0.0.1:1",  # never started
    )


async def test_a_failed_commit_keeps_its_offsets_for_the_next() -> None:
    inbox, kafka = consumer(), Partitions(A, B)
    inbox._uncommitted = {A: 10, B: 4}
    kafka.failing = True
    await inbox._commit(kafka)
    assert inbox._uncommitted == {A: 10, B: 4}
    kafka.failing = False
    await inbox._commit(kafka)
    assert kafka.committed == [{A: 10, B: 4}]
    assert inbox._uncommitted == {}


async def test_a_newer_offset_wins_over_a_failed_commit() -> None:
    inbox, kafka = consumer(), Partitions(A, B)
    inbox._uncommitted = {A: 10, B: 4}
    kafka.failing = True

    def polled_meanwhile() -> None:
        inbox._uncommitted[A] = 25

    kafka.on_commit = polled_meanwhile
    await inbox._commit(kafka)
    assert inbox._uncommitted == {A: 25, B: 4}


async def test_offsets_of_partitions_no_longer_assigned_are_dropped() -> None:
    inbox, kafka = consumer(), Partitions(A)
    inbox._uncommitted = {A: 3, B: 7}
    await inbox._commit(kafka)
    assert kafka.committed == [{A: 3}]
    assert inbox._uncommitted == {}
