"""Intake's settings (prefix ``LGNET_INTAKE_``)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from fastapi import Depends
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kit.settings import ServiceSettings, settings_dependency


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_INTAKE_", extra="ignore")
    service_name: ClassVar[str] = "intake"

    sla_check_interval_seconds: float = Field(default=60, gt=0)
    """How often the SLA check raises new breaches (``LGNET_INTAKE_SLA_CHECK_INTERVAL_SECONDS``)."""
    sync_batch_max_items: int = Field(default=1000, ge=1)
    """Items per offline sync batch (``LGNET_INTAKE_SYNC_BATCH_MAX_ITEMS``); more is a 413."""


IntakeSettingsDep = Annotated[IntakeSettings, Depends(settings_dependency(IntakeSettings))]
"""The app's settings, as a route or dependency parameter."""
