"""Settings for an app assembled by hand in a test (not through `kit.service.create_service`)."""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from kit.settings import CommonSettings, ServiceSettings, install_settings


class KitTestSettings(ServiceSettings):
    """A service's settings for the kit's own tests (prefix ``LGNET_TESTKIT_``)."""

    model_config = SettingsConfigDict(env_prefix="LGNET_TESTKIT_", extra="ignore")
    service_name: ClassVar[str] = "testkit"


def install_test_settings(app: FastAPI, **common: Any) -> KitTestSettings:
    """Install settings on `app` as `create_service` would, the common ones overridden by
    `common` (e.g. ``idempotency_ttl_seconds=1``); returns them."""
    settings = KitTestSettings(common=CommonSettings(**common))
    install_settings(app, settings)
    return settings
