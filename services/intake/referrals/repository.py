"""Referral queries: the only place that builds SQL for referrals."""

from __future__ import annotations

import operator
import uuid
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import TypedDict

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_
from sqlalchemy.sql.elements import SQLCoreOperations
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from kit.pagination import Page, PageParams
from kit.query import Listing, first, insert_once
from services.intake import links
from services.intake.referrals.models import Referral, ReferralPerson, SlaBreach
from services.intake.referrals.sla import ENDED_WITHOUT_HAND_OVER, BreachKind


def _visible(stmt: SelectOfScalar[Referral], principal: Principal) -> SelectOfScalar[Referral]:
    if principal.is_coordinator:
        return stmt
    org = principal.organisation
    return stmt.where(
        or_(Referral.reporting_organisation == org, Referral.lead_organisation == org)  # type: ignore[arg-type]
    )


async def get_visible(
    session: AsyncSession, referral_id: uuid.UUID, principal: Principal, *, for_update: bool = False
) -> Referral | None:
    stmt = _visible(select(Referral).where(Referral.id == referral_id), principal)
    return await first(session, stmt, for_update=for_update)


class ReferralFilter(TypedDict, total=False):
    """What a list of referrals may be narrowed to (all optional, combined with AND)."""

    status: str | None
    channel: str | None
    urgency: str | None
    organisation: str | None  # reporting or lead organisation
    municipio: int | None
    received_from: datetime | None  # inclusive
    received_to: datetime | None  # exclusive
    overdue: bool | None  # some SLA step overdue at `now` (sla.py), or none
    now: datetime | None  # required with `overdue`


_REFERRALS = Listing(
    filters={
        "status": Referral.status,
        "channel": Referral.channel,
        "urgency": Referral.urgency,
        "municipio": Referral.municipio,
        "received_from": (col(Referral.received_at), operator.ge),
        "received_to": (col(Referral.received_at), operator.lt),
    },
    order_by=(Referral.created_at, Referral.id),
    descending=True,
)


async def list_visible(
    session: AsyncSession, principal: Principal, params: PageParams, *, where: ReferralFilter
) -> Page[Referral]:
    stmt = _visible(select(Referral), principal)
    if (organisation := where.get("organisation")) is not None:
        stmt = stmt.where(
            or_(
                Referral.reporting_organisation == organisation,  # type: ignore[arg-type]
                Referral.lead_organisation == organisation,  # type: ignore[arg-type]
            )
        )
    if (overdue := where.get("overdue")) is not None:
        if (now := where.get("now")) is None:
            raise ValueError("the overdue filter needs `now`")
        clause = _overdue(now)
        stmt = stmt.where(clause if overdue else not_(clause))
    return await _REFERRALS.page(session, stmt, params, where)


# --- the persons a referral concerns -------------------------------------------------------


def link_persons(
    session: AsyncSession, referral_id: uuid.UUID, person_ids: Iterable[uuid.UUID]
) -> None:
    session.add_all(ReferralPerson(referral_id=referral_id, person_id=p) for p in person_ids)


async def persons_of_referrals(
    session: AsyncSession, referral_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    found: dict[uuid.UUID, list[uuid.UUID]] = {r: [] for r in referral_ids}
    if not referral_ids:
        return found
    stmt = (
        select(ReferralPerson)
        .where(col(ReferralPerson.referral_id).in_(referral_ids))
        .order_by(col(ReferralPerson.person_id))
    )
    for link in await session.exec(stmt):
        found[link.referral_id].append(link.person_id)
    return found


async def concerning(session: AsyncSession, person_ids: Collection[uuid.UUID]) -> list[Referral]:
    """The referrals concerning any of these persons (subject access)."""
    linked = select(ReferralPerson.referral_id).where(col(ReferralPerson.person_id).in_(person_ids))
    referral_ids = list(dict.fromkeys(await session.exec(linked)))
    return list(await session.exec(select(Referral).where(col(Referral.id).in_(referral_ids))))


move_links = links.LinkTable(ReferralPerson, "referral_id").move
"""Re-point the referrals concerning one person from one person to another (merge and split)."""


# --- SLA: the SQL form of sla.breaches() over the stored deadlines ---------------------
# A step counts as done only if done by `now`; a hand-over is also a first contact.


def _step(
    kind: BreachKind,
) -> tuple[SQLCoreOperations[datetime], SQLCoreOperations[datetime | None]]:
    """(deadline, done-at) columns of the SLA step `kind`."""
    if kind is BreachKind.FIRST_CONTACT:
        return col(Referral.first_contact_due_at), func.coalesce(
            col(Referral.first_contact_at), col(Referral.handed_over_at)
        )
    return col(Referral.hand_over_due_at), col(Referral.handed_over_at)


def _open(kind: BreachKind, now: datetime) -> ColumnElement[bool]:
    """The step is overdue at `now`: its deadline passed and it is not done (never NULL)."""
    deadline, done_at = _step(kind)
    return and_(deadline < now, or_(done_at.is_(None), done_at > now))


def _breached(kind: BreachKind, now: datetime) -> ColumnElement[bool]:
    """The step is overdue at `now` or was done after its deadline (never NULL)."""
    deadline, done_at = _step(kind)
    return and_(deadline < now, or_(done_at.is_(None), done_at > now, done_at > deadline))


def _deadlines_apply() -> ColumnElement[bool]:
    return col(Referral.status).not_in([str(s) for s in ENDED_WITHOUT_HAND_OVER])


def _overdue(now: datetime) -> ColumnElement[bool]:
    """Some step of the referral is overdue at `now` (`sla.overdue(sla.breaches(...))`)."""
    return and_(
        _deadlines_apply(),
        or_(*(_open(kind, now) for kind in BreachKind)),
    )


async def unraised_breaches(
    session: AsyncSession, now: datetime, *, limit: int
) -> list[tuple[Referral, set[BreachKind]]]:
    """Referrals with a breach at `now` not raised yet, oldest deadline first, with the kinds
    of their breaches already raised."""

    def unraised(kind: BreachKind) -> ColumnElement[bool]:
        raised = exists().where(
            col(SlaBreach.referral_id) == col(Referral.id), col(SlaBreach.kind) == str(kind)
        )
        return and_(_breached(kind, now), not_(raised))

    stmt = (
        select(Referral)
        .where(_deadlines_apply(), or_(*(unraised(kind) for kind in BreachKind)))
        .order_by(col(Referral.first_contact_due_at), col(Referral.id))
        .limit(limit)
    )
    referrals = list(await session.exec(stmt))
    if not referrals:
        return []
    rows = await session.exec(
        select(SlaBreach.referral_id, SlaBreach.kind).where(
            col(SlaBreach.referral_id).in_([r.id for r in referrals])
        )
    )
    raised: dict[uuid.UUID, set[BreachKind]] = {}
    for referral_id, kind in rows:
        raised.setdefault(referral_id, set()).add(BreachKind(kind))
    return [(r, raised.get(r.id, set())) for r in referrals]


async def claim_breach(
    session: AsyncSession, referral_id: uuid.UUID, kind: BreachKind, raised_at: datetime
) -> bool:
    """Record the breach as raised; False if it already was (by anyone, even concurrently:
    the primary key decides, and a concurrent claim waits for the other's commit)."""
    table = SlaBreach.__table__  # type: ignore[attr-defined]
    return await insert_once(
        session, table, referral_id=referral_id, kind=str(kind), raised_at=raised_at
    )
