"""Waiting in a test for what another process does (a consumer, a relay): poll, bounded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def eventually(check: Callable[[], Awaitable[bool]], within: float, what: str) -> float:
    """Seconds until `check` holds (polled every 0.1 s), failing after `within`."""
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < within, f"{what} not within {within}s"
        await asyncio.sleep(0.1)
    return time.monotonic() - started
