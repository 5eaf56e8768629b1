"""Who sees a case: the one rule every casework query applies (`domain.visible_to`, as SQL).

Coordinators see every case; an organisation sees the cases it leads; a user on a case's team
sees that case while they are an active member, for the organisation they act for — if that is
another organisation than the lead, only while the case's persons let the network share their
data. A health note is shown only while its person's health-data consent holds. The rule
reads the tables of cases and of their teams, so every feature of casework (cases, approvals,
and later plans, notes, referrals) applies the same clause to its own statements.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, not_, or_
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from services.casework.cases.models import Case, CasePerson, TeamMember
from services.casework.persons.models import PersonRestriction

NETWORK_SHARING, HEALTH_DATA = "network_sharing", "health_data"
"""The consent purposes (intake's vocabulary) whose withdrawal narrows what casework shows."""


def on_team(principal: Principal) -> ColumnElement[bool]:
    """Whether `principal` is an active member of the team of the `Case` row, and may use it:
    a member of another organisation than the lead only while every person of the case lets
    the network share their data (no ``network_sharing`` consent withdrawn)."""
    member = exists(
        select(TeamMember.id).where(
            col(TeamMember.case_id) == col(Case.id),
            col(TeamMember.user) == principal.subject,
            col(TeamMember.organisation) == principal.organisation,
            col(TeamMember.left_on).is_(None),
        )
    )
    sharing_refused = exists(
        select(CasePerson.person_ref)
        .join(PersonRestriction, col(PersonRestriction.person_ref) == col(CasePerson.person_ref))
        .where(
            col(CasePerson.case_id) == col(Case.id),
            col(PersonRestriction.purpose) == NETWORK_SHARING,
        )
    )
    foreign = col(Case.lead_organisation) != principal.organisation
    return and_(member, or_(not_(foreign), not_(sharing_refused)))


def health_consent_holds(person_ref: Any) -> ColumnElement[bool]:
    """Whether the person `person_ref` names has not withdrawn their ``health_data`` consent."""
    return not_(
        exists(
            select(PersonRestriction.person_ref).where(
                col(PersonRestriction.person_ref) == person_ref,
                col(PersonRestriction.purpose) == HEALTH_DATA,
            )
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
