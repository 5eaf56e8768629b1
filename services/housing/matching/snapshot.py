"""The waiting list as the matcher weighs it, held between calls, and the shortlist of it for
one vacancy. Pure: `instance.waiting_now` reads and keeps it.

Reading ten thousand waiting requests and making each a `Request` takes half a second; a
unit's candidates are wanted in 50 ms. So a process keeps the list it last read, and each call
reads first a stamp of the list (an aggregate: how many wait, the latest change, the sum of
versions); if it is the one the list was read under, the list stands. Else the id and version
of every waiting request: every change to a request moves its version (a vulnerability from
the case too), so only the requests new to the list or changed are read again, and those gone
are dropped (`refreshed`).

A unit's candidates are found by kinds of request: requests with the same target group,
household size, sexes, youngest and eldest member and access needs meet the same hard
constraints everywhere, so one of each kind is judged (`domain.constraints`) and the scores of
the kinds that fit are ranked together, as arrays.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from numpy.typing import NDArray

from services.housing.matching import domain
from services.housing.matching.domain import Person, Request, Sex, Vacancy, Weights, request_terms
from services.housing.requests.schemas import HousingUrgency
from services.housing.requests.service import Waiting

URGENCY_LEVEL: dict[str, int] = {urgency: level for level, urgency in enumerate(HousingUrgency)}
"""An urgency's level as the matcher scores it, 0–3 (the vocabulary's order)."""

Stamp = tuple[int, datetime | None, int]
"""How many requests wait, the latest change to one, the sum of their versions
(`requests.waiting_stamp`)."""

Kind = tuple[str, int, frozenset[str], int, int, bool]
"""What the hard constraints read of a request: target group, size, sexes, youngest,
eldest, whether it needs step-free access."""


@dataclass
class Snapshot:
    """The waiting requests, longest waiting first, as filed and as the matcher sees them on
    `today` (waiting times count in days)."""

    today: date
    waiting: Sequence[Waiting]
    requests: Sequence[Request]
    stamp: Stamp | None = None  # what the list was read under (`instance.waiting_now`)
    _kinds: dict[Kind, NDArray[np.int64]] | None = field(default=None, repr=False)
    _by_id: NDArray[np.int64] | None = field(default=None, repr=False)
    _preferred: dict[int, NDArray[np.bool_]] = field(default_factory=dict, repr=False)
    _priorities: dict[Weights, NDArray[np.float64]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(
        cls,
        today: date,
        waiting: Iterable[Waiting],
        kept: Snapshot | None = None,
        *,
        stamp: Stamp | None = None,
    ) -> Snapshot:
        """The snapshot of `waiting` in the list's order, each `Request` taken from `kept` where
        it holds the same version on the same day."""
        ordered = sorted(waiting, key=lambda w: (w.requested_on, w.id.int))  # ids as UUIDs sort
        reused: dict[uuid.UUID, Request] = {}
        if kept is not None and kept.today == today:
            held = {w.id: w.version for w in ordered}
            reused = {
                w.id: r
                for w, r in zip(kept.waiting, kept.requests, strict=True)
                if held.get(w.id) == w.version
            }
        return cls(
            today,
            ordered,
            [reused.get(w.id) or request_of(w, today) for w in ordered],
            stamp,
        )

    def refreshed(self, versions: Mapping[uuid.UUID, int]) -> tuple[list[Waiting], list[uuid.UUID]]:
        """Against the waiting list's `versions` now: the requests still as held, and the ids
        to read again (new to the list, or changed)."""
        held = [w for w in self.waiting if versions.get(w.id) == w.version]
        kept = {w.id for w in held}
        return held, [i for i in versions if i not in kept]

    def kinds(self) -> dict[Kind, NDArray[np.int64]]:
        """The requests of each kind, by position."""
        if self._kinds is None:
            members: dict[Kind, list[int]] = {}
            for index, request in enumerate(self.requests):
                members.setdefault(kind_of(request), []).append(index)
            self._kinds = {k: np.array(v, dtype=np.int64) for k, v in members.items()}
        return self._kinds

    def priorities(self, weights: Weights) -> NDArray[np.float64]:
        """Each request's priority wherever it is housed (`domain.request_terms`, summed as
        `domain.score` sums them)."""
        found = self._priorities.get(weights)
        if found is None:
            found = np.array(
                [sum(request_terms(r, weights).values()) for r in self.requests], dtype=np.float64
            )
            if len(self._priorities) > 8:
                self._priorities.clear()
            self._priorities[weights] = found
        return found

    def shortlist(
        self, vacancy: Vacancy, weights: Weights, *, feasible_only: bool, limit: int
    ) -> list[int]:
        """The `limit` requests ranked first for `vacancy`, by position: fewest hard
        constraints broken, then highest score, then by id (`service.ranked`'s order)."""
        broken_of, chosen = [], []
        for members in self.kinds().values():
            judged = domain.constraints(self.requests[int(members[0])], vacancy)
            broken = sum(not ok for ok in judged.values())
            if broken == 0 or not feasible_only:
                broken_of.append(np.full(len(members), broken, dtype=np.int64))
                chosen.append(members)
        if not chosen:
            return []
        positions = np.concatenate(chosen)
        preferred = self._preferred_in(vacancy.municipio)[positions]
        scores = self.priorities(weights)[positions] + np.where(preferred, weights.preference, 0.0)
        order = np.lexsort((self._id_order()[positions], -scores, np.concatenate(broken_of)))
        return [int(p) for p in positions[order[:limit]]]

    def _preferred_in(self, municipio: int) -> NDArray[np.bool_]:
        found = self._preferred.get(municipio)
        if found is None:
            found = np.array([municipio in r.preferred_municipi for r in self.requests])
            self._preferred[municipio] = found
        return found

    def _id_order(self) -> NDArray[np.int64]:
        """Each request's place in the order of ids."""
        if self._by_id is None:
            ranks = np.empty(len(self.requests), dtype=np.int64)
            ranks[sorted(range(len(self.requests)), key=lambda i: self.requests[i].id)] = np.arange(
                len(self.requests)
            )
            self._by_id = ranks
        return self._by_id


def kind_of(request: Request) -> Kind:
    ages = [person.age for person in request.people]
    return (
        request.target_group,
        request.size,
        frozenset(str(person.sex) for person in request.people),
        min(ages),
        max(ages),
        request.needs_accessible,
    )


def request_of(request: Waiting, today: date) -> Request:
    return Request(
        id=str(request.id),
        people=tuple(_person(m["sex"], m["age"]) for m in request.members),
        target_group=request.target_group,
        needs_accessible=request.needs_accessible,
        preferred_municipi=frozenset(request.preferred_municipi),
        urgency=URGENCY_LEVEL[request.urgency],
        vulnerability=request.vulnerability,
        waiting_days=request.waiting_days(today),
    )


_people: dict[tuple[str, int], Person] = {}  # a Person per sex and age: a few hundred


def _person(sex: str, age: int) -> Person:
    found = _people.get((sex, age))
    if found is None:
        found = _people[(sex, age)] = Person(sex=Sex(sex), age=int(age))
    return found
