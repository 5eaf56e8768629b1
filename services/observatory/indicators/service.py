"""Indicator use cases: keep the read model from events, compute the figures. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.policy import current_version
from services.observatory.indicators import casework_repository, repository
from services.observatory.indicators.breakdowns import (
    SCHEME_OF,
    Cell,
    Dimension,
    Table,
    month_of,
    months_between,
    table,
    within_a_year,
)
from services.observatory.indicators.casework import is_open
from services.observatory.indicators.catalogue import CATALOGUE, Entry
from services.observatory.indicators.domain import Cohort, Indicator
from services.observatory.indicators.housing import DURATIONS
from services.observatory.indicators.policies import SUPPRESSION
from services.observatory.indicators.reach import participant_key
from services.observatory.indicators.schemas import (
    ApprovalDecidedIn,
    AttendanceRecordedIn,
    BreakdownCellPublic,
    BreakdownPublic,
    CaseClosedIn,
    CaseOpenedIn,
    CaseReopenedIn,
    CaseStatusChangedIn,
    CatalogueEntryPublic,
    CataloguePublic,
    FacilityChangedIn,
    FacilityIn,
    FeedbackGivenIn,
    HousingRequestIn,
    InitiativeIn,
    NamePublic,
    PlacementIn,
    ReferralFirstContactedIn,
    ReferralHandedOverIn,
    ReferralIn,
    ReferralReceivedIn,
    ReviewOverdueIn,
    ReviewRecordedIn,
    SessionIn,
    TurningEighteenIn,
)
from services.observatory.indicators.shares import SHARES, share_table
from services.observatory.indicators.timeliness import TIMELINESS, statistic_table

FIRST_PLAN, APPROVED = "first_plan", "approved"
"""An approval's subject and status that approve a case's first plan (casework's words)."""

# Each event sets only the facts it carries, so replays and late duplicates change nothing,
# and a hand-over applied before its referral's reception (a rebuild from another offset)
# is not undone by it. A poll's run of events of one type is applied in one statement; a
# single event is a run of one.


RECEPTION_FACTS = (
    "municipio",
    "target_group",
    "urgency",
    "reporting_organisation",
    "received_at",
    "received_month",
)


_REFERRAL_FIELDS = set(ReferralIn.model_fields)  # once: a model's fields are a descriptor's


def _referral_row(referral_in: ReferralIn, **facts: object) -> dict[str, object]:
    """A referral's fact row from the facts every referral event carries, and ``facts``."""
    return {
        **referral_in.model_dump(include=_REFERRAL_FIELDS),
        "received_month": month_of(referral_in.received_at),
        **facts,
    }


def _last_per_referral(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """One row per referral, the last (a redelivery in the same poll repeats one)."""
    return list({row["referral_id"]: row for row in rows}.values())


async def record_referrals_received(
    *, session: AsyncSession, received: list[ReferralReceivedIn]
) -> None:
    rows = [_referral_row(r, channel=r.channel) for r in received]
    # the reception's facts are the referral's (urgency may change by its hand-over): they
    # replace what a hand-over applied first had inserted, so the order does not matter
    keep = (*RECEPTION_FACTS, "channel")
    await repository.upsert_referrals(session, _last_per_referral(rows), keep=keep)


async def record_referrals_handed_over(
    *, session: AsyncSession, handovers: list[ReferralHandedOverIn]
) -> None:
    rows = [
        _referral_row(
            h,
            lead_organisation=h.lead_organisation,
            handed_over_at=h.handed_over_at,
            hand_over_due_at=h.due_at,
            first_contact_due_at=h.reach_due_at,
        )
        for h in handovers
    ]
    keep = ("lead_organisation", "handed_over_at", "hand_over_due_at")
    # the first contact's deadline as the first contact knew it, if it came first
    await repository.upsert_referrals(
        session, _last_per_referral(rows), keep=keep, fill=("first_contact_due_at",)
    )


async def record_referrals_first_contacted(
    *, session: AsyncSession, contacts: list[ReferralFirstContactedIn]
) -> None:
    rows = [
        _referral_row(c, first_contacted_at=c.reached_at, first_contact_due_at=c.due_at)
        for c in contacts
    ]
    keep = ("first_contacted_at", "first_contact_due_at")
    await repository.upsert_referrals(session, _last_per_referral(rows), keep=keep)


async def record_cases_opened(*, session: AsyncSession, cases: list[CaseOpenedIn]) -> None:
    # a case opened by a case worker has no referral: the referral indicators count those
    # taken in charge, the cases' count every case; a case's opening facts never change
    rows = {
        case.case_id: {**case.model_dump(), "opened_month": month_of(case.opened_at)}
        for case in cases
    }
    await casework_repository.insert_cases(session, list(rows.values()))
    await record_case_standings(session=session, changes=cases)


CaseChange = CaseOpenedIn | CaseStatusChangedIn | CaseClosedIn | CaseReopenedIn


def _standing(change: CaseChange) -> dict[str, object]:
    """Where a case stands from a lifecycle event on."""
    match change:
        case CaseOpenedIn():
            since, open_ = change.opened_at, True
        case CaseStatusChangedIn():
            since, open_ = change.changed_at, is_open(change.status)
        case CaseClosedIn():
            since, open_ = change.closed_at, False
        case CaseReopenedIn():
            since, open_ = change.reopened_at, True
    return {
        "case_id": change.case_id,
        "since": since,
        "open": open_,
        "lead_organisation": change.lead_organisation,
        "municipio": change.municipio,
        "target_group": change.target_group,
    }


async def record_case_standings(*, session: AsyncSession, changes: Sequence[CaseChange]) -> None:
    # one row per event, keyed by the case and its time: a redelivery leaves it as it was
    rows = {(row["case_id"], row["since"]): row for row in map(_standing, changes)}
    await casework_repository.insert_standings(session, list(rows.values()))


async def record_approvals(*, session: AsyncSession, decisions: list[ApprovalDecidedIn]) -> None:
    """The first plans approved (a plan sent back, a closure's decision are not counted)."""
    rows = [
        {"case_id": d.case_id, "approved_at": d.decided_at}
        for d in sorted(decisions, key=lambda d: d.decided_at, reverse=True)
        if d.subject == FIRST_PLAN and d.status == APPROVED
    ]
    # the earliest of a batch last, so that it is the one a batch keeps
    await casework_repository.record_approvals(
        session, list({r["case_id"]: r for r in rows}.values())
    )


async def record_reviews(*, session: AsyncSession, reviews: list[ReviewRecordedIn]) -> None:
    rows = {
        (r.case_id, r.cycle): {
            "case_id": r.case_id,
            "cycle": r.cycle,
            "reviewed_at": r.reviewed_at,
            "month": month_of(r.reviewed_at),
            "municipio": r.municipio,
            "target_group": r.target_group,
        }
        for r in reviews
    }
    await casework_repository.insert_reviews(session, list(rows.values()))


async def record_review_breaches(*, session: AsyncSession, breaches: list[ReviewOverdueIn]) -> None:
    rows = {(b.case_id, b.cycle): {"case_id": b.case_id, "cycle": b.cycle} for b in breaches}
    await casework_repository.insert_breaches(session, list(rows.values()))


async def record_coming_of_age(*, session: AsyncSession, minors: list[TurningEighteenIn]) -> None:
    # the person the event names is not kept: the case, its place, the month, the plan's being
    rows = {
        m.case_id: {
            "case_id": m.case_id,
            "raised_on": m.raised_on,
            "municipio": m.municipio,
            "target_group": m.target_group,
            "with_plan": m.plan_id is not None,
        }
        for m in minors
    }
    await casework_repository.insert_coming_of_age(session, list(rows.values()))


async def record_feedback(
    *, session: AsyncSession, answers: list[tuple[str, FeedbackGivenIn]]
) -> None:
    """Each answer by the id of the event that carried it (its only key)."""
    rows = {
        event_id: {"event_id": event_id, "session_id": a.session_id, "usefulness": a.usefulness}
        for event_id, a in answers
    }
    await repository.insert_feedback(session, list(rows.values()))


async def record_facilities(*, session: AsyncSession, facilities: list[FacilityIn]) -> None:
    # a registration is version 0, before every change
    rows = sorted(
        (
            {**f.model_dump(), "version": f.version if isinstance(f, FacilityChangedIn) else 0}
            for f in facilities
        ),
        key=lambda row: row["version"],
    )
    latest = {row["facility_id"]: row for row in rows}
    await repository.upsert_facilities(session, list(latest.values()))


async def record_housing_requests(
    *, session: AsyncSession, requests: list[HousingRequestIn]
) -> None:
    latest = {r.request_id: r for r in sorted(requests, key=lambda r: r.version)}
    await repository.upsert_housing_requests(session, [r.model_dump() for r in latest.values()])


async def record_placements(*, session: AsyncSession, placements: list[PlacementIn]) -> None:
    # a placement's end follows its start: the row with a move-out is the one to keep
    latest = {
        p.placement_id: p for p in sorted(placements, key=lambda p: p.moved_out_on is not None)
    }
    await repository.upsert_placements(session, [p.model_dump() for p in latest.values()])


async def record_initiatives(*, session: AsyncSession, initiatives: list[InitiativeIn]) -> None:
    # the latest version of each wins, in whatever order they are applied
    latest = {i.initiative_id: i for i in sorted(initiatives, key=lambda i: i.version)}
    await repository.upsert_initiatives(session, [i.model_dump() for i in latest.values()])


async def record_sessions(*, session: AsyncSession, sessions: list[SessionIn]) -> None:
    latest = {s.session_id: s for s in sorted(sessions, key=lambda s: s.version)}
    rows = [
        {
            "session_id": s.session_id,
            "initiative_id": s.initiative_id,
            "version": s.version,
            "municipio": s.venue_municipio,
            "starts_at": s.starts_at,
            "month": month_of(s.starts_at),
            "cancelled": s.status == "cancelled",
        }
        for s in latest.values()
    ]
    await repository.upsert_sessions(session, rows)


async def record_attendance(
    *, session: AsyncSession, attendances: list[AttendanceRecordedIn]
) -> None:
    # totals after each batch of scans: the latest are the session's; the participants are
    # kept as keys, never as the person references the event carries
    totals = {
        a.session_id: {
            "session_id": a.session_id,
            "checked_in": a.total_checked_in,
            "walk_ins": a.total_walk_ins,
            "recorded_at": a.recorded_at,
        }
        for a in sorted(attendances, key=lambda a: a.recorded_at)
    }
    await repository.upsert_attendance(session, list(totals.values()))
    participants = {
        (a.session_id, participant_key(ref))
        for a in attendances
        for ref in a.beneficiaries_checked_in
    }
    if participants:
        rows = [{"session_id": s, "participant": p} for s, p in sorted(participants)]
        await repository.insert_participations(session, rows)


async def threshold_in_force(session: AsyncSession, *, default: int) -> int:
    """The suppression threshold in force now: the policy's latest version, else `default`
    (the service's setting)."""
    version = await current_version(session, SUPPRESSION)
    return version.document.threshold if version is not None else default


async def breakdown(
    *,
    session: AsyncSession,
    cohort: Cohort,
    indicator: Indicator,
    by: tuple[Dimension, ...],
    threshold: int,
) -> Table:
    """``indicator`` over the cohort by ``by``, protected with its whole family (a statistic
    follows the protection of the count it is drawn from)."""
    start, end = within_a_year(cohort)
    months = months_between(month_of(start), month_of(end - timedelta(microseconds=1)))
    if indicator in SCHEME_OF:
        counts = await repository.family_counts(session, SCHEME_OF[indicator], cohort)
        return table(counts, indicator, by, threshold=threshold, months=months)
    if (share := SHARES.get(indicator)) is not None:
        counts = await repository.family_counts(session, SCHEME_OF[share.whole], cohort)
        part, whole = (
            table(counts, count, by, threshold=threshold, months=months)
            for count in (share.part, share.whole)
        )
        return share_table(indicator, part, whole)
    if (timeliness := TIMELINESS.get(indicator)) is not None:
        statistic, count = timeliness.statistic, timeliness.drawn_from
        timings = await repository.cohort_timings(session, cohort, timeliness.step)
    else:
        duration = DURATIONS[indicator]
        statistic, count = duration.statistic, duration.drawn_from
        timings = await repository.housing_durations(session, cohort, duration.measure)
    counts = await repository.family_counts(session, SCHEME_OF[count], cohort)
    drawn_from = table(counts, count, by, threshold=threshold, months=months)
    return statistic_table(timings, indicator, statistic, drawn_from, threshold=threshold)


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
                drawn_from=entry.drawn_from,
                over=entry.over,
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
        cohort=NamePublic(it=entry.cohort[0], en=entry.cohort[1]),
        start=cohort[0],
        end=cohort[1],
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
