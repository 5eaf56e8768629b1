"""Session-wide fixtures: the real stack (Kafka, Keycloak, PostgreSQL), started once, lazily.

Unit tests never ask for ``stack``, so ``make test-fast`` starts nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from deploy.local import stack as stacks
from deploy.local.realm import Realm
from kit.settings import CommonSettings


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


def common_settings(stack: stacks.Stack) -> CommonSettings:
    """Settings for an in-process service; its consumer groups are its own, so it never shares
    partitions with the platform's processes or another test's copy of the same service."""
    return CommonSettings(
        kafka_bootstrap_servers=stack.kafka_bootstrap,
        keycloak_issuer=stack.issuer,
        environment="test",
        consumer_group_prefix=f"test-{uuid.uuid4().hex[:8]}",
    )


def fresh_database_url(stack: stacks.Stack, service: str) -> str:
    """A new, empty PostgreSQL database for one in-process service."""
    return stack.database_url(f"{service}_{uuid.uuid4().hex[:8]}")
