"""Public initiatives: workshops (laboratori), meetings (incontri), information sessions,
awareness campaigns and civic engagement projects, their sessions, registrations with a
fair waiting list, check-in and feedback, and the public programme."""

from datetime import timedelta

from kit.service import service_app
from services.events.attendance.router import router as attendance
from services.events.erasure.jobs import retention_job
from services.events.erasure.router import router as erasure
from services.events.initiatives import events as initiative_events
from services.events.initiatives.router import router as initiatives
from services.events.persons import handlers as person_handlers
from services.events.programme.router import router as programme
from services.events.registrations.jobs import expiry_job
from services.events.registrations.router import router as registrations
from services.events.sessions.router import router as sessions
from services.events.settings import EventsSettings

create_app = service_app(
    EventsSettings,
    description=__doc__,
    # the programme first: its fixed paths before /v1/initiatives/{initiative_id}
    routers=[programme, initiatives, sessions, registrations, erasure, attendance],
    publishes=[initiative_events.TOPIC],
    subscriptions=[person_handlers.persons],
    jobs=lambda settings: [
        expiry_job(timedelta(seconds=settings.offer_expiry_interval_seconds)),
        retention_job(
            timedelta(seconds=settings.erasure_interval_seconds),
            timedelta(days=settings.public_registrant_retention_days),
        ),
    ],
)
app = create_app()  # the ASGI app; create_app(settings) gives one with other settings
