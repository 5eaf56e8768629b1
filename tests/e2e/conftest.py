"""The whole platform as it runs for real: every service and the gateway under uvicorn, on the
session's Kafka, Keycloak and PostgreSQL (one database per service)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deploy.local import stack as stacks
from deploy.local.realm import Realm
from kit.testing.platform import Platform
from kit.testing.realm_keys import (
    register_test_signing_key,
    remove_test_signing_key,
)


@pytest.fixture(scope="package")
def platform(stack: stacks.Stack, realm: Realm) -> Iterator[Platform]:
    """Up for the e2e tests only: once they are done, the platform's consumers must not take
    part in other tests (a second casework would open a second case for every hand-over)."""
    # registered before the services start, so their first JWKS fetch already has it
    key = register_test_signing_key(stack.keycloak.admin())
    try:
        stacks.start_services(stack)
        yield Platform(stack, realm, key)
    finally:
        stacks.stop_services(stack)
        remove_test_signing_key(stack.keycloak.admin(), key)
