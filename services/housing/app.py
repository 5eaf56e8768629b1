"""Facilities on the way to housing autonomy: shelters (rifugi), solidarity co-housing
(co-abitazioni solidali) and autonomy apartments."""

from kit.service import service_app
from services.housing.facilities import events as facility_events
from services.housing.facilities.router import router as facilities
from services.housing.settings import HousingSettings

create_app = service_app(
    HousingSettings, description=__doc__, routers=[facilities], publishes=[facility_events.TOPIC]
)
app = create_app()  # the ASGI app; create_app(settings) gives one with other settings
