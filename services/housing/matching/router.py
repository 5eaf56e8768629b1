"""HTTP for matching: candidates of a request and of a unit, runs and their results, a
request's explanation, the what-if preview."""

from __future__ import annotations

import statistics
import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND
from services.housing.access import Matching, Reading
from services.housing.matching import repository, service
from services.housing.matching.instance import Instance
from services.housing.matching.schemas import (
    Explanation,
    Moved,
    PreviewIn,
    PreviewPublic,
    RequestCandidate,
    RunFigures,
    RunPublic,
    RunResultPublic,
    TakenBy,
    UnitCandidate,
    Waiting,
    WaitingList,
)
from services.housing.matching.service import Fit, Outcome

runs = APIRouter(prefix="/v1/housing/matching-runs", tags=["matching"])
waiting = APIRouter(prefix="/v1/housing/waiting-list", tags=["matching"])
previews = APIRouter(prefix="/v1/housing/matching-previews", tags=["matching"])
of_requests = APIRouter(prefix="/v1/housing/requests", tags=["matching"])
of_units = APIRouter(prefix="/v1/housing/facilities", tags=["matching"])

Limit = Annotated[int, Query(ge=1, le=200, description="How many, best first")]
FeasibleOnly = Annotated[
    bool, Query(description="Only pairs meeting every hard constraint (false: all, judged)")
]
CLOSEST = 5


def _judged(found: Fit) -> dict[str, object]:
    return {
        "feasible": found.feasible,
        "constraints": found.constraints,
        "terms": found.terms,
        "score": found.score,
    }


def unit_candidate(pool: Instance, found: Fit) -> UnitCandidate:
    facility, beds = pool.units[found.vacancy.id]
    return UnitCandidate.model_validate(
        {
            **_judged(found),
            "unit_id": beds.unit.id,
            "facility_id": facility.facility.id,
            "facility_kind": facility.facility.kind,
            "municipio": facility.facility.municipio,
            "letting": beds.unit.letting,
            "free_beds": beds.free,
        }
    )


@of_requests.get(
    "/{request_id}/candidates",
    responses=NOT_FOUND,
    summary="The units with a free bed for a request, best first, each constraint and term",
)
async def request_candidates(
    request_id: uuid.UUID, call: Reading, limit: Limit = 20, feasible_only: FeasibleOnly = True
) -> list[UnitCandidate]:
    pool, fits = await service.candidates_for_request(
        **call.by, request_id=request_id, feasible_only=feasible_only, limit=limit
    )
    return [unit_candidate(pool, found) for found in fits]


@of_requests.get(
    "/{request_id}/explanation",
    responses=NOT_FOUND,
    summary="Why a request is or is not housed: the last run's result and the closest units",
)
async def explain(request_id: uuid.UUID, call: Reading) -> Explanation:
    found = await service.why(**call.by, request_id=request_id)
    pool, closest = await service.candidates_for_request(
        **call.by, request_id=request_id, feasible_only=False, limit=CLOSEST, full_too=True
    )
    run, result = found.run, found.result
    if result is None:
        outcome = "not_weighed_yet"
    else:
        outcome = "proposed" if result.unit_id is not None else str(result.unmatched)
    taken = [
        TakenBy(unit_id=uuid.UUID(unit), requests=dict(housed))
        for unit, housed in sorted(found.taken_by.items())
    ]
    return Explanation(
        request_id=request_id,
        status=found.filed.request.status,
        outcome=outcome,
        run_id=run.id if run else None,
        run_at=run.created_at if run else None,
        unit_id=result.unit_id if result else None,
        score=result.score if result else None,
        taken_by=taken,
        closest=[unit_candidate(pool, f) for f in closest],
    )


@of_units.get(
    "/{facility_id}/units/{unit_id}/candidates",
    responses=NOT_FOUND,
    summary="The waiting requests for a unit, best first, each constraint and term",
)
async def unit_candidates(
    facility_id: uuid.UUID,
    unit_id: uuid.UUID,
    call: Matching,
    limit: Limit = 20,
    feasible_only: FeasibleOnly = True,
) -> list[RequestCandidate]:
    pool, fits = await service.candidates_for_unit(
        session=call.session,
        facility_id=facility_id,
        unit_id=unit_id,
        feasible_only=feasible_only,
        limit=limit,
    )
    return [
        RequestCandidate.model_validate(
            {
                **_judged(found),
                "request_id": found.request.id,
                "case_id": pool.filed[found.request.id].case_id,
                "household_size": found.request.size,
                "waiting_days": found.request.waiting_days,
            }
        )
        for found in fits
    ]


@runs.post(
    "",
    status_code=201,
    summary="Assign every waiting request to the vacancies at once, and propose the places",
)
async def start_run(call: Matching) -> RunPublic:
    return RunPublic.model_validate(await service.run(**call.by))


@runs.get("", summary="Matching runs, newest first")
async def list_runs(call: Matching, page: PageParamsDep) -> Page[RunPublic]:
    found = await repository.list_runs(call.session, page)
    return found.map(RunPublic.model_validate)


@runs.get("/{run_id}", responses=NOT_FOUND, summary="One matching run")
async def get_run(run_id: uuid.UUID, call: Matching) -> RunPublic:
    return RunPublic.model_validate(await service.get_run(session=call.session, run_id=run_id))


@runs.get("/{run_id}/results", responses=NOT_FOUND, summary="What a run did with each request")
async def run_results(
    run_id: uuid.UUID, call: Matching, page: PageParamsDep
) -> Page[RunResultPublic]:
    await service.get_run(session=call.session, run_id=run_id)
    found = await repository.results(call.session, run_id, page)
    return found.map(RunResultPublic.model_validate)


def _figures(outcome: Outcome) -> RunFigures:
    solved = outcome.solved
    return RunFigures(
        housed=len(solved.assignment.placed),
        total_priority=solved.assignment.total,
        optimal=solved.optimal,
        gap=solved.gap,
    )


@previews.post(
    "",
    summary="What a change of the weights would do now: the waiting list and a run (no save)",
)
async def preview(preview_in: PreviewIn, call: Matching) -> PreviewPublic:
    found = await service.preview(session=call.session, proposed=preview_in.document)
    change = found.change
    return PreviewPublic(
        moved_up=[Moved(**vars(m)) for m in found.moved_up],
        moved_down=[Moved(**vars(m)) for m in found.moved_down],
        in_force=_figures(found.current),
        proposed=_figures(found.outcome),
        housed=[uuid.UUID(r) for r in change.housed],
        unhoused=[uuid.UUID(r) for r in change.unhoused],
        moved={r: (uuid.UUID(a), uuid.UUID(b)) for r, (a, b) in change.moved.items()},
        assignment={r: uuid.UUID(u) for r, u in found.outcome.solved.assignment.placed.items()},
    )


@waiting.get("", summary="The waiting list: waiting requests by priority, with their waits")
async def waiting_list(
    call: Matching, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> WaitingList:
    listed = await service.waiting_list(call.session)
    days = sorted(item.request.waiting_days for item in listed)
    return WaitingList(
        waiting=len(listed),
        median_waiting_days=float(statistics.median(days)) if days else None,
        longest_waiting_days=days[-1] if days else None,
        items=[
            Waiting(
                place=item.place,
                request_id=item.filed.id,
                case_id=item.filed.case_id,
                target_group=item.filed.target_group,
                household_size=item.request.size,
                urgency=item.filed.urgency,
                vulnerability=item.filed.vulnerability,
                waiting_days=item.request.waiting_days,
                priority=item.priority,
            )
            for item in listed[:limit]
        ],
    )
