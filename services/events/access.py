"""Who may call the events API (roles): initiatives are public activities, read by everyone
in the network; organisers and the Comune's coordinators create them."""

from __future__ import annotations

from typing import Annotated

from kit.auth import Role
from kit.routes import Call, Creation, call_by, creation_by

Reading = Annotated[
    Call,
    call_by(
        Role.INITIATIVE_ORGANIZER,
        Role.COORDINATOR,
        Role.CASE_WORKER,
        Role.INTAKE_OPERATOR,
        Role.OBSERVATORY_ANALYST,
    ),
]
Creating = Annotated[Creation, creation_by(Role.INITIATIVE_ORGANIZER, Role.COORDINATOR)]
