"""Indicator use cases: keep the read model from events, compute the figures. Never commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.observatory.indicators import repository
from services.observatory.indicators.breakdowns import (
    Cell,
    Dimension,
    Table,
    month_of,
    months_between,
    table,
    within_a_year,
)
from services.observatory.indicators.catalogue import CATALOGUE, Entry
from services.observatory.indicators.domain import Cohort, Indicator
from services.observatory.indicators.models import CaseFact, ReferralFact
from services.observatory.indicators.schemas import (
    BreakdownCellPublic,
    BreakdownPublic,
    CaseOpenedIn,
    CatalogueEntryPublic,
    CataloguePublic,
    NamePublic,
    ReferralHandedOverIn,
    ReferralIn,
    ReferralReceivedIn,
)

# Each event sets only the facts it carries, so replays and late duplicates change nothing,
# and a hand-over applied before its referral's reception (a rebuild from another offset)
# is not undone by it.


async def _referral_fact(session: AsyncSession, referral_in: ReferralIn) -> ReferralFact:
    """The referral's fact row; a new one from the facts every referral event carries."""
    fact = await repository.get_referral(session, referral_in.referral_id)
    if fact is None:
        fact = ReferralFact(
            **referral_in.model_dump(include=set(ReferralIn.model_fields)),
            received_month=month_of(referral_in.received_at),
        )
        session.add(fact)
    return fact


async def record_referral_received(
    *, session: AsyncSession, received_in: ReferralReceivedIn
) -> None:
    fact = await _referral_fact(session, received_in)
    fact.channel = received_in.channel
    await session.flush()


async def record_referral_handed_over(
    *, session: AsyncSession, handover_in: ReferralHandedOverIn
) -> None:
    fact = await _referral_fact(session, handover_in)
    fact.lead_organisation = handover_in.lead_organisation
    fact.handed_over_at = handover_in.handed_over_at
    await session.flush()


async def record_case_opened(*, session: AsyncSession, case_in: CaseOpenedIn) -> None:
    if case_in.referral_id is None or case_in.referral_received_at is None:
        return  # opened by a case worker: the indicators count referrals taken in charge
    if await repository.get_case(session, case_in.case_id) is not None:
        return  # a case's opening facts never change
    session.add(CaseFact(**case_in.model_dump()))  # the event carries exactly the row's facts
    await session.flush()


async def breakdown(
    *,
    session: AsyncSession,
    cohort: Cohort,
    indicator: Indicator,
    by: tuple[Dimension, ...],
    threshold: int,
) -> Table:
    """``indicator`` over the cohort by ``by``, protected with its whole family."""
    start, end = within_a_year(cohort)
    counts = await repository.cohort_counts(session, cohort)
    months = months_between(month_of(start), month_of(end - timedelta(microseconds=1)))
    return table(counts, indicator, by, threshold=threshold, months=months)


def catalogue(*, threshold: int) -> CataloguePublic:
    """The indicator catalogue, with the threshold in force."""
    return CataloguePublic(
        suppression_threshold=threshold,
        indicators=[
            CatalogueEntryPublic(
                code=entry.indicator,
                name=_name(entry),
                definition=entry.definition,
                unit=entry.unit,
                source_events=list(entry.source_events),
                breakdowns=list(entry.breakdowns),
                part_of=entry.part_of,
                suppression=entry.suppression,
                reference=entry.reference,
            )
            for entry in CATALOGUE.values()
        ],
    )


def _name(entry: Entry) -> NamePublic:
    return NamePublic(it=entry.name_it, en=entry.name_en)


def _cell(cell: Cell) -> BreakdownCellPublic:
    return BreakdownCellPublic(
        breakdown=dict(cell.breakdown), value=cell.value, suppressed=cell.suppressed
    )


def _public(found: Table, cohort: tuple[datetime, datetime], threshold: int) -> BreakdownPublic:
    entry = CATALOGUE[found.indicator]
    return BreakdownPublic(
        code=found.indicator,
        name=_name(entry),
        unit=entry.unit,
        received_from=cohort[0],
        received_to=cohort[1],
        by=list(found.by),
        suppression_threshold=threshold,
        suppression=entry.suppression,
        total=_cell(found.total),
        cells=[_cell(cell) for cell in found.cells],
    )


async def published_breakdown(
    *,
    session: AsyncSession,
    cohort: Cohort,
    indicator: Indicator,
    by: tuple[Dimension, ...],
    threshold: int,
) -> BreakdownPublic:
    """The breakdown as published: what the API, the dashboard and the exports show."""
    found = await breakdown(
        session=session, cohort=cohort, indicator=indicator, by=by, threshold=threshold
    )
    start, end = within_a_year(cohort)
    return _public(found, (start, end), threshold)
