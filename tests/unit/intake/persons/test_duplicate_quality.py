"""Duplicate detection measured on a labelled synthetic set: blocking, score and threshold.

The set (``kit.synthetic``, names from nine origins with their transliteration variants):

- originals whose full names are distinct people's names — no two share both names (in either
  order, any spelling of the same name), because the generator draws from about ten names per
  field and origin and two same-named people born within the estimation tolerance cannot be
  told apart by any rule;
- one re-recorded variant (1–3 realistic differences) for three quarters of them;
- hard negatives, distinct people of the same origin: half share *both* names with an original
  but were born at least 4 years apart (two "Mohamed Ali"), half share one name.

Every pair that shares a blocking key is scored; pairs of the same ``truth_id`` are positives.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import combinations

import pytest

from kit.synthetic import PersonFactory, SyntheticPerson
from kit.synthetic.names import ORIGINS
from services.intake.persons.matching import (
    DEFAULT_THRESHOLD,
    PersonFacts,
    blocking_index,
    blocking_keys,
    score,
)

ORIGINALS = 800
SEED = 7


def facts(p: SyntheticPerson) -> PersonFacts:
    return PersonFacts(
        given_name=p.given_name,
        family_name=p.family_name,
        alternative_names=p.alternative_names,
        sex=p.sex,
        birth_date=p.birth_date,
        birth_date_estimated=p.birth_date_estimated,
        nationality=p.nationality,
        document_numbers=(p.document_number,) if p.document_number else (),
    )


def _name_identity() -> dict[str, str]:
    """Every spelling → one representative, across origins (Othman is Osman is Uthman)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for origin in ORIGINS:
        for group in origin.male + origin.female + origin.family:
            for spelling in group:
                parent[find(spelling)] = find(group[0])
    return {spelling: find(spelling) for spelling in parent}


@dataclass
class Labelled:
    records: list[SyntheticPerson]
    variants: int
    hard_negatives: int


def labelled_set(seed: int = SEED, originals: int = ORIGINALS) -> Labelled:
    factory = PersonFactory(seed)
    identity = _name_identity()

    def names(p: SyntheticPerson) -> frozenset[str]:
        return frozenset({identity[p.given_name], identity[p.family_name]})

    taken: set[frozenset[str]] = set()
    people: list[SyntheticPerson] = []
    while len(people) < originals:
        p = factory.person()
        if names(p) not in taken:
            taken.add(names(p))
            people.append(p)

    variants = [factory.variant(p) for p in people[: originals * 3 // 4]]

    negatives: list[SyntheticPerson] = []
    origin_of = {o.name: o for o in ORIGINS}
    for i, p in enumerate(people[originals // 2 :]):
        for _ in range(100):
            q = factory.person(origin=origin_of[p.origin])
            if i % 2 == 0:  # both names, born at least 4 years apart
                assert q.birth_date is not None
                assert p.birth_date is not None
                if abs(q.birth_date.year - p.birth_date.year) >= 4:
                    negatives.append(
                        replace(q, given_name=p.given_name, family_name=p.family_name, sex=p.sex)
                    )
                    break
            else:  # one name shared, the other a different name
                q = replace(q, given_name=p.given_name, sex=p.sex) if i % 4 == 1 else q
                q = replace(q, family_name=p.family_name) if i % 4 == 3 else q
                if names(q) not in taken:
                    taken.add(names(q))
                    negatives.append(q)
                    break
    return Labelled(people + variants + negatives, len(variants), len(negatives))


def candidate_pairs(index: dict[str, list[int]]) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for ids in index.values():
        pairs.update(combinations(sorted(ids), 2))
    return pairs


def true_pairs(truth: Iterable[object]) -> set[tuple[int, int]]:
    by_identity: dict[object, list[int]] = defaultdict(list)
    for i, t in enumerate(truth):
        by_identity[t].append(i)
    return {pair for ids in by_identity.values() for pair in combinations(ids, 2)}


def test_precision_and_recall_at_the_default_threshold() -> None:
    started = time.perf_counter()
    data = labelled_set()
    records = [facts(p) for p in data.records]
    positives = true_pairs(p.truth_id for p in data.records)
    pairs = candidate_pairs(blocking_index(records))

    tp = fp = fn = tn = 0
    for i, j in pairs:
        same = data.records[i].truth_id == data.records[j].truth_id
        proposed = score(records[i], records[j]).score >= DEFAULT_THRESHOLD
        tp += same and proposed
        fp += proposed and not same
        fn += same and not proposed
        tn += not same and not proposed
    unblocked = len(positives - pairs)
    precision = tp / (tp + fp)
    recall = tp / len(positives)
    blocking_recall = len(positives & pairs) / len(positives)

    print(
        f"\nduplicate detection, threshold {DEFAULT_THRESHOLD}: {len(records)} records "
        f"({ORIGINALS} originals, {data.variants} variants, {data.hard_negatives} hard negatives)"
        f"\n  candidate pairs {len(pairs)}: TP {tp}  FP {fp}  FN {fn} (+{unblocked} never "
        f"blocked together)  TN {tn}"
        f"\n  precision {precision:.3f}  recall {recall:.3f}  blocking recall "
        f"{blocking_recall:.3f}  ({time.perf_counter() - started:.1f} s)"
    )
    assert blocking_recall >= 0.99
    assert precision >= 0.95
    assert recall >= 0.95


@pytest.mark.parametrize("size", [20_000])
def test_blocking_recall_and_candidate_count(size: int) -> None:
    """Every variant is a query against the whole set, generator's own name density."""
    factory = PersonFactory(42)
    originals = [factory.person() for _ in range(size * 3 // 4)]
    variants = [factory.variant(p) for p in originals[: size // 4]]
    records = [facts(p) for p in originals + variants]
    index = blocking_index(records)

    found = candidates = 0
    for k in range(len(variants)):
        query = len(originals) + k
        fetched: set[int] = set()
        for key in blocking_keys(records[query]):
            fetched.update(index[key])
        fetched.discard(query)
        candidates += len(fetched)
        found += k in fetched
    recall = found / len(variants)
    keys = sum(len(blocking_keys(r)) for r in records) / len(records)
    print(
        f"\nblocking on {size} persons: recall {recall:.4f}, "
        f"{candidates / len(variants):.1f} candidates per query, {keys:.1f} keys per person"
    )
    assert recall >= 0.99
