"""Housing: towards housing autonomy. Facilities and their beds (matching and placements follow)."""

from __future__ import annotations

from kit.service import service_app
from services.housing.facilities import events as facility_events
from services.housing.facilities.router import router as facilities
from services.housing.settings import HousingSettings

create_app = service_app(
    HousingSettings,
    description=(
        "Facilities on the way to housing autonomy: shelters (rifugi), solidarity "
        "co-housing (co-abitazioni solidali) and autonomy apartments."
    ),
    routers=[facilities],
    publishes=[facility_events.TOPIC],
)
"""The app with `settings`, by default the environment's (tests give others)."""

app = create_app()
