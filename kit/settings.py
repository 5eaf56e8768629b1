"""Settings from the environment (pydantic-settings).

`CommonSettings` holds what every process shares, read from ``LGNET_*``.  Each service
subclasses `ServiceSettings`, read from ``LGNET_<SERVICE>_*``, which carries the common
ones as ``.common``::

    class IntakeSettings(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="LGNET_INTAKE_")
        service_name: ClassVar[str] = "intake"

        sla_check_interval_seconds: int = 60

    settings = IntakeSettings()
    settings.database_url               # LGNET_INTAKE_DATABASE_URL, else sqlite var/intake.db
    settings.common.kafka_bootstrap_servers   # LGNET_KAFKA_BOOTSTRAP_SERVERS

Settings are read once, when the app is built: `kit.service.create_service` installs
``spec.settings`` on the app (`install_settings`), and code reaches them through a
dependency, never through ``app.state`` or the environment.  The kit's own dependencies
(idempotency, pagination) take `SettingsDep`; a service declares its typed alias next to
its settings class::

    IntakeSettingsDep = Annotated[IntakeSettings, Depends(settings_dependency(IntakeSettings))]

    @router.post("/sync")
    async def sync(settings: IntakeSettingsDep) -> ...:
        settings.sync_batch_max_items
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from fastapi import Depends, FastAPI, Request
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kit.db import POOL_SIZE

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The checkout's root; local SQLite files live under ``REPO_ROOT / "var"``."""


class CommonSettings(BaseSettings):
    """Settings shared by every service and the gateway (prefix ``LGNET_``)."""

    model_config = SettingsConfigDict(env_prefix="LGNET_", extra="ignore")

    environment: str = "local"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    otlp_endpoint: str | None = None
    """OTLP/HTTP collector URL; tracing export is off while unset."""

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    consumer_group_prefix: str = Field(default="lgnet", pattern=r"^[A-Za-z0-9._-]{1,100}$")
    """Consumer groups are ``<prefix>-<service>-<subscription>``; another prefix makes a
    separate deployment (or test instance) that receives every event on its own."""

    keycloak_issuer: str = "http://127.0.0.1:8180/realms/lgnet"
    keycloak_audience: str = "lgnet-api"

    max_body_bytes: int = Field(default=1_048_576, gt=0)
    max_batch_body_bytes: int = Field(default=8_388_608, gt=0)
    """The body limit of batch endpoints (paths ending in ``:batch``)."""
    cursor_secret: SecretStr = SecretStr("lgnet-local-cursor-secret")
    """Signs pagination cursors; must be the same on every replica of a service."""
    idempotency_ttl_seconds: int = Field(default=86_400, gt=0)
    """How long a stored ``Idempotency-Key`` response is replayed (`kit.idempotency`)."""

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class ServiceSettings(BaseSettings):
    """Base of a service's settings: subclass it as shown in the module docstring."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: ClassVar[str]

    database_url: str = ""
    """SQLAlchemy URL; empty means ``sqlite:///<repo>/var/<service>.db``."""
    database_pool_size: int = Field(default=POOL_SIZE, ge=2)
    """PostgreSQL connections the service keeps open and uses at most (`kit.db.Database`)."""
    common: CommonSettings = Field(default_factory=CommonSettings)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        name = getattr(cls, "service_name", None)
        if name is None:
            return
        expected = f"LGNET_{name.upper()}_"
        if cls.model_config.get("env_prefix") != expected:
            raise TypeError(f"{cls.__name__} must set env_prefix={expected!r}")

    @model_validator(mode="after")
    def _default_database(self) -> ServiceSettings:
        if not self.database_url:
            path = REPO_ROOT / "var" / f"{self.service_name}.db"
            self.database_url = f"sqlite:///{path}"
        return self


S = TypeVar("S", bound=ServiceSettings)

_STATE_KEY = "settings"


def install_settings(app: FastAPI, settings: ServiceSettings) -> None:
    """Make `settings` the ones `SettingsDep` serves for requests to `app` (`create_service`
    does it; an app assembled by hand, in a test, calls it itself)."""
    setattr(app.state, _STATE_KEY, settings)


async def get_settings(request: Request) -> ServiceSettings:
    """The settings the app was built with (use through `SettingsDep`). Async, as every
    dependency of a request's path that does no blocking work: FastAPI runs a plain function
    in a worker thread, a hop each request would pay."""
    return _settings_of(request)


def _settings_of(request: Request) -> ServiceSettings:
    settings = getattr(request.app.state, _STATE_KEY, None)
    if not isinstance(settings, ServiceSettings):
        raise RuntimeError("kit.settings.install_settings(app, settings) was not called")
    return settings


SettingsDep = Annotated[ServiceSettings, Depends(get_settings)]
"""The app's `ServiceSettings` (the common ones as ``.common``), for the kit and services."""


def settings_dependency(cls: type[S]) -> Callable[[Request], Awaitable[S]]:
    """A dependency serving the app's settings typed as the service's own class `cls`::

    IntakeSettingsDep = Annotated[IntakeSettings, Depends(settings_dependency(IntakeSettings))]
    """

    async def service_settings(request: Request) -> S:
        settings = _settings_of(request)
        if not isinstance(settings, cls):
            raise RuntimeError(
                f"the app was built with {type(settings).__name__}, not {cls.__name__}"
            )
        return settings

    service_settings.__name__ = f"get_{cls.service_name}_settings"
    return service_settings
