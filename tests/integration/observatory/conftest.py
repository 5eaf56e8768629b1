"""Observatory in-process on a fresh PostgreSQL database of its own (one per test module), with the
services whose events it consumes, each on its own database."""

from kit.testing.services import service_client
from services.casework.app import create_app as create_casework
from services.casework.settings import CaseworkSettings
from services.intake.app import create_app as create_intake
from services.intake.settings import IntakeSettings
from services.observatory.app import create_app as create_observatory
from services.observatory.settings import ObservatorySettings

intake = service_client(create_intake, IntakeSettings)
casework = service_client(create_casework, CaseworkSettings)
observatory = service_client(create_observatory, ObservatorySettings)
