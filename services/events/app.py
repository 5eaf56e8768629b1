"""Public initiatives: workshops (laboratori), meetings (incontri), information sessions,
awareness campaigns and civic engagement projects."""

from kit.service import service_app
from services.events.initiatives import events as initiative_events
from services.events.initiatives.router import router as initiatives
from services.events.settings import EventsSettings

create_app = service_app(
    EventsSettings, description=__doc__, routers=[initiatives], publishes=[initiative_events.TOPIC]
)
app = create_app()  # the ASGI app; create_app(settings) gives one with other settings
