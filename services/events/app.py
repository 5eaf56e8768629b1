"""Events: public initiatives in the neighbourhoods (sessions and registrations follow)."""

from __future__ import annotations

from kit.service import service_app
from services.events.initiatives import events as initiative_events
from services.events.initiatives.router import router as initiatives
from services.events.settings import EventsSettings

create_app = service_app(
    EventsSettings,
    description=(
        "Public initiatives: workshops (laboratori), meetings (incontri), information "
        "sessions, awareness campaigns and civic engagement projects."
    ),
    routers=[initiatives],
    publishes=[initiative_events.TOPIC],
)
"""The app with `settings`, by default the environment's (tests give others)."""

app = create_app()
