"""Housing in-process on a fresh PostgreSQL database of its own (one per test module)."""

from kit.testing.services import service_client
from services.housing.app import create_app
from services.housing.settings import HousingSettings

housing = service_client(create_app, HousingSettings)
