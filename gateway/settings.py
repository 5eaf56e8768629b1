"""The gateway's settings, from ``LGNET_GATEWAY_*`` (shared ones from ``LGNET_*`` in ``.common``).

LGNET_GATEWAY_UPSTREAM_INTAKE=http://127.0.0.1:8101        # one per service, see routes.py
LGNET_GATEWAY_CORS_ORIGINS=https://app.example,https://ops.example   # or a JSON list
LGNET_GATEWAY_RATE_LIMIT_PER_SECOND=20  LGNET_GATEWAY_RATE_LIMIT_BURST=40
LGNET_GATEWAY_ANONYMOUS_RATE_LIMIT_PER_SECOND=5  LGNET_GATEWAY_ANONYMOUS_RATE_LIMIT_BURST=20
LGNET_KEYCLOAK_ISSUER=http://127.0.0.1:8180/realms/lgnet   # common: issuer and audience
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from kit.settings import CommonSettings

DEV_ORIGINS = (
    "http://localhost:3000",
    "http://127.0.0.1:3000",
    "http://localhost:5173",
    "http://127.0.0.1:5173",
    "http://localhost:8000",
    "http://127.0.0.1:8000",
)
"""The local front-end dev servers (the redirect URIs of the realm's ``lgnet-web`` client)."""


class GatewaySettings(BaseSettings):
    """Settings of the gateway (prefix ``LGNET_GATEWAY_``)."""

    model_config = SettingsConfigDict(env_prefix="LGNET_GATEWAY_", extra="ignore")

    upstream_intake: str = "http://127.0.0.1:8101"
    upstream_casework: str = "http://127.0.0.1:8102"
    upstream_housing: str = "http://127.0.0.1:8103"
    upstream_events: str = "http://127.0.0.1:8104"
    upstream_observatory: str = "http://127.0.0.1:8105"
    upstream_audit: str | None = None
    """No service serves ``/v1/audit`` yet: until one does, an auditor gets 404 there."""

    upstream_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    upstream_timeout_seconds: float = Field(default=30.0, gt=0)
    """Read/write timeout of a proxied request; past it the caller gets 504."""
    upstream_max_connections: int = Field(default=200, gt=0)

    rate_limit_per_second: float = Field(default=20.0, gt=0)
    """Sustained requests per second per client (token ``azp`` + subject)."""
    rate_limit_burst: int = Field(default=40, gt=0)
    """Bucket size: requests a client may send at once after being idle."""
    rate_limit_max_clients: int = Field(default=100_000, gt=0)
    """Buckets kept in memory; the least recently seen client's is dropped past it."""

    anonymous_rate_limit_per_second: float = Field(default=5.0, gt=0)
    """Sustained anonymous requests (the public programme) per second per client IP address."""
    anonymous_rate_limit_burst: int = Field(default=20, gt=0)
    """Anonymous requests an IP address may send at once after being idle: a page of the
    programme with its initiatives and calendar links."""
    anonymous_rate_limit_max_clients: int = Field(default=100_000, gt=0)
    """IP addresses' buckets kept in memory; the least recently seen one's is dropped past it."""

    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=lambda: [*DEV_ORIGINS])
    """Browser origins allowed to call the API (comma-separated or a JSON list)."""
    cors_max_age_seconds: int = Field(default=600, ge=0)

    trust_forwarded_headers: bool = False
    """Keep and extend incoming ``X-Forwarded-*``: only behind a trusted load balancer."""

    openapi_ttl_seconds: float = Field(default=30.0, ge=0)
    """How long the merged OpenAPI document is served before the upstreams are asked again."""
    probe_timeout_seconds: float = Field(default=2.0, gt=0)
    """Timeout of each upstream ``/openapi.json`` and ``/readyz`` request."""
    jwks_ttl_seconds: float = Field(default=300.0, gt=0)

    json_logs: bool = True
    """Configure JSON logging at start-up (tests turn it off to keep pytest's log capture)."""

    common: CommonSettings = Field(default_factory=CommonSettings)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [origin.strip() for origin in text.split(",") if origin.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _no_trailing_slash(cls, value: list[str]) -> list[str]:
        # a browser's Origin never ends with "/": "https://app.example/" would never match
        return [origin.rstrip("/") for origin in value]

    def upstreams(self) -> dict[str, str]:
        """Base URL of each upstream service that is configured, by service name."""
        urls = {
            "intake": self.upstream_intake,
            "casework": self.upstream_casework,
            "housing": self.upstream_housing,
            "events": self.upstream_events,
            "observatory": self.upstream_observatory,
        }
        if self.upstream_audit:
            urls["audit"] = self.upstream_audit
        return {name: url.rstrip("/") for name, url in urls.items()}
