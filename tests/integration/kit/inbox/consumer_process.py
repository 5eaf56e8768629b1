"""A consumer in a process of its own, for the crash test: ``python -m ... DB_URL BOOTSTRAP TOPIC``.

Its effect is deliberately not idempotent (a counter incremented per event, and one log
row per application without a unique key), so applying an event twice would show.
"""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database
from kit.events.envelope import CloudEvent
from kit.inbox import EventConsumer


async def apply(session: AsyncSession, event: CloudEvent) -> None:
    connection = await session.connection()
    await connection.execute(text("UPDATE tally SET applied = applied + 1"))
    await connection.execute(
        text("INSERT INTO applications (event_id) VALUES (:id)"), {"id": event.id}
    )
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
