"""Events: public initiatives in the neighbourhoods (sessions and registrations follow)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from kit.service import ServiceSpec, create_service
from services.events.initiatives import events as initiative_events
from services.events.initiatives.router import router as initiatives
from services.events.settings import EventsSettings


def create_app(settings: EventsSettings | None = None) -> FastAPI:
    return create_service(
        ServiceSpec(
            settings=settings or EventsSettings(),
            title="LGNet events",
            description=(
                "Public initiatives: workshops (laboratori), meetings (incontri), information "
                "sessions, awareness campaigns and civic engagement projects."
            ),
            routers=[initiatives],
            migrations=Path(__file__).parent / "migrations",
            publishes=[initiative_events.TOPIC],
        )
    )


app = create_app()
