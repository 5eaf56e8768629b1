"""Who may call the housing API (roles): facilities are read by those who place people in
them, registered by housing coordinators and the Comune's coordinators, and changed by the
housing coordinators of the organisation that runs them or the Comune's coordinators (the
domain checks the organisation). Housing requests are filed, changed and withdrawn by case
workers for the cases their organisation acts for (the repository checks the case) and by
the Comune's coordinators; housing coordinators read them all."""

from __future__ import annotations

from typing import Annotated

from kit.auth import Role
from kit.errors import problem_responses
from kit.routes import Call, Change, Creation, call_by, change_by, creation_by

READERS = (Role.HOUSING_COORDINATOR, Role.COORDINATOR, Role.CASE_WORKER, Role.CASE_SUPERVISOR)
OPERATORS = (Role.HOUSING_COORDINATOR, Role.COORDINATOR)

FILERS = (Role.CASE_WORKER, Role.COORDINATOR)

Reading = Annotated[Call, call_by(*READERS)]
Filing = Annotated[Creation, creation_by(*FILERS)]
Matching = Annotated[Call, call_by(*OPERATORS)]
ANSWERERS = (Role.HOUSING_COORDINATOR, Role.COORDINATOR, Role.CASE_WORKER)
Answering = Annotated[Change, change_by(*ANSWERERS)]
"""A proposal is answered for the household (its case worker) or the provider (a housing
coordinator), or by a Comune coordinator."""
Placing = Annotated[Creation, creation_by(*OPERATORS)]
Operating = Annotated[Change, change_by(*OPERATORS)]
Refiling = Annotated[Change, change_by(*FILERS)]
Creating = Annotated[Creation, creation_by(*OPERATORS)]
Changing = Annotated[Change, change_by(*OPERATORS)]

OPERATED_CHANGE = problem_responses(403, 404, 409)
"""``responses=`` of a change to a facility or unit: not found (404), run by another
organisation (403), refused by the rules (409)."""
