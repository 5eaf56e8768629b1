"""Events in-process on a fresh PostgreSQL database of its own (one per test module)."""

from kit.testing.services import service_client
from services.events.app import create_app
from services.events.settings import EventsSettings

events = service_client(create_app, EventsSettings)
