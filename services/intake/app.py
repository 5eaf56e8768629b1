"""Intake: first contact, fast. Referrals from every channel, handed over to casework."""

from __future__ import annotations

from pathlib import Path

from kit.service import ServiceSpec, create_service
from services.intake.referrals import events as referral_events
from services.intake.referrals.router import router as referrals
from services.intake.settings import IntakeSettings


def create_app(settings: IntakeSettings | None = None):  # type: ignore[no-untyped-def]
    return create_service(
        ServiceSpec(
            settings=settings or IntakeSettings(),
            title="LGNet intake",
            description="Referrals (segnalazioni) from every channel, and their hand-over.",
            routers=[referrals],
            migrations=Path(__file__).parent / "migrations",
            publishes=[referral_events.TOPIC],
        )
    )


app = create_app()
