"""The whole platform as it runs for real: every service and the gateway under uvicorn, on the
session's Kafka, Keycloak and PostgreSQL (one database per service)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from deploy.local import stack as stacks
from deploy.local.realm import Realm
from kit.testing.realm_keys import (
    TestSigningKey,
    register_test_signing_key,
    remove_test_signing_key,
)


@dataclass
class Platform:
    stack: stacks.Stack
    realm: Realm
    test_key: TestSigningKey  # an extra signing key of the realm, for forging bad tokens

    @property
    def gateway(self) -> str:
        return self.stack.gateway_url

    def service(self, name: str) -> str:
        return self.stack.service_urls[name]

    def as_user(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.realm.cached_user_token(username)}"}

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.gateway, timeout=15)


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
