"""Matching use cases: rank candidates (vacancies for a request, requests for a unit), run
the assignment of all waiting requests to all vacancies and keep its results, explain why a
request was or was not housed, and preview a change of weights. Never commits."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, require_found
from kit.heap import collection_paused
from kit.outbox import record_event
from kit.policy import service as policies
from services.housing.facilities import service as facilities
from services.housing.matching import domain, repository, solver, whatif
from services.housing.matching.classes import classify
from services.housing.matching.domain import Request, Unmatched, Vacancy, Weights
from services.housing.matching.events import MatchingRunCompleted
from services.housing.matching.instance import (
    Instance,
    instance,
    of,
    vacancy_of,
    waiting_now,
)
from services.housing.matching.models import MatchingRun, RunResult
from services.housing.matching.policies import MATCHING, MatchingPolicy
from services.housing.matching.snapshot import request_of
from services.housing.requests import service as requests
from services.housing.requests.proposals import service as proposals


class RunNotFound(NotFound):
    slug = "matching-run-not-found"
    title = "Matching run not found"


@dataclass(frozen=True)
class Fit:
    """One (request, vacancy) pair judged: every hard constraint, every score term."""

    request: Request
    vacancy: Vacancy
    constraints: dict[domain.Constraint, bool]
    terms: dict[domain.Term, float]

    @property
    def feasible(self) -> bool:
        return all(self.constraints.values())

    @property
    def score(self) -> float:
        return sum(self.terms.values())


def fit(request: Request, vacancy: Vacancy, weights: Weights) -> Fit:
    return Fit(
        request,
        vacancy,
        domain.constraints(request, vacancy),
        domain.score_terms(request, vacancy, weights),
    )


def broken_constraints(
    filed: requests.Filed, facility: facilities.FacilityBeds, beds: facilities.Beds
) -> list[str]:
    """The hard constraints the unit breaks for the request as it stands, room aside (none: it
    admits the household; whether it has the beds is the caller's check, under its lock)."""
    request = request_of(requests.as_waiting(filed), utcnow().date())
    judged = domain.constraints(request, vacancy_of(facility, beds))
    return [str(c) for c, ok in judged.items() if not ok and c is not domain.Constraint.BEDS]


def ranked(fits: Sequence[Fit], *, feasible_only: bool, limit: int) -> list[Fit]:
    """Feasible pairs first, best score first; then (if asked) the others, fewest constraints
    broken first."""
    shown = [f for f in fits if f.feasible or not feasible_only]
    broken = {id(f): sum(not ok for ok in f.constraints.values()) for f in shown}
    return sorted(shown, key=lambda f: (broken[id(f)], -f.score, f.vacancy.id, f.request.id))[
        :limit
    ]


async def weights_in_force(session: AsyncSession) -> tuple[MatchingPolicy, int | None]:
    record = await policies.current_version(session, MATCHING)
    return (MATCHING.default, None) if record is None else (record.document, record.version)


async def candidates_for_request(
    *,
    session: AsyncSession,
    principal: Principal,
    request_id: uuid.UUID,
    feasible_only: bool,
    limit: int,
    full_too: bool = False,
) -> tuple[Instance, list[Fit]]:
    """The vacancies for a request the caller sees, best first (with `full_too`, the units
    with no free bed as well, judged so)."""
    filed = await requests.get(session=session, principal=principal, request_id=request_id)
    policy, _ = await weights_in_force(session)
    found = await facilities.all_with_beds(session)
    request = request_of(requests.as_waiting(filed), utcnow().date())
    pool = of([], found, utcnow().date(), full_too=full_too)
    fits = [fit(request, vacancy, policy.weights()) for vacancy in pool.vacancies]
    return pool, ranked(fits, feasible_only=feasible_only, limit=limit)


async def candidates_for_unit(
    *,
    session: AsyncSession,
    facility_id: uuid.UUID,
    unit_id: uuid.UUID,
    feasible_only: bool,
    limit: int,
) -> tuple[Instance, list[Fit]]:
    """The waiting requests for a unit, best first (its facility's readers ask: every waiting
    request is weighed, and only ids and scores are shown). From the waiting list kept in
    memory, by kinds of request (`snapshot`): only the requests shown are judged one by one."""
    beds = await facilities.unit(session=session, facility_id=facility_id, unit_id=unit_id)
    facility = await facilities.get(session=session, facility_id=facility_id)
    policy, _ = await weights_in_force(session)
    weights = policy.weights()
    vacancy = vacancy_of(facility, beds)
    listed = await waiting_now(session, utcnow().date())
    shown = listed.shortlist(vacancy, weights, feasible_only=feasible_only, limit=limit)
    pool = Instance(
        [listed.requests[i] for i in shown],
        [vacancy],
        {str(listed.waiting[i].id): listed.waiting[i] for i in shown},
        {str(beds.unit.id): (facility, beds)},
    )
    fits = [fit(request, vacancy, weights) for request in pool.requests]
    return pool, ranked(fits, feasible_only=feasible_only, limit=limit)


# --- runs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A solved instance: the assignment and, for the requests left out, why — each left-out
    request's class (-1: no unit meets its constraints), and each such class's fitting units
    (all taken: housing it instead would lower the total)."""

    instance: Instance
    solved: solver.Solved
    left_out_class: dict[str, int]
    class_units: dict[int, list[str]]


def solve(pool: Instance, weights: Weights) -> Outcome:
    """The best assignment of `pool`, and why each request it leaves out is left out."""
    solved = solver.assign(pool.requests, pool.vacancies, weights)
    placed = solved.assignment.placed
    left_out = [i for i, r in enumerate(pool.requests) if r.id not in placed]
    of_class: dict[str, int] = {}
    units: dict[int, list[str]] = {}
    if left_out:
        classes = solved.classes  # the solver's own, else worked out again
        if classes is None:
            classes = classify(pool.requests, pool.vacancies)
        usable = classes.vacancy_class >= 0
        for index in left_out:
            cls = int(classes.request_class[index])
            of_class[pool.requests[index].id] = cls
            if cls >= 0 and cls not in units:
                fits = usable & classes.fits[cls][np.maximum(classes.vacancy_class, 0)]
                units[cls] = [pool.vacancies[v].id for v in np.flatnonzero(fits)]
    return Outcome(pool, solved, of_class, units)


async def run(*, session: AsyncSession, principal: Principal) -> MatchingRun:
    """Assign every waiting request to the vacancies at once under the policy in force, and
    keep the result (the requests are locked: two runs never propose to the same one).
    Cyclic garbage collection waits meanwhile (`kit.heap.collection_paused`)."""
    with collection_paused():
        return await _run(session, principal)


async def _run(session: AsyncSession, principal: Principal) -> MatchingRun:
    started = time.perf_counter()
    policy, version = await weights_in_force(session)
    pool = await instance(session, utcnow().date(), for_update=True)  # requests, then units
    outcome = solve(pool, policy.weights())
    solved = outcome.solved
    matching_run = MatchingRun(
        policy_version=version,
        weights=policy.model_dump(mode="json"),
        requests=len(pool.requests),
        vacancies=len(pool.vacancies),
        pairs=solved.pairs,
        housed=len(solved.assignment.placed),
        total_priority=solved.assignment.total,
        optimal=solved.optimal,
        gap=solved.gap,
        solver_seconds=solved.seconds,
        created_by=principal.subject,
        organisation=principal.organisation,
        created_at=utcnow(),
    )
    session.add(matching_run)
    await session.flush()
    results = _results(matching_run.id, outcome, policy.weights())
    await repository.add_results(session, results)
    await repository.add_classes(
        session,
        [
            {"run_id": matching_run.id, "fit_class": cls, "unit_ids": unit_ids}
            for cls, unit_ids in sorted(outcome.class_units.items())
        ],
    )
    placed = solved.assignment.placed
    offers, chosen = [], []
    for request, row in zip(pool.requests, results, strict=True):
        if row["unit_id"] is not None:
            facility = pool.units[placed[request.id]][0].facility
            offers.append(
                proposals.Offer(row["request_id"], row["unit_id"], facility.id, row["score"])
            )
            chosen.append(pool.filed[request.id])
    await proposals.propose(
        session, principal, offers, chosen, hold=policy.proposal_hold, run_id=matching_run.id
    )
    await record_event(
        session,
        MatchingRunCompleted,
        MatchingRunCompleted.payload.of(
            matching_run,
            run_id=matching_run.id,
            seconds=time.perf_counter() - started,
        ),
        subject=str(matching_run.id),
        organisation=principal.organisation,
    )
    return matching_run


def _results(run_id: uuid.UUID, outcome: Outcome, weights: Weights) -> list[dict[str, Any]]:
    """The run's result for each request, as rows (a run writes ten thousand)."""
    pool, placed = outcome.instance, outcome.solved.assignment.placed
    scores = outcome.solved.scores  # the solver's, of the pairs it placed
    vacancies_by_id = {v.id: v for v in pool.vacancies}
    results = []
    for request in pool.requests:
        unit = placed.get(request.id)
        row: dict[str, Any] = {
            "run_id": run_id,
            "request_id": pool.filed[request.id].id,
            "unit_id": None,
            "score": None,
            "unmatched": None,
            "fit_class": None,
        }
        if unit is not None:
            row["unit_id"] = pool.units[unit][1].unit.id
            found = scores.get(request.id)
            row["score"] = (
                domain.score(request, vacancies_by_id[unit], weights) if found is None else found
            )
        else:
            cls = outcome.left_out_class[request.id]
            row["unmatched"] = Unmatched.NO_FEASIBLE_UNIT if cls < 0 else Unmatched.UNITS_TAKEN
            row["fit_class"] = None if cls < 0 else cls
        results.append(row)
    return results


async def get_run(*, session: AsyncSession, run_id: uuid.UUID) -> MatchingRun:
    found = await repository.get_run(session, run_id)
    return require_found(found, RunNotFound(f"No matching run {run_id}."))


# --- why and why not -------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """Why a request stands where it does after the last run that weighed it."""

    filed: requests.Filed
    run: MatchingRun | None
    result: RunResult | None
    taken_by: Mapping[str, Mapping[str, float]]  # unit -> request housed there -> its score


async def why(*, session: AsyncSession, principal: Principal, request_id: uuid.UUID) -> Explanation:
    filed = await requests.get(session=session, principal=principal, request_id=request_id)
    latest = await repository.latest_result(session, request_id)
    if latest is None:
        return Explanation(filed, None, None, {})
    matching_run, result = latest
    if result.fit_class is None:
        return Explanation(filed, matching_run, result, {})
    units = await repository.class_units(session, matching_run.id, result.fit_class)
    housed = await repository.housed_in(session, matching_run.id, [uuid.UUID(u) for u in units])
    taken: dict[str, dict[str, float]] = {unit: {} for unit in units}
    for request, unit, score in housed:
        taken[unit][request] = score
    return Explanation(filed, matching_run, result, taken)


# --- what if -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """What the proposed policy would do to the waiting list and to a run, now."""

    proposed: MatchingPolicy
    moved_up: list[whatif.Moved]
    moved_down: list[whatif.Moved]
    current: Outcome
    outcome: Outcome
    change: whatif.AssignmentChange


async def preview(*, session: AsyncSession, proposed: MatchingPolicy) -> Preview:
    """A run now under `proposed`, compared with one under the policy in force: nothing is
    saved, no request is locked."""
    in_force, _ = await weights_in_force(session)
    pool = await instance(session, utcnow().date())
    current = solve(pool, in_force.weights())
    outcome = solve(pool, proposed.weights())
    up, down = whatif.moves(
        whatif.ranking(pool.requests, in_force.weights()),
        whatif.ranking(pool.requests, proposed.weights()),
    )
    change = whatif.assignment_change(
        current.solved.assignment.placed, outcome.solved.assignment.placed
    )
    return Preview(proposed, up, down, current, outcome, change)


@dataclass(frozen=True)
class Listed:
    place: int
    filed: requests.Waiting
    request: Request
    priority: float


async def waiting_list(session: AsyncSession) -> list[Listed]:
    """Every waiting request in its place on the list under the policy in force."""
    policy, _ = await weights_in_force(session)
    today = utcnow().date()
    waiting = await requests.waiting(session)
    weighed = {str(w.id): (w, request_of(w, today)) for w in waiting}
    places = whatif.ranking([r for _, r in weighed.values()], policy.weights())
    return sorted(
        (
            Listed(places[rid], filed, request, whatif.priority(request, policy.weights()))
            for rid, (filed, request) in weighed.items()
        ),
        key=lambda listed: listed.place,
    )
