"""The matching instance: the waiting requests and the vacancies as the matcher sees them,
read through the requests' and facilities' use cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.outbox.writer import database_key
from services.housing.facilities import service as facilities
from services.housing.facilities.schemas import Letting, SexPolicy
from services.housing.facilities.service import Beds, FacilityBeds
from services.housing.matching.domain import Request, Vacancy
from services.housing.matching.snapshot import Snapshot, request_of
from services.housing.requests import service as requests
from services.housing.requests.proposals import service as proposals
from services.housing.requests.service import Waiting


@dataclass(frozen=True)
class Instance:
    """What a run weighs, in a fixed order (one input, one assignment)."""

    requests: list[Request]
    vacancies: list[Vacancy]
    filed: dict[str, Waiting]  # request id -> the request as filed
    units: dict[str, tuple[FacilityBeds, Beds]]  # vacancy (unit) id -> its facility and beds


def vacancy_of(
    facility: FacilityBeds, beds: Beds, target_groups: frozenset[str] | None = None
) -> Vacancy:
    """The unit as the matcher sees it (`target_groups`: its facility's, if worked out
    already — a run's units share a few hundred facilities)."""
    f, unit = facility.facility, beds.unit
    if target_groups is None:
        target_groups = frozenset(str(group) for group in facility.target_groups)
    return Vacancy(
        id=str(unit.id),
        facility_id=str(f.id),
        municipio=f.municipio,
        target_groups=target_groups,
        sex_policy=SexPolicy(f.sex_policy),
        min_age=f.min_age,
        max_age=f.max_age,
        accessible=f.accessible and unit.accessible,
        letting=Letting(unit.letting),
        free_beds=beds.free,
    )


_kept: dict[str, Snapshot] = {}  # per database: the waiting list last read


async def waiting_now(session: AsyncSession, today: date) -> Snapshot:
    """The waiting list now: the one kept if its stamp is the same (`requests.waiting_stamp`,
    read before the list: a list read after it is as new or newer, never older); else the
    one kept with the requests new to it or changed read again (`Snapshot.refreshed`); else
    all of it read."""
    stamp = await requests.waiting_stamp(session)
    database = database_key((await session.connection()).sync_engine)
    kept = _kept.get(database)
    if kept is not None and kept.today == today and kept.stamp == stamp:
        return kept
    if kept is None:
        snapshot = Snapshot.of(today, await requests.waiting(session), stamp=stamp)
    else:
        held, stale = kept.refreshed(await requests.waiting_versions(session))
        fresh = await requests.waiting(session, ids=stale) if stale else []
        snapshot = Snapshot.of(today, [*held, *fresh], kept, stamp=stamp)
    _kept[database] = snapshot
    return snapshot


async def instance(session: AsyncSession, today: date, *, for_update: bool = False) -> Instance:
    """Every waiting request and every unit with a free bed, and no pair declined before
    (with `for_update`, the units are locked: no bed a run counts is taken meanwhile; a
    request withdrawn meanwhile is not proposed to, `requests.propose_all`)."""
    snapshot = await waiting_now(session, today)
    units = await facilities.all_with_beds(session, for_update=for_update)
    found = of(snapshot.waiting, units, today, requests_=snapshot.requests)
    declined = await proposals.declined_pairs(session)
    return without(found, {(str(r), str(u)) for r, u in declined})


def without(pool: Instance, declined: set[tuple[str, str]]) -> Instance:
    """`pool` where no declined (request, unit) pair meets the target-group constraint: each
    request that declined a unit is given a target group of its own, which every unit that
    admitted its group admits too — but the units it declined. Exact for any solver of the
    model, and the rules stay as they are."""
    if not declined:
        return pool
    refused: dict[str, set[str]] = {}
    for request_id, unit_id in declined:
        refused.setdefault(request_id, set()).add(unit_id)
    declining = [r for r in pool.requests if r.id in refused]  # few: not every request
    own = {r.id: f"{r.target_group}#{r.id}" for r in declining}
    requests_ = [replace(r, target_group=own[r.id]) if r.id in own else r for r in pool.requests]
    vacancies = []
    for vacancy in pool.vacancies:
        admits = {
            own[r.id]
            for r in declining
            if r.target_group in vacancy.target_groups and vacancy.id not in refused[r.id]
        }
        vacancies.append(
            replace(vacancy, target_groups=vacancy.target_groups | admits) if admits else vacancy
        )
    return Instance(requests_, vacancies, pool.filed, pool.units)


def of(
    waiting: Sequence[Waiting],
    facilities_: Sequence[FacilityBeds],
    today: date,
    *,
    full_too: bool = False,
    requests_: Sequence[Request] | None = None,
) -> Instance:
    """The instance of `waiting` (`requests_`: they, made `Request`s already) and the units
    of `facilities_` with a free bed (with `full_too`, the full ones as well, to be judged)."""
    units = {
        str(beds.unit.id): (facility, beds)
        for facility in facilities_
        for beds in facility.units
        if full_too or beds.free > 0
    }
    groups = {
        id(facility): frozenset(str(group) for group in facility.target_groups)
        for facility in facilities_
    }
    return Instance(
        requests=(
            [request_of(r, today) for r in waiting] if requests_ is None else list(requests_)
        ),
        vacancies=[
            vacancy_of(facility, beds, groups[id(facility)]) for facility, beds in units.values()
        ],
        filed={str(request.id): request for request in waiting},
        units=units,
    )
