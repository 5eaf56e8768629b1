"""Settings come from LGNET_* (shared) and LGNET_<SERVICE>_* (per service)."""

from __future__ import annotations

import os
from typing import Annotated, ClassVar

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from pydantic_settings import SettingsConfigDict

from kit.service import ServiceSpec, create_service
from kit.settings import (
    REPO_ROOT,
    CommonSettings,
    ServiceSettings,
    SettingsDep,
    settings_dependency,
)


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_INTAKE_")
    service_name: ClassVar[str] = "intake"

    sla_check_interval_seconds: int = 60


def test_defaults_point_at_the_local_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.upper().startswith("LGNET_")]:
        monkeypatch.delenv(name)
    settings = IntakeSettings()
    assert settings.database_url == f"sqlite:///{REPO_ROOT / 'var' / 'intake.db'}"
    assert settings.common.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert settings.common.keycloak_issuer == "http://127.0.0.1:8180/realms/lgnet"
    assert settings.common.keycloak_audience == "lgnet-api"
    assert settings.common.otlp_endpoint is None


def test_environment_overrides_by_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LGNET_INTAKE_DATABASE_URL", "postgresql://lgnet@/intake?host=/tmp/pg")
    monkeypatch.setenv("LGNET_INTAKE_SLA_CHECK_INTERVAL_SECONDS", "5")
    monkeypatch.setenv("LGNET_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    monkeypatch.setenv("LGNET_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("LGNET_LOG_LEVEL", "debug")
    settings = IntakeSettings()
    assert settings.database_url == "postgresql://lgnet@/intake?host=/tmp/pg"
    assert settings.sla_check_interval_seconds == 5
    assert settings.common.kafka_bootstrap_servers == "127.0.0.1:19092"
    assert settings.common.max_body_bytes == 2048
    assert settings.common.log_level == "DEBUG"
    assert CommonSettings().max_body_bytes == 2048


def test_a_service_prefix_must_match_its_name() -> None:
    with pytest.raises(TypeError, match="LGNET_HOUSING_"):

        class HousingSettings(ServiceSettings):
            model_config = SettingsConfigDict(env_prefix="LGNET_HOUSNIG_")
            service_name: ClassVar[str] = "housing"


class HousingLikeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_HOUSINGLIKE_")
    service_name: ClassVar[str] = "housinglike"


IntakeSettingsDep = Annotated[IntakeSettings, Depends(settings_dependency(IntakeSettings))]


def settings_app(settings: ServiceSettings) -> FastAPI:
    router = APIRouter()

    @router.get("/kit")
    async def kit_view(settings: SettingsDep) -> dict[str, int]:
        return {"ttl": settings.common.idempotency_ttl_seconds}

    @router.get("/intake")
    async def intake_view(settings: IntakeSettingsDep) -> dict[str, int]:
        return {"interval": settings.sla_check_interval_seconds}

    return create_service(
        ServiceSpec(
            settings=settings,
            title="t",
            description="d",
            routers=[router],
            migrations=REPO_ROOT / "services" / "casework" / "migrations",
        )
    )


async def test_create_service_serves_its_settings_to_kit_and_service_alike() -> None:
    settings = IntakeSettings(
        sla_check_interval_seconds=7, common=CommonSettings(idempotency_ttl_seconds=90)
    )
    transport = httpx.ASGITransport(app=settings_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        assert (await http.get("/kit")).json() == {"ttl": 90}
        assert (await http.get("/intake")).json() == {"interval": 7}


async def test_a_service_dependency_refuses_another_services_settings() -> None:
    transport = httpx.ASGITransport(
        app=settings_app(HousingLikeSettings()), raise_app_exceptions=True
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        assert (await http.get("/kit")).status_code == 200
        with pytest.raises(RuntimeError, match="HousingLikeSettings, not IntakeSettings"):
            await http.get("/intake")
