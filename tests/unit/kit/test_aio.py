"""A background loop waiting on an event stops when cancelled, however the wake-up and the
cancellation interleave (Python 3.11's `wait_for` loses the cancellation in some of them)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from kit.aio import cancel_and_wait, wait_until_set

# enough loop iterations to land the cancellation before, at and after the wake-up's delivery
INTERLEAVINGS = range(6)


async def idle_loop(wake: asyncio.Event) -> None:
    while True:  # like the outbox relay: wait for a wake-up or a poll interval, then work
        await wait_until_set(wake, 0.3)
        wake.clear()


async def wait_for_loop(wake: asyncio.Event) -> None:
    while True:  # the same loop on asyncio.wait_for
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), 0.3)
        wake.clear()


async def stops_when_cancelled_as_woken(
    loop: Callable[[asyncio.Event], Coroutine[Any, Any, None]], iterations: int
) -> bool:
    """Wake `loop`, cancel it `iterations` loop turns later: did it stop within a second?"""
    wake = asyncio.Event()
    task = asyncio.create_task(loop(wake))
    await asyncio.sleep(0.01)
    wake.set()
    for _ in range(iterations):
        await asyncio.sleep(0)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=1)
    await cancel_and_wait(task)  # a second cancellation, delivered while it waits, stops it
    return bool(done)


@pytest.mark.parametrize("iterations", INTERLEAVINGS)
async def test_a_loop_woken_as_it_is_cancelled_stops(iterations: int) -> None:
    assert await stops_when_cancelled_as_woken(idle_loop, iterations)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="wait_for keeps cancellations from 3.12")
async def test_these_interleavings_make_wait_for_lose_the_cancellation() -> None:
    # the reason kit.aio exists, and proof that the interleavings above reach the race
    stopped = [await stops_when_cancelled_as_woken(wait_for_loop, i) for i in INTERLEAVINGS]
    assert not all(stopped)


async def test_wait_until_set_says_whether_the_event_came() -> None:
    wake = asyncio.Event()
    assert await wait_until_set(wake, 0.01) is False
    wake.set()
    assert await wait_until_set(wake, 1) is True


async def test_cancel_and_wait_returns_once_the_task_ended() -> None:
    ended = asyncio.Event()

    async def worker() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            ended.set()

    task = asyncio.create_task(worker())
    await asyncio.sleep(0)
    await cancel_and_wait(task)
    assert ended.is_set()
    assert task.cancelled()


async def test_cancel_and_wait_raises_what_the_task_failed_with() -> None:
    async def failing_cleanup() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            raise RuntimeError("cleanup failed")

    task = asyncio.create_task(failing_cleanup())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError):
        await cancel_and_wait(task)


async def test_a_stop_cancelled_while_it_waits_is_cancelled_too() -> None:
    async def stubborn() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            await asyncio.sleep(0.2)  # a slow cleanup

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    stopping = asyncio.create_task(cancel_and_wait(task))
    await asyncio.sleep(0.05)
    stopping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopping
    await asyncio.wait({task})
