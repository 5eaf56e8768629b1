"""Who sees a housing request or a placement: the rules housing's queries apply (as SQL), read
from the case facts kept from casework's events (`cases.domain.acts_for`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, or_, true
from sqlmodel import col, select

from kit.auth import Principal, Role
from services.housing.cases.models import CaseFact, CaseFactMember
from services.housing.placements.models import Placement
from services.housing.requests.models import HousingRequest

SEES_ALL = frozenset({Role.COORDINATOR, Role.HOUSING_COORDINATOR})
"""The roles that see every request: the Comune's coordinators, and the housing coordinators
who match them to places."""


def visible_requests(principal: Principal) -> ColumnElement[bool]:
    """SQL: the requests `principal` sees — all for a coordinator or housing coordinator, else
    those of the cases their organisation acts for."""
    if principal.roles & SEES_ALL:
        return true()
    return acting_for(col(HousingRequest.case_id), principal.organisation)


def acting_for(case_id: Any, organisation: str) -> ColumnElement[bool]:
    """SQL: whether `organisation` acts for the case `case_id` (`cases.domain.acts_for`)."""
    leads = exists(
        select(CaseFact.case_id).where(
            col(CaseFact.case_id) == case_id, col(CaseFact.lead_organisation) == organisation
        )
    )
    on_team = exists(
        select(CaseFactMember.case_id).where(
            col(CaseFactMember.case_id) == case_id,
            col(CaseFactMember.organisation) == organisation,
        )
    )
    return or_(leads, on_team)


def visible_placements(principal: Principal) -> ColumnElement[bool]:
    """SQL: the placements `principal` sees — all for a coordinator or housing coordinator,
    else those in the facilities their organisation runs and those of the cases it acts
    for."""
    if principal.roles & SEES_ALL:
        return true()
    return or_(
        col(Placement.organisation) == principal.organisation,
        acting_for(col(Placement.case_id), principal.organisation),
    )
