"""Who may call the events API (roles). Initiatives are public activities: every role of the
network reads them, and the public programme (`programme`) shows the published ones to anyone.
Organisers and the Comune's coordinators create them; the organiser organisation, its
partners and coordinators run them (the domain checks the organisation). Beneficiaries are
registered by their case workers, organisers and coordinators; members of the public register
themselves through the public programme."""

from __future__ import annotations

from typing import Annotated

from kit.auth import Role
from kit.routes import Call, Change, Creation, call_by, change_by, creation_by

READERS = (
    Role.INITIATIVE_ORGANIZER,
    Role.COORDINATOR,
    Role.CASE_WORKER,
    Role.INTAKE_OPERATOR,
    Role.OBSERVATORY_ANALYST,
)
ORGANISERS = (Role.INITIATIVE_ORGANIZER, Role.COORDINATOR)
REGISTRARS = (Role.INITIATIVE_ORGANIZER, Role.COORDINATOR, Role.CASE_WORKER)

Reading = Annotated[Call, call_by(*READERS)]
Creating = Annotated[Creation, creation_by(*ORGANISERS)]
Organising = Annotated[Call, call_by(*ORGANISERS)]
Changing = Annotated[Change, change_by(*ORGANISERS)]
Registering = Annotated[Creation, creation_by(*REGISTRARS)]
Tracking = Annotated[Call, call_by(*REGISTRARS)]
"""Registrars reading registrations (those of their organisation, or all if they run it)."""
Answering = Annotated[Change, change_by(*REGISTRARS)]
