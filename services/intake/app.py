"""Intake: first contact, fast. Referrals from every channel, handed over to casework."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from kit.audit import audit_router
from kit.policy import policy_router
from kit.service import ServiceSpec, create_service
from services.intake.households import events as household_events
from services.intake.households.router import router as households
from services.intake.outreach.router import router as offline_sync
from services.intake.persons import events as person_events
from services.intake.persons.reviews.router import router as duplicate_reviews
from services.intake.persons.router import router as persons
from services.intake.referrals import events as referral_events
from services.intake.referrals.jobs import sla_check_job
from services.intake.referrals.policies import KINDS
from services.intake.referrals.router import router as referrals
from services.intake.settings import IntakeSettings
from services.intake.subject_rights.router import router as subject_rights


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    return create_service(
        ServiceSpec(
            settings=settings,
            title="LGNet intake",
            description="Referrals (segnalazioni) from every channel, the person and household "
            "registry with duplicate detection and consent, triage, and hand-over.",
            routers=[
                referrals,
                persons,
                duplicate_reviews,
                subject_rights,
                households,
                offline_sync,
                policy_router("/v1/intake/policies", KINDS),
                audit_router("/v1/intake/audit"),
            ],
            migrations=Path(__file__).parent / "migrations",
            publishes=[referral_events.TOPIC, person_events.TOPIC, household_events.TOPIC],
            jobs=[sla_check_job(timedelta(seconds=settings.sla_check_interval_seconds))],
        )
    )


app = create_app()
