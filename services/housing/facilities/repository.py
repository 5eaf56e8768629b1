"""Facility queries: the only place that builds SQL for facilities.

Facilities are not person data: every caller allowed to read them sees all of them, whatever
their organisation, so there is no visibility filter here (unlike referrals or cases).
"""

from __future__ import annotations

import uuid
from typing import Any, TypedDict, Unpack

from sqlalchemy.orm import selectinload
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.pagination import Page, PageParams, paginate
from kit.query import where_given
from kit.schemas import TargetGroup
from services.housing.facilities.domain import FacilityKind
from services.housing.facilities.models import Facility, FacilityTargetGroup


class FacilityFilter(TypedDict):
    """What a list of facilities is narrowed to; a filter given as ``None`` is left out."""

    kind: FacilityKind | None
    municipio: int | None
    target_group: TargetGroup | None


def _with_target_groups() -> SelectOfScalar[Facility]:
    return select(Facility).options(selectinload(Facility.target_group_rows))  # type: ignore[arg-type]


def _admits(rows: Any, target_group: TargetGroup) -> Any:
    return rows.any(FacilityTargetGroup.target_group == target_group)


async def get(session: AsyncSession, facility_id: uuid.UUID) -> Facility | None:
    return (await session.exec(_with_target_groups().where(Facility.id == facility_id))).first()


async def list_facilities(
    session: AsyncSession, page: PageParams, **where: Unpack[FacilityFilter]
) -> Page[Facility]:
    stmt = where_given(
        _with_target_groups(),
        (Facility.kind, where["kind"]),
        (Facility.municipio, where["municipio"]),
        (Facility.target_group_rows, where["target_group"], _admits),
    )
    return await paginate(
        session, stmt, page, order_by=(Facility.created_at, Facility.id), descending=True
    )
