"""Intake's settings (prefix ``LGNET_INTAKE_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from kit.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_INTAKE_", extra="ignore")
    service_name: ClassVar[str] = "intake"
