"""The whole platform as the e2e tests drive it: every service and the gateway under uvicorn on
the session's stack (``deploy.local.stack.start_services`` starts them), the realm's demo users'
tokens.

It names what it needs of the stack and the realm as protocols rather than importing
``deploy.local``: the kit is what every service's image carries, ``deploy.local`` is the
developer's machine (processes, ports, downloads), and a test that drives the platform should
not depend on how it was started. A test that does need the stack itself (to stop Kafka) asks
for the session's ``stack`` fixture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import httpx

from kit.testing.realm_keys import TestSigningKey
from kit.testing.services import StackLike

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


class RunningStack(StackLike, Protocol):
    """The stack with the platform started on it (``deploy.local.stack.Stack`` is one)."""

    @property
    def gateway_url(self) -> str: ...

    @property
    def service_urls(self) -> Mapping[str, str]: ...


class UserTokens(Protocol):
    """The realm's demo users' tokens and its keys (``deploy.local.realm.Realm`` is one)."""

    @property
    def jwks_uri(self) -> str: ...

    def cached_user_token(self, username: str) -> str: ...


@dataclass
class Platform:
    """The running platform: its gateway, each service's URL, clients and tokens."""

    stack: RunningStack
    realm: UserTokens
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
