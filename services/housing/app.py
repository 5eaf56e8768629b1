"""Housing: towards housing autonomy. Facilities and their beds (matching and placements follow)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from kit.service import ServiceSpec, create_service
from services.housing.facilities import events as facility_events
from services.housing.facilities.router import router as facilities
from services.housing.settings import HousingSettings


def create_app(settings: HousingSettings | None = None) -> FastAPI:
    return create_service(
        ServiceSpec(
            settings=settings or HousingSettings(),
            title="LGNet housing",
            description=(
                "Facilities on the way to housing autonomy: shelters (rifugi), solidarity "
                "co-housing (co-abitazioni solidali) and autonomy apartments."
            ),
            routers=[facilities],
            migrations=Path(__file__).parent / "migrations",
            publishes=[facility_events.TOPIC],
        )
    )


app = create_app()
