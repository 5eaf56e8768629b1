"""Settings come from LGNET_* (shared) and LGNET_<SERVICE>_* (per service)."""

from __future__ import annotations

import os
from typing import ClassVar

import pytest
from pydantic_settings import SettingsConfigDict

from kit.settings import REPO_ROOT, CommonSettings, ServiceSettings


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
