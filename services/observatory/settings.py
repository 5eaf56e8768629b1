"""Observatory's settings (prefix ``LGNET_OBSERVATORY_``)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from fastapi import Depends
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kit.settings import ServiceSettings, settings_dependency


class ObservatorySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_OBSERVATORY_", extra="ignore")
    service_name: ClassVar[str] = "observatory"

    suppression_threshold: int = Field(default=5, ge=1)
    """Cells counting fewer than this are suppressed until the policy ``observatory.suppression``
    has a version (indicators.policies)."""
    dashboard_client_id: str = "lgnet-web"
    """The realm's public client the dashboard page signs in with (code flow with PKCE)."""


ObservatorySettingsDep = Annotated[
    ObservatorySettings, Depends(settings_dependency(ObservatorySettings))
]
"""The app's settings, as a route or dependency parameter."""
