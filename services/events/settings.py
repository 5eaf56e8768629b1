"""The events service's settings (prefix ``LGNET_EVENTS_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kit.settings import ServiceSettings


class EventsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_EVENTS_", extra="ignore")
    service_name: ClassVar[str] = "events"

    offer_expiry_interval_seconds: float = Field(
        default=60, gt=0, description="How often live seat offers past their time are ended"
    )
    public_registrant_retention_days: int = Field(
        default=30,
        ge=0,
        description=(
            "Days a public registrant's name and contact are kept after their session (or "
            "their registration) ended; then they are erased"
        ),
    )
    erasure_interval_seconds: float = Field(
        default=3600, gt=0, description="How often public registrants past retention are erased"
    )
