"""Housing on the way to autonomy: shelters (rifugi), solidarity co-housing (co-abitazioni
solidali) and autonomy apartments, and the households of casework's cases waiting for them."""

from datetime import timedelta

from kit.policy import policy_router
from kit.service import service_app
from services.housing.cases import handlers as case_handlers
from services.housing.facilities import events as facility_events
from services.housing.facilities.router import router as facilities
from services.housing.matching import events as matching_events
from services.housing.matching import router as matching
from services.housing.matching.policies import MATCHING
from services.housing.persons import handlers as person_handlers
from services.housing.placements import events as placement_events
from services.housing.placements import router as placements
from services.housing.placements.jobs import stay_check_job
from services.housing.requests import events as request_events
from services.housing.requests.proposals import router as proposals
from services.housing.requests.proposals.jobs import expiry_job
from services.housing.requests.router import router as requests
from services.housing.settings import HousingSettings

create_app = service_app(
    HousingSettings,
    description=__doc__,
    routers=[
        facilities,
        matching.of_units,
        requests,
        matching.of_requests,
        matching.runs,
        matching.previews,
        matching.waiting,
        proposals.router,
        proposals.of_requests,
        placements.of_proposals,
        placements.router,
        placements.of_facilities,
        policy_router("/v1/housing/policies", [MATCHING]),
    ],
    publishes=[
        facility_events.TOPIC,
        request_events.TOPIC,
        matching_events.TOPIC,
        placement_events.TOPIC,
    ],
    subscriptions=[case_handlers.cases, person_handlers.persons],
    jobs=lambda settings: [
        expiry_job(timedelta(seconds=settings.proposal_expiry_interval_seconds)),
        stay_check_job(timedelta(seconds=settings.stay_check_interval_seconds)),
    ],
)
app = create_app()  # the ASGI app; create_app(settings) gives one with other settings
