"""Who may call the casework API (roles); which cases they see is the repository's rule."""

from __future__ import annotations

from typing import Annotated

from kit.auth import Role
from kit.routes import Call, call_by

Reading = Annotated[
    Call,
    call_by(Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.COORDINATOR, Role.INTAKE_OPERATOR),
]
