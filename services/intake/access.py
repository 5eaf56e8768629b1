"""Who may call intake's API (roles); which records they see is each repository's rule."""

from __future__ import annotations

from typing import Annotated

from kit.auth import Role
from kit.routes import Call, Change, Creation, call_by, change_by, creation_by

READERS = (Role.INTAKE_OPERATOR, Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.COORDINATOR)
"""Read referrals, persons and households (of their organisation's scope)."""

WRITERS = (Role.INTAKE_OPERATOR, Role.COORDINATOR)
"""Record and change them, and review duplicates."""

Reading = Annotated[Call, call_by(*READERS)]
Writing = Annotated[Call, call_by(*WRITERS)]
Changing = Annotated[Change, change_by(*WRITERS)]
Creating = Annotated[Creation, creation_by(*WRITERS)]

Erasing = Annotated[Change, change_by(Role.COORDINATOR)]
"""An erasure: a decision for the whole network, the Comune's coordinators' only."""

ReadingBirthDates = Annotated[Call, call_by(Role.BIRTH_DATE_READER)]
"""Casework's service account reading a minor's birth date (the transition at 18): this role
alone, and this route alone (every other route of intake admits other roles only)."""
