"""Who may be the same person: the candidate search of duplicate detection. Nothing stored.

Registration, rectification and merges search here (persons.service, merges.service), and so do
the benchmarks (bench/candidate_search.py); what the search finds is queued for review by
reviews.service.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.persons import repository
from services.intake.persons.domain import PersonStatus
from services.intake.persons.matching import (
    DEFAULT_THRESHOLD,
    REVIEW_THRESHOLD,
    Match,
    PersonFacts,
    blocking_keys,
    score,
)
from services.intake.persons.models import Person


class Described(Protocol):
    """What duplicate detection compares of a person, however it is held: a stored `Person`,
    a row of repository.candidate_rows, or an operator's `PersonFields` (a match query)."""

    @property
    def given_name(self) -> str | None: ...
    @property
    def family_name(self) -> str | None: ...
    @property
    def alternative_names(self) -> Sequence[str]: ...
    @property
    def sex(self) -> str | None: ...
    @property
    def birth_date(self) -> date | None: ...
    @property
    def birth_date_estimated(self) -> bool: ...
    @property
    def nationality(self) -> str | None: ...


class _Matchable(Described, Protocol):
    """A stored person's matching fields: a `Person`, or a row of repository.candidate_rows."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def documents(self) -> list[dict[str, Any]]: ...


def facts_of(
    person: Described, *, document_numbers: Iterable[str], ref: str | None = None
) -> PersonFacts:
    """The `PersonFacts` of ``person``, with its document numbers (held differently by a
    stored row and a request) and the caller's ``ref`` for it."""
    return PersonFacts(
        given_name=person.given_name or "",
        family_name=person.family_name or "",
        alternative_names=tuple(person.alternative_names),
        sex=person.sex,
        birth_date=person.birth_date,
        birth_date_estimated=person.birth_date_estimated,
        nationality=person.nationality,
        document_numbers=tuple(document_numbers),
        ref=ref,
    )


def facts(person: _Matchable) -> PersonFacts:
    """What duplicate detection compares of a stored person."""
    numbers = (str(d["number"]) for d in person.documents)
    return facts_of(person, document_numbers=numbers, ref=str(person.id))


@dataclass(frozen=True)
class Candidate:
    """A person who may be the same as the one searched for (merged records resolved)."""

    person: Person
    match: Match

    @property
    def likely(self) -> bool:
        return self.match.score >= DEFAULT_THRESHOLD


async def find_candidates(
    session: AsyncSession, query: PersonFacts, *, exclude: uuid.UUID | None = None
) -> list[Candidate]:
    """Active persons scoring at least the review threshold against ``query``, best first.

    A record merged into another is scored on its own names and reported as its survivor, so a
    spelling seen only on the merged record still finds the person.
    """
    rows = await repository.candidate_rows(
        session,
        blocking_keys(query),
        birth_year=query.birth_date.year if query.birth_date else None,
    )
    matches = {
        row.id: match
        for row in rows
        if row.id != exclude and (match := score(query, facts(row))).score >= REVIEW_THRESHOLD
    }
    stored = {p.id: p for p in await repository.get_many(session, list(matches))}
    survivors = await _survivors(session, stored)
    best: dict[uuid.UUID, Candidate] = {}
    for person_id, match in matches.items():
        survivor = survivors.get(person_id)
        if survivor is None or survivor.id == exclude:
            continue
        kept = best.get(survivor.id)
        if kept is None or match.score > kept.match.score:
            best[survivor.id] = Candidate(survivor, match)
    return sorted(best.values(), key=lambda c: (-c.match.score, str(c.person.id)))


async def _survivors(
    session: AsyncSession, persons: Mapping[uuid.UUID, Person]
) -> dict[uuid.UUID, Person]:
    """Each active person is its own survivor; a merged one resolves along ``merged_into``."""
    known = dict(persons)
    resolved: dict[uuid.UUID, Person] = {}
    for person in persons.values():
        current, hops = person, 0
        while current.status == PersonStatus.MERGED and current.merged_into and hops < 10:
            target = known.get(current.merged_into)
            if target is None:
                found = await repository.get_many(session, [current.merged_into])
                if not found:
                    break
                target = known[found[0].id] = found[0]
            current, hops = target, hops + 1
        if current.status == PersonStatus.ACTIVE:
            resolved[person.id] = current
    return resolved
