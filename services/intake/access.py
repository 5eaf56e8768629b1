"""Who may call intake's API (roles); which records they see is each repository's rule."""

from __future__ import annotations

from typing import Annotated

from kit.auth import Principal, Role
from kit.routes import holding

Reader = Annotated[
    Principal,
    holding(Role.INTAKE_OPERATOR, Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.COORDINATOR),
]
"""Reads referrals, persons and households (of their organisation's scope)."""

Writer = Annotated[Principal, holding(Role.INTAKE_OPERATOR, Role.COORDINATOR)]
"""Records and changes them, and reviews duplicates."""

Coordinator = Annotated[Principal, holding(Role.COORDINATOR)]
"""The Comune's coordinators: decisions for the whole network (erasure)."""
