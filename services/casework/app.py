"""Casework: taking charge (presa in carico). A case opens when intake hands a referral over."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from kit.service import ServiceSpec, create_service
from services.casework.cases import events as case_events
from services.casework.cases import handlers as case_handlers
from services.casework.cases.router import router as cases
from services.casework.settings import CaseworkSettings


def create_app(settings: CaseworkSettings | None = None) -> FastAPI:
    return create_service(
        ServiceSpec(
            settings=settings or CaseworkSettings(),
            title="LGNet casework",
            description="Cases: people taken in charge by a lead organisation after hand-over.",
            routers=[cases],
            migrations=Path(__file__).parent / "migrations",
            publishes=[case_events.TOPIC],
            subscriptions=[case_handlers.referrals],
        )
    )


app = create_app()
