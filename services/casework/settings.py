"""Casework's settings (prefix ``LGNET_CASEWORK_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kit.settings import ServiceSettings


class CaseworkSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_CASEWORK_", extra="ignore")
    service_name: ClassVar[str] = "casework"

    review_check_interval_seconds: float = Field(default=300, gt=0)
    """How often missed reviews are raised (``LGNET_CASEWORK_REVIEW_CHECK_INTERVAL_SECONDS``)."""
    retention_interval_seconds: float = Field(default=3600, gt=0)
    """How often closed cases past retention are anonymised
    (``LGNET_CASEWORK_RETENTION_INTERVAL_SECONDS``)."""
    referral_check_interval_seconds: float = Field(default=300, gt=0)
    """How often late answers to service referrals are raised
    (``LGNET_CASEWORK_REFERRAL_CHECK_INTERVAL_SECONDS``)."""
