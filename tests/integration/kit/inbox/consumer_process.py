"""A consumer in a process of its own, for the crash tests: ``python -m ... DB_URL BOOTSTRAP
TOPIC TYPE``.

Its effect is deliberately not idempotent (a counter incremented per event, and one log
row per application without a unique key, with the id of its transaction), so applying an
event twice would show.

With ``LGNET_TEST_KILL_AFTER=N`` in its environment the process SIGKILLs itself right after
the database commit of the batch that brings its applications to N or more: the batch is
committed, its Kafka offsets are not.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database, on_commit
from kit.events.envelope import CloudEvent
from kit.inbox import EventConsumer

KILL_AFTER = int(os.environ.get("LGNET_TEST_KILL_AFTER", "0"))
applied = 0


def _committed() -> None:
    global applied
    applied += 1
    if KILL_AFTER and applied >= KILL_AFTER:
        os.kill(os.getpid(), signal.SIGKILL)  # inside the commit call: no offset commit follows


async def apply(session: AsyncSession, event: CloudEvent) -> None:
    connection = await session.connection()
    await connection.execute(text("UPDATE tally SET applied = applied + 1"))
    await connection.execute(
        text("INSERT INTO applications (event_id, txid) VALUES (:id, txid_current())"),
        {"id": event.id},
    )
    on_commit(session, _committed)
    await asyncio.sleep(0.005)  # a slow effect, so that the kill lands mid-batch


async def main(database_url: str, bootstrap: str, topic: str, event_type: str) -> None:
    database = Database(database_url)
    consumer = EventConsumer(
        name=f"crash-{topic}",
        topics=[topic],
        handlers={event_type: apply},
        sessions=database.session,
        bootstrap_servers=bootstrap,
        validate=None,
        batch_size=50,
    )
    await consumer.start()
    print("consuming", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
