"""Who may call the observatory API (roles): its figures are aggregates, read by the
observatory's analysts, the Comune's coordinators and platform admins."""

from __future__ import annotations

from typing import Annotated

from kit.auth import Role
from kit.routes import Call, call_by

READERS = (Role.OBSERVATORY_ANALYST, Role.COORDINATOR, Role.PLATFORM_ADMIN)
"""Read indicators, their exports and the monthly report."""

Reading = Annotated[Call, call_by(*READERS)]
