"""Session-wide fixtures: the real stack (Kafka, Keycloak, PostgreSQL), started once, lazily.

Unit tests never ask for ``stack``, so ``make test-fast`` starts nothing. A service's tests
get their client from one line in their own conftest (``kit.testing.services.service_client``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deploy.local import stack as stacks
from deploy.local.realm import Realm


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Contract checks of everything published go last, after every test that publishes."""
    items.sort(key=lambda item: "tests/contracts/" in str(item.path))


@pytest.fixture(scope="session")
def stack() -> Iterator[stacks.Stack]:
    """Kafka, Keycloak and PostgreSQL for this test session (fresh state, test ports)."""
    running = stacks.build(stacks.claim_test_profile(), with_postgres=True)
    try:
        stacks.start_infrastructure(running)
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def realm(stack: stacks.Stack) -> Realm:
    """The real Keycloak realm: demo users' and partner systems' tokens."""
    return Realm(stack.keycloak_url)
