"""Who may call the casework API (roles); which cases they see is `visibility`'s rule, and
which they change `domain.manages`."""

from __future__ import annotations

from typing import Annotated

from kit.auth import Role
from kit.errors import problem_responses
from kit.routes import Call, Change, Creation, call_by, change_by, creation_by

READERS = (Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.COORDINATOR, Role.INTAKE_OPERATOR)
"""Read the cases they see (coordinators oversee every case; they change none)."""

WRITERS = (Role.CASE_WORKER, Role.CASE_SUPERVISOR)
"""Open cases, and change those they manage."""

Reading = Annotated[Call, call_by(*READERS)]
Changing = Annotated[Change, change_by(*WRITERS)]
Creating = Annotated[Creation, creation_by(*WRITERS)]

MANAGED_CHANGE = problem_responses(403, 404, 409)
"""``responses=`` of a change: not visible (404), visible but not managed or decided by the
caller (403), refused by the rules (409)."""

DIRECTORY_READERS = tuple(role for role in Role if role is not Role.AUDITOR)
"""Read the service directory: every role of the network (auditors read audit logs only)."""

DIRECTORY_KEEPERS = (Role.CASE_SUPERVISOR, Role.COORDINATOR)
"""Keep directory entries: coordinators all, a case supervisor their organisation's."""

ReadingDirectory = Annotated[Call, call_by(*DIRECTORY_READERS)]
KeepingDirectory = Annotated[Change, change_by(*DIRECTORY_KEEPERS)]
CreatingInDirectory = Annotated[Creation, creation_by(*DIRECTORY_KEEPERS)]
