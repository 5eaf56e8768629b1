"""Who sees a person: the one rule the queries of every intake feature apply.

Coordinators see everyone; an organisation sees the persons it registered and those concerned
by a referral it reported or leads. The rule reads the tables of two features (persons, and
referrals with the persons they concern), so it belongs to neither: it lives here, imports only
their `models`, and is imported only by repositories (persons, duplicate reviews, households,
offline sync), which need it as a clause inside their own statements — a service function
answering with ids could not be joined into a query or paginated. Services answer a lookup
that found nothing visible with `require_visible`, one message for every feature.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import TypeVar

from sqlalchemy import ColumnElement, exists, or_
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from kit.errors import NotFound, require_found
from services.intake.persons.models import Person
from services.intake.referrals.models import Referral, ReferralPerson

T = TypeVar("T")


def visible_clause(principal: Principal) -> ColumnElement[bool] | None:
    """The rule as a condition on `Person` rows. None: no restriction (a coordinator)."""
    if principal.is_coordinator:
        return None
    org = principal.organisation
    via_referral = exists(
        select(ReferralPerson.person_id)
        .join(Referral, col(Referral.id) == col(ReferralPerson.referral_id))
        .where(
            col(ReferralPerson.person_id) == col(Person.id),
            or_(
                col(Referral.reporting_organisation) == org, col(Referral.lead_organisation) == org
            ),
        )
    )
    return or_(col(Person.registered_by_organisation) == org, via_referral)


def visible_person_ids(principal: Principal) -> SelectOfScalar[uuid.UUID] | None:
    """The ids of the persons `principal` sees, as a subquery (``col(x).in_(...)``).
    None: no restriction (a coordinator)."""
    clause = visible_clause(principal)
    return None if clause is None else select(Person.id).where(clause)


async def require_visible(
    lookup: Awaitable[T | None], missing: type[NotFound], what: str, ident: uuid.UUID
) -> T:
    """The row a lookup among what the principal sees found, or ``missing``: one answer whether
    the row does not exist or is not visible, so that a lookup leaks no one's existence."""
    return require_found(await lookup, missing(f"No {what} {ident} visible to you."))
