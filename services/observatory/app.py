"""Observatory: the city's view. Indicators from every service's events; aggregates only."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from kit.service import ServiceSpec, create_service
from services.observatory.indicators import handlers as indicator_handlers
from services.observatory.indicators.router import router as indicators
from services.observatory.settings import ObservatorySettings


def create_app(settings: ObservatorySettings | None = None) -> FastAPI:
    return create_service(
        ServiceSpec(
            settings=settings or ObservatorySettings(),
            title="LGNet observatory",
            description=(
                "Indicators of the network, with breakdowns by Municipio and small-cell "
                "suppression. No person-level data."
            ),
            routers=[indicators],
            migrations=Path(__file__).parent / "migrations",
            subscriptions=[indicator_handlers.referrals, indicator_handlers.cases],
        )
    )


app = create_app()
