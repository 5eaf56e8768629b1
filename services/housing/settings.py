"""Housing's settings (prefix ``LGNET_HOUSING_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kit.settings import ServiceSettings


class HousingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_HOUSING_", extra="ignore")
    service_name: ClassVar[str] = "housing"

    proposal_expiry_interval_seconds: float = Field(
        default=60, gt=0, description="How often live proposals past their time are ended"
    )
    # stays end on a day: an hourly check alerts within the hour after midnight (UTC)
    stay_check_interval_seconds: float = Field(
        default=3600,
        gt=0,
        description="How often placements past their facility's maximum stay are alerted",
    )
