"""Per-client rate limiting: a token bucket per authenticated client.

A client is the pair (token ``azp``, subject): one partner system's service account, or one
person through one front-end. Its bucket holds up to ``burst`` tokens and refills at ``rate``
tokens per second; a request takes one token, and a request finding the bucket empty is refused
with the time until a token is back (the 429's ``Retry-After``).

The buckets live in this process: with N gateway replicas a client may send up to N times the
rate (acceptable for a fairness limit; a hard quota would need a shared store). Memory is bounded:
past ``max_clients`` buckets the least recently used one is dropped (that client starts full).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Decision", "TokenBucketLimiter"]


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome for one request: allowed or not, and the client's state after it."""

    allowed: bool
    remaining: int
    """Whole tokens left in the bucket."""
    retry_after: float
    """Seconds until the next request would be allowed (0 when allowed)."""

    @property
    def retry_after_header(self) -> str:
        """``Retry-After`` in whole seconds, never 0 for a refusal."""
        return str(max(1, math.ceil(self.retry_after)))


class TokenBucketLimiter:
    """Token buckets by client key; see the module docstring. Not thread-safe (one event loop)."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        max_clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1 or max_clients < 1:
            raise ValueError("rate must be positive, burst and max_clients at least 1")
        self.rate = rate
        self.burst = burst
        self.max_clients = max_clients
        self._clock = clock
        # key -> (tokens, time of that count)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def acquire(self, key: str) -> Decision:
        """Take a token from ``key``'s bucket if there is one."""
        now = self._clock()
        tokens, then = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if tokens >= 1.0:
            tokens -= 1.0
            decision = Decision(allowed=True, remaining=int(tokens), retry_after=0.0)
        else:
            decision = Decision(allowed=False, remaining=0, retry_after=(1.0 - tokens) / self.rate)
        self._buckets[key] = (tokens, now)  # re-inserted last: most recently used
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return decision

    def __len__(self) -> int:
        return len(self._buckets)
