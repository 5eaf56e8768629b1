"""Intake: first contact, fast. Referrals from every channel, handed over to casework."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from kit.audit import audit_router
from kit.policy import policy_router
from kit.service import ServiceSpec, create_service
from services.intake.referrals import events as referral_events
from services.intake.referrals.jobs import sla_check_job
from services.intake.referrals.policies import KINDS
from services.intake.referrals.router import router as referrals
from services.intake.settings import IntakeSettings


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    return create_service(
        ServiceSpec(
            settings=settings,
            title="LGNet intake",
            description="Referrals (segnalazioni) from every channel, and their hand-over.",
            routers=[
                referrals,
                policy_router("/v1/intake/policies", KINDS),
                audit_router("/v1/intake/audit"),
            ],
            migrations=Path(__file__).parent / "migrations",
            publishes=[referral_events.TOPIC],
            jobs=[sla_check_job(timedelta(seconds=settings.sla_check_interval_seconds))],
        )
    )


app = create_app()
