"""Housing on the way to autonomy: shelters (rifugi), solidarity co-housing (co-abitazioni
solidali) and autonomy apartments, and the households of casework's cases waiting for them."""

from kit.service import service_app
from services.housing.cases import handlers as case_handlers
from services.housing.facilities import events as facility_events
from services.housing.facilities.router import router as facilities
from services.housing.persons import handlers as person_handlers
from services.housing.requests import events as request_events
from services.housing.requests.router import router as requests
from services.housing.settings import HousingSettings

create_app = service_app(
    HousingSettings,
    description=__doc__,
    routers=[facilities, requests],
    publishes=[facility_events.TOPIC, request_events.TOPIC],
    subscriptions=[case_handlers.cases, person_handlers.persons],
)
app = create_app()  # the ASGI app; create_app(settings) gives one with other settings
