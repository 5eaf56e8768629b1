"""Waiting and cancelling without losing a cancellation.

On Python 3.11 `asyncio.wait_for` returns normally when the task running it is cancelled in
the same loop iteration as its awaitable completes: the cancellation is lost, and a loop
built on it never stops (CPython gh-86296, fixed in 3.12). An outbox relay that idled on
``wait_for(wake.wait(), 1)`` hung a service's shutdown that way. `asyncio.timeout` counts
cancellations and keeps them, so background loops and stop paths wait with these instead::

    woken = await wait_until_set(wake, 1.0)    # False after a second
    await cancel_and_wait(task)                # in a stop(): the task has ended
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["cancel_and_wait", "wait_until_set"]


async def wait_until_set(event: asyncio.Event, seconds: float) -> bool:
    """Wait at most `seconds` for `event`: True if it was set, False if the time ran out."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


async def cancel_and_wait(task: asyncio.Task[Any]) -> None:
    """Cancel `task` and wait until it has ended.

    The task's own cancellation is absorbed; any other exception it ends with is raised. If
    the caller is itself being cancelled meanwhile, that cancellation is raised, not lost.
    """
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
