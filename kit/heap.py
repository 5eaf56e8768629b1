"""Keep the garbage collector's full collections off what start-up built.

CPython's oldest-generation collection walks every object the collector tracks. Once a
service has imported FastAPI, SQLAlchemy, pydantic, aiokafka and its own models there are
~190,000 of them, and one such collection took 125-160 ms on this project's 2-core machine,
with the event loop stopped: every request, relay send and consumer batch in flight waited
(measured in ``bench/end_to_end_latency``, where it was the largest stall of the writer's
process). Almost all of them live as long as the process. `freeze_long_lived`, called once
start-up is done, collects what start-up left behind, then moves the survivors to the
collector's permanent generation (`gc.freeze`), which no collection walks again: a full
collection then took 0.7 ms.

What is frozen is never collected as a cycle; reference counting still frees it. Only the
first call in a process freezes: a test session starts many apps in one process, and
freezing each one's fixtures would keep their cycles for the session.

`collection_paused` is for a use case that builds, and keeps to its end, hundreds of
thousands of objects (a matching run: its instance, model, results and proposals): each
collection would find them all alive, and the full ones would walk them again and again
(2-3 of them, 0.15-0.2 s in all, in a run at 10,000 requests). Cyclic collection waits
until the last such use case in the process ends; reference counting frees meanwhile.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collection_paused", "freeze_long_lived"]

log = logging.getLogger(__name__)
_frozen = False
_pausing = 0  # use cases inside `collection_paused` now
_was_enabled = True


def freeze_long_lived() -> bool:
    """Collect, then freeze what survives (the first time in this process): whether it did."""
    global _frozen
    if _frozen:
        return False
    _frozen = True
    gc.collect()
    gc.freeze()
    log.info("froze %d long-lived objects out of full collections", gc.get_freeze_count())
    return True


@contextmanager
def collection_paused() -> Iterator[None]:
    """Inside, no cyclic collection runs (nor in any coroutine interleaved with it); the
    collector is as it was before once the last such block in the process has left."""
    global _pausing, _was_enabled
    if not _pausing:
        _was_enabled = gc.isenabled()
        gc.disable()
    _pausing += 1
    try:
        yield
    finally:
        _pausing -= 1
        if not _pausing and _was_enabled:
            gc.enable()
