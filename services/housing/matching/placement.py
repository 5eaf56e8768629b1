"""From a solution of the class program (`program.Program`) back to households in units:
which request goes to which vacancy; then any household that still fits somewhere goes there,
so that a run short of optimal still leaves no one out who could have been housed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.housing.facilities.schemas import Letting
from services.housing.matching.classes import Classes, IntArray
from services.housing.matching.domain import Vacancy
from services.housing.matching.program import FloatArray, Packing, Program


@dataclass(frozen=True)
class Worth:
    """What housing each request is worth: ``priority``, plus ``bonus`` in a vacancy whose
    Municipio is one of its ``bonus_municipi``."""

    priority: FloatArray
    bonus: float
    bonus_municipi: Sequence[frozenset[int]]


def place(classes: Classes, program: Program, x: FloatArray) -> dict[int, int]:
    """Request -> vacancy (indices) for the integral solution `x`: who earns the bonus where,
    how many of whom go to each unit class, then to which unit."""
    counts = np.rint(x).astype(np.int64)
    earners, others = _earners(program, counts)
    households = _to_unit_classes(classes, program, counts, earners, others)
    units = units_of(classes)
    packings = {packing.vacancy_class: packing for packing in program.packings}
    placed: dict[int, int] = {}
    for k, housed in households.items():
        placed.update(_to_units(classes, k, housed, units[k], packings.get(k), counts))
    return placed


def _earners(
    program: Program, counts: IntArray
) -> tuple[dict[tuple[int, int], list[int]], dict[int, list[int]]]:
    """The housed requests earning the bonus, by (class, Municipio), and the others by class.
    A group's housed requests, by priority, take its bonus counts in turn: so many in this
    Municipio, then so many in the next."""
    housed = counts[: program.b_first] > 0
    members: dict[int, list[int]] = {}
    for request, group in zip(
        program.a_request[housed].tolist(), program.a_group[housed].tolist(), strict=True
    ):
        members.setdefault(group, []).append(request)
    earners: dict[tuple[int, int], list[int]] = {}
    handed: dict[int, int] = {}  # each group's members given a Municipio so far
    earned = counts[program.b_first : program.y_first].tolist()
    for group, m, n in zip(
        program.b_group.tolist(), program.b_municipio.tolist(), earned, strict=True
    ):
        start = handed.get(group, 0)
        chosen = members.get(group, [])[start : start + max(n, 0)]
        handed[group] = start + len(chosen)
        earners.setdefault((int(program.group_class[group]), m), []).extend(chosen)
    others: dict[int, list[int]] = {}
    for group, requests in members.items():
        rest = requests[handed.get(group, 0) :]
        others.setdefault(int(program.group_class[group]), []).extend(rest)
    return earners, others


def _to_unit_classes(
    classes: Classes,
    program: Program,
    counts: IntArray,
    earners: dict[tuple[int, int], list[int]],
    others: dict[int, list[int]],
) -> dict[int, list[int]]:
    """Unit class -> its households: a y column's are its class's bonus earners in that
    Municipio first, then the class's other housed requests (the program's rows make both
    run out together)."""
    taken: dict[object, int] = {}  # how far each list has been handed out

    def take(key: object, pool: list[int], wanted: int) -> list[int]:
        start = taken.get(key, 0)
        taken[key] = start + max(min(wanted, len(pool) - start), 0)
        return pool[start : taken[key]]

    households: dict[int, list[int]] = {}
    y = counts[program.y_first : program.y_first + len(program.y_request_class)]
    for e in np.flatnonzero(y > 0).tolist():
        c, k, wanted = int(program.y_request_class[e]), int(program.y_vacancy_class[e]), int(y[e])
        cell = (c, int(classes.municipio[k]))
        chosen = take(cell, earners.get(cell, []), wanted)
        chosen += take(c, others.get(c, []), wanted - len(chosen))
        households.setdefault(k, []).extend(chosen)
    return households


def _to_units(
    classes: Classes,
    k: int,
    housed: list[int],
    units: IntArray,
    packing: Packing | None,
    counts: IntArray,
) -> dict[int, int]:
    """Unit class `k`'s households into its units, in input order: one each if let whole,
    beds // size each if one size fits, else by the pattern the solution gave each unit."""
    if classes.whole[k]:
        return dict(zip(housed, units.tolist(), strict=False))
    sizes = classes.size[classes.request_class[housed]]
    if packing is None:
        slots = np.repeat(units, classes.beds[k] // sizes[0])
        return dict(zip(housed, slots.tolist(), strict=False))
    shape = _shapes(packing, counts)
    placed: dict[int, int] = {}
    for column, size in enumerate(packing.sizes):
        slots = np.repeat(units, shape[:, column])
        of_size = [h for h, s in zip(housed, sizes.tolist(), strict=True) if s == size]
        placed.update(zip(of_size, slots.tolist(), strict=False))
    return placed


def _shapes(packing: Packing, counts: IntArray) -> IntArray:
    """unit × size: the households of each size the solution gave each unit."""
    used = np.maximum(counts[packing.columns], 0)
    if not packing.patterns:
        return used.reshape(packing.units, len(packing.sizes))
    shapes = np.repeat(np.array(packing.patterns, dtype=np.int64), used, axis=0)[: packing.units]
    missing = np.zeros((packing.units - len(shapes), len(packing.sizes)), dtype=np.int64)
    return np.vstack([shapes, missing])


def units_of(classes: Classes) -> list[IntArray]:
    """Each vacancy class's vacancies (indices), in input order."""
    order = np.argsort(classes.vacancy_class, kind="stable")
    order = order[classes.vacancy_class[order] >= 0]
    bounds = np.searchsorted(classes.vacancy_class[order], np.arange(len(classes.units) + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(len(classes.units))]


def fill(
    classes: Classes,
    vacancies: Sequence[Vacancy],
    worth: Worth,
    placed: dict[int, int],
) -> int:
    """House, in `placed`, each request left out that some vacancy still has room for and is
    worth something in: by priority within its class, where it is worth most (the first such
    vacancy). After an optimal solution there is none; returns how many there were."""
    if not len(classes.size):
        return 0  # no request fits anywhere
    room = np.array([v.free_beds for v in vacancies], dtype=np.int64)
    whole = np.array([v.letting is Letting.WHOLE for v in vacancies], dtype=bool)
    size = np.where(classes.request_class >= 0, classes.size[classes.request_class], 0)
    for request, vacancy in placed.items():
        room[vacancy] = 0 if whole[vacancy] else room[vacancy] - size[request]
    units = units_of(classes)
    best = np.array([room[u].max() if len(u) else 0 for u in units], dtype=np.int64)
    added = 0
    order = np.lexsort((-worth.priority, classes.request_class))
    order = order[classes.request_class[order] >= 0]
    starts = np.flatnonzero(np.r_[True, np.diff(classes.request_class[order]) != 0])
    for start, end in zip(starts, np.r_[starts[1:], len(order)], strict=True):
        c = int(classes.request_class[order[start]])
        s = int(classes.size[c])
        for request in order[start:end].tolist():
            open_classes = np.flatnonzero(classes.fits[c] & (best >= s))
            if not len(open_classes):
                break  # nothing left for this class
            if request in placed:
                continue
            bonus = [
                int(classes.municipio[k]) in worth.bonus_municipi[request] for k in open_classes
            ]
            gains = worth.priority[request] + worth.bonus * np.array(bonus, dtype=np.float64)
            if gains.max() <= 0:
                continue
            k = int(open_classes[int(np.argmax(gains))])
            vacancy = int(units[k][int(np.argmax(room[units[k]] >= s))])
            placed[request] = vacancy
            room[vacancy] = 0 if whole[vacancy] else room[vacancy] - s
            best[k] = room[units[k]].max()
            added += 1
    return added
