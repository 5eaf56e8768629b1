"""Who may call the housing API (roles): facilities are read by those who place people in
them, and registered by housing coordinators and the Comune's coordinators."""

from __future__ import annotations

from typing import Annotated

from kit.auth import Role
from kit.routes import Call, Creation, call_by, creation_by

Reading = Annotated[
    Call,
    call_by(Role.HOUSING_COORDINATOR, Role.COORDINATOR, Role.CASE_WORKER, Role.CASE_SUPERVISOR),
]
Creating = Annotated[Creation, creation_by(Role.HOUSING_COORDINATOR, Role.COORDINATOR)]
