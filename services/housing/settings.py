"""Housing's settings (prefix ``LGNET_HOUSING_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from kit.settings import ServiceSettings


class HousingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_HOUSING_", extra="ignore")
    service_name: ClassVar[str] = "housing"
