"""Who sees a case: the one rule every casework query applies (`domain.visible_to`, as SQL).

Coordinators see every case; an organisation sees the cases it leads; a user on a case's team
sees that case while they are an active member, for the organisation they act for. The rule
reads the tables of cases and of their teams, so every feature of casework (cases, approvals,
and later plans, notes, referrals) applies the same clause to its own statements.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, exists, or_
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from services.casework.cases.models import Case, TeamMember


def on_team(principal: Principal) -> ColumnElement[bool]:
    """Whether `principal` is an active member of the team of the `Case` row."""
    return exists(
        select(TeamMember.id).where(
            col(TeamMember.case_id) == col(Case.id),
            col(TeamMember.user) == principal.subject,
            col(TeamMember.organisation) == principal.organisation,
            col(TeamMember.left_on).is_(None),
        )
    )


def visible_clause(principal: Principal) -> ColumnElement[bool] | None:
    """The rule as a condition on `Case` rows. None: no restriction (a coordinator)."""
    if principal.is_coordinator:
        return None
    return or_(col(Case.lead_organisation) == principal.organisation, on_team(principal))


def visible_case_ids(principal: Principal) -> SelectOfScalar[uuid.UUID] | None:
    """The ids of the cases `principal` sees, as a subquery (``col(x).in_(...)``), for the
    records of a case kept by other features. None: no restriction (a coordinator)."""
    clause = visible_clause(principal)
    return None if clause is None else select(Case.id).where(clause)
