"""The whole platform as the e2e tests drive it: every service and the gateway under uvicorn on
the session's stack (``deploy.local.stack.start_services``), the realm's demo users' tokens."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from deploy.local import stack as stacks
from deploy.local.realm import Realm
from kit.testing.realm_keys import TestSigningKey


@dataclass
class Platform:
    """The running platform: its gateway, each service's URL, clients and tokens."""

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
