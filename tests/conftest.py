"""Session-wide fixtures: the real stack (Kafka, Keycloak, PostgreSQL), started once, lazily.

Unit tests never ask for ``stack``, so ``make test-fast`` starts nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deploy.local import stack as stacks


@pytest.fixture(scope="session")
def stack() -> Iterator[stacks.Stack]:
    """Kafka, Keycloak and PostgreSQL for this test session (fresh state, test ports)."""
    running = stacks.build(stacks.TEST, with_postgres=True)
    try:
        stacks.start_infrastructure(running)
        yield running
    finally:
        running.stop()
