"""The whole platform as the e2e tests drive it: every service and the gateway under uvicorn on
the session's stack (``deploy.local.stack.start_services``), the realm's demo users' tokens."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from deploy.local import stack as stacks
from deploy.local.realm import Realm
from kit.testing.realm_keys import TestSigningKey

COLLECTIONS = {
    "intake": "/v1/intake/referrals",
    "casework": "/v1/casework/cases",
    "housing": "/v1/housing/facilities",
    "events": "/v1/initiatives",
    "observatory": "/v1/observatory/indicators",
}
"""One collection per service: a Comune coordinator may list it, and a POST to it is the
service's write (casework and observatory take no writes yet: 405 then)."""
TARGETS = ["gateway", *COLLECTIONS]
"""What a zero-trust check calls: the gateway (in front of intake) and every service directly."""


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

    def collection(self, target: str) -> str:
        """The URL of ``target``'s collection (:data:`COLLECTIONS`): a service's own, or for
        ``"gateway"`` intake's through the gateway."""
        if target == "gateway":
            return f"{self.gateway}{COLLECTIONS['intake']}"
        return f"{self.service(target)}{COLLECTIONS[target]}"

    def as_user(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.realm.cached_user_token(username)}"}

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.gateway, timeout=15)
