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
"""

from __future__ import annotations

import gc
import logging

__all__ = ["freeze_long_lived"]

log = logging.getLogger(__name__)
_frozen = False


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
