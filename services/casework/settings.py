"""Casework's settings (prefix ``LGNET_CASEWORK_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr
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

    minors_transition_interval_seconds: float = Field(default=3600, gt=0)
    """How often transition plans due are opened and turns of 18 raised
    (``LGNET_CASEWORK_MINORS_TRANSITION_INTERVAL_SECONDS``)."""
    birth_date_sync_interval_seconds: float = Field(default=30, gt=0)
    """How often minors' birth dates are read from intake
    (``LGNET_CASEWORK_BIRTH_DATE_SYNC_INTERVAL_SECONDS``)."""

    intake_url: str = ""
    """Intake's internal URL (``LGNET_CASEWORK_INTAKE_URL``), which casework reads minors'
    birth dates from; empty: none are read (no transition plan opens)."""
    intake_client_id: str = "lgnet-casework"
    """Casework's Keycloak client (``LGNET_CASEWORK_INTAKE_CLIENT_ID``), whose service account
    alone holds the role ``birth-date-reader``."""
    intake_client_secret: SecretStr = SecretStr("")
    """Its secret (``LGNET_CASEWORK_INTAKE_CLIENT_SECRET``)."""

    @property
    def token_url(self) -> str:
        """The realm's token endpoint."""
        return f"{self.common.keycloak_issuer.rstrip('/')}/protocol/openid-connect/token"
