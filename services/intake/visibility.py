"""Who sees a person: the one rule the queries of every intake feature apply.

Coordinators see everyone; an organisation sees the persons it registered and those concerned
by a referral it reported or leads. The rule reads the tables of two features (persons, and
referrals with the persons they concern), so it belongs to neither: it lives here, imports only
their `models`, and is imported only by repositories (persons, duplicate reviews, households,
offline sync), which need it as a clause inside their own statements — a service function
answering with ids could not be joined into a query or paginated. Services answer a lookup
that found nothing visible through a `VisibleLookup`, one answer for every feature.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, exists, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from kit.errors import NotFound, require_found
from services.intake.persons.models import Person
from services.intake.referrals.models import Referral, ReferralPerson

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


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


class _Lookup(Protocol[T_co]):
    def __call__(
        self, session: AsyncSession, ident: uuid.UUID, principal: Principal, /, *, for_update: bool
    ) -> Awaitable[T_co | None]: ...


@dataclass(frozen=True)
class VisibleLookup(Generic[T]):
    """A feature's lookup of one row among those a principal sees (its repository's), and the
    answer when it finds nothing: ``missing``, the same whether the row does not exist or is not
    visible, so that a lookup leaks no one's existence. A service declares it once::

        _visible = VisibleLookup(repository.get_visible, PersonNotFound, "person").get
    """

    lookup: _Lookup[T]
    missing: type[NotFound]
    what: str

    async def get(
        self,
        session: AsyncSession,
        principal: Principal,
        ident: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> T:
        """The row ``ident`` ``principal`` sees (``for_update``: locked), or ``missing``."""
        found = await self.lookup(session, ident, principal, for_update=for_update)
        return require_found(found, self.missing(f"No {self.what} {ident} visible to you."))
