"""Duplicate detection for persons: blocking keys, an explained score, a ranking. Pure: no I/O.

The flow on every new person: ``blocking_keys`` → the database fetches persons sharing a key →
``rank`` scores each candidate with ``score`` and keeps those at or above a threshold, best first.
Each ``Match`` carries the reasons (which fields agreed, and how) for the operator who confirms
and merges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Final

from services.intake.persons.names import (
    FoldedName,
    edit_distance,
    fold_name,
    jaro_winkler,
    skeleton,
)

DEFAULT_THRESHOLD: Final = 0.85
"""At or above this score a candidate is proposed as the same person. Chosen on the labelled
synthetic set (tests/unit/intake/persons/test_duplicate_quality.py): precision 0.95–0.98 and
recall 0.97–0.98 over seeds; 0.80 loses ~2 points of precision, 0.88 ~2 points of recall."""

REVIEW_THRESHOLD: Final = 0.70
"""From here up to ``DEFAULT_THRESHOLD`` a candidate goes to the review queue, not proposed:
e.g. the same names with exact birth dates a year apart (0.79), or transliterated names with an
estimate 2 years off and another nationality (0.81)."""

BLOCKING_YEAR_WINDOW: Final = 1
"""A name key is emitted for birth years ±1, so two records up to 2 years apart share one."""

# Weights of the fields in the weighted average; a missing field is left out (neutral).
_WEIGHTS: Final = {"names": 0.60, "birth_date": 0.30, "nationality": 0.07, "sex": 0.03}
_STRONG: Final = 0.99  # same document number: dominates the other fields
_NAMES_CAP: Final = 0.60  # the names barely agree: never above the review band
_YEARS_APART_CAP: Final = ((5, 0.30), (3, 0.55))  # birth years this far apart cap the score
_SEX_DIFFERS_FACTOR: Final = 0.85
# Same consonant skeleton is not enough when the vowels disagree too much (Hassan ≠ Hussein).
_PHONETIC_MIN_JW: Final = 0.78
_SIMILAR_MIN_JW: Final = 0.85  # more than one edit apart, still close: typo on a variant


@dataclass(frozen=True)
class PersonFacts:
    """What duplicate detection reads of a person (the persons table maps onto it)."""

    given_name: str
    family_name: str
    alternative_names: tuple[str, ...] = ()
    sex: str | None = None  # "male" | "female" | "unknown" | None
    birth_date: date | None = None
    birth_date_estimated: bool = False
    nationality: str | None = None  # ISO 3166-1 alpha-2
    document_numbers: tuple[str, ...] = ()  # passport, permit, codice fiscale, CUI…
    ref: str | None = None  # the caller's id for the record; not compared


@dataclass(frozen=True)
class Reason:
    """One piece of evidence: ``field`` compared ``how``, contributing ``similarity``."""

    field: str
    how: str
    similarity: float | None = None


@dataclass(frozen=True)
class Match:
    score: float
    reasons: tuple[Reason, ...]
    candidate: PersonFacts | None = field(default=None, compare=False)


@dataclass(frozen=True)
class _NamePair:
    given: FoldedName
    family: FoldedName


@dataclass(frozen=True)
class _Profile:
    names: tuple[_NamePair, ...]  # the primary name first, then alternative names
    documents: frozenset[str]


def _normalise_document(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", number.upper())


def _split_alternative(name: str) -> _NamePair | None:
    words = name.split()
    if len(words) < 2:
        return None
    return _NamePair(fold_name(" ".join(words[:-1])), fold_name(words[-1]))


@lru_cache(maxsize=65536)
def _profile(p: PersonFacts) -> _Profile:
    names = [_NamePair(fold_name(p.given_name), fold_name(p.family_name))]
    names += [n for n in map(_split_alternative, p.alternative_names) if n is not None]
    documents = frozenset(d for d in map(_normalise_document, p.document_numbers) if len(d) >= 5)
    return _Profile(tuple(names), documents)


# --- names -----------------------------------------------------------------------------------


def compare_name(a: FoldedName, b: FoldedName) -> tuple[float, str] | None:
    """Similarity of two name fields and how they agree; ``None`` when either is missing.

    exact (1.0) > transliteration: same folded form (0.97) > phonetic: same skeleton and
    Jaro-Winkler ≥ 0.78 on the folded forms or a skeleton of 4+ letters (0.92) >
    known variant across languages (0.90) > shares a name: a common token or one name
    contains the other (0.85) > typo: one edit apart (0.88) > similar: Jaro-Winkler ≥ 0.85
    (JW − 0.1) > differs (0.6 × JW).
    """
    if a.empty or b.empty:
        return None
    if a.clean == b.clean:
        return 1.0, "exact"
    if a.forms & b.forms:
        return 0.97, "transliteration"
    jw = max(jaro_winkler(x, y) for x in a.forms for y in b.forms)
    shared = a.skeletons & b.skeletons
    if shared and (jw >= _PHONETIC_MIN_JW or max(map(len, shared)) >= 4):
        return 0.92, "phonetic"
    if a.equivalence & b.equivalence:
        return 0.90, "known variant"
    if _shares_token(a, b):
        return 0.85, "shares a name"
    edits = min(
        [edit_distance(a.clean, b.clean)] + [edit_distance(x, y) for x in a.forms for y in b.forms]
    )
    if edits == 1 and max(len(a.clean), len(b.clean)) >= 4:
        return 0.88, "typo"
    if jw >= _SIMILAR_MIN_JW:
        return jw - 0.1, "similar"
    return jw * 0.6, "differs"


def _shares_token(a: FoldedName, b: FoldedName) -> bool:
    if len(a.tokens) == 1 and len(b.tokens) == 1:
        x, y = sorted((a.tokens[0], b.tokens[0]), key=len)
        return len(x) >= 5 and (y.startswith(x) or y.endswith(x))
    return any(len(t) >= 4 for t in set(a.tokens) & set(b.tokens))


def _compare_names(pa: _NamePair, pb: _NamePair) -> tuple[float, list[Reason]]:
    orientations = []
    for swapped, (ga, fa) in enumerate(((pb.given, pb.family), (pb.family, pb.given))):
        g = compare_name(pa.given, ga)
        f = compare_name(pa.family, fa)
        present = [x for x in (g, f) if x is not None]
        value = sum(x[0] for x in present) / len(present) if present else 0.5
        orientations.append((value - 0.01 * swapped, bool(swapped), g, f))
    value, swapped, g, f = max(orientations, key=lambda o: o[0])
    reasons = []
    for name, result in (("given_name", g), ("family_name", f)):
        if result is None:
            reasons.append(Reason(name, "missing"))
        else:
            reasons.append(Reason(name, result[1], round(result[0], 3)))
    if swapped:
        reasons.append(Reason("names", "swapped"))
    return max(0.0, value + 0.01 * swapped), reasons


def _best_names(a: _Profile, b: _Profile) -> tuple[float, list[Reason]]:
    best: tuple[float, list[Reason]] | None = None
    for i, na in enumerate(a.names):
        for j, nb in enumerate(b.names):
            value, reasons = _compare_names(na, nb)
            if i or j:
                reasons.append(Reason("names", "alternative name"))
            if best is None or value > best[0]:
                best = value, reasons
    assert best is not None  # every profile has its primary name
    return best


# --- birth date ------------------------------------------------------------------------------


def _is_placeholder(d: date) -> bool:
    return d.month == 1 and d.day == 1


def compare_birth_date(
    a: date | None, a_estimated: bool, b: date | None, b_estimated: bool
) -> tuple[float, str] | None:
    """Agreement of two birth dates, aware of estimates and of the 1 January placeholder.

    A 1 January date counts as a placeholder for "some day of that year" even when not
    flagged estimated: it is how unknown days are usually recorded. An estimated date may be
    off by a year or two; exact dates that differ are likely a typo only when close.
    """
    if a is None or b is None:
        return None
    if a == b:
        return 1.0, "same date" + (", estimated" if a_estimated or b_estimated else "")
    years = abs(a.year - b.year)
    placeholder = _is_placeholder(a) or _is_placeholder(b)
    estimated = a_estimated or b_estimated or placeholder
    if placeholder and years == 0:
        return 0.95, "1 January placeholder, same year"
    if estimated:
        note = "1 January placeholder" if placeholder else "one estimated"
        if years <= 1:
            return 0.85, f"within 1 year, {note}"
        if years <= 2:
            return 0.70, f"within 2 years, {note}"
        if years <= 3:
            return 0.30, f"{years} years apart, {note}"
        return 0.0, f"{years} years apart"
    if years == 0 and (a.month, a.day) == (b.day, b.month):
        return 0.85, "day and month swapped"
    if (a.month, a.day) == (b.month, b.day) and years == 1:
        return 0.75, "same day, year differs by 1"
    if years == 0 and a.month == b.month:
        return 0.75, "same month, day differs"
    if years == 0:
        return 0.50, "same year"
    if years <= 1:
        return 0.30, "within 1 year, both exact"
    return 0.0, f"{years} years apart"


def _years_apart(a: PersonFacts, b: PersonFacts) -> int | None:
    if a.birth_date is None or b.birth_date is None:
        return None
    return abs(a.birth_date.year - b.birth_date.year)


# --- the score -------------------------------------------------------------------------------


def _known(value: str | None) -> str | None:
    if value is None or value.strip().lower() in {"", "unknown", "u", "x"}:
        return None
    return value.strip().upper()


def score(a: PersonFacts, b: PersonFacts) -> Match:
    """How likely ``a`` and ``b`` are the same person, in [0, 1], with the reasons.

    A weighted average over the fields both records have (names 0.60, birth date 0.30,
    nationality 0.07, sex 0.03); a missing field is left out. Then: names that barely agree cap
    the score below the review band; birth years ≥ 3 apart cap it at 0.55 (≥ 5: 0.30); a
    different sex multiplies it by 0.85. The same document number (passport, permit, codice
    fiscale, CUI) dominates: 0.99 whatever the rest says.
    """
    pa, pb = _profile(a), _profile(b)
    names, reasons = _best_names(pa, pb)
    parts: dict[str, float] = {"names": names}

    dob = compare_birth_date(
        a.birth_date, a.birth_date_estimated, b.birth_date, b.birth_date_estimated
    )
    if dob is None:
        reasons.append(Reason("birth_date", "missing"))
    else:
        parts["birth_date"] = dob[0]
        reasons.append(Reason("birth_date", dob[1], dob[0]))

    nat_a, nat_b = _known(a.nationality), _known(b.nationality)
    if nat_a and nat_b:
        parts["nationality"] = 1.0 if nat_a == nat_b else 0.3
        reasons.append(Reason("nationality", "same" if nat_a == nat_b else "differs"))
    sex_a, sex_b = _known(a.sex), _known(b.sex)
    if sex_a and sex_b:
        parts["sex"] = 1.0 if sex_a == sex_b else 0.0
        reasons.append(Reason("sex", "same" if sex_a == sex_b else "differs"))

    weight = sum(_WEIGHTS[k] for k in parts)
    value = sum(_WEIGHTS[k] * v for k, v in parts.items()) / weight
    if names < 0.75:
        value = min(value, _NAMES_CAP)
    years = _years_apart(a, b)
    for limit, cap in _YEARS_APART_CAP:
        if years is not None and years >= limit:
            value = min(value, cap)
            break
    if sex_a and sex_b and sex_a != sex_b:
        value *= _SEX_DIFFERS_FACTOR

    if pa.documents & pb.documents:
        value = max(value, _STRONG)
        reasons.insert(0, Reason("document", "same number", 1.0))
    return Match(score=round(min(1.0, max(0.0, value)), 4), reasons=tuple(reasons), candidate=b)


def rank(
    query: PersonFacts, candidates: Iterable[PersonFacts], *, threshold: float = DEFAULT_THRESHOLD
) -> list[Match]:
    """Candidates scoring at or above ``threshold``, best first (ties keep the input order)."""
    matches = [m for m in (score(query, c) for c in candidates) if m.score >= threshold]
    return sorted(matches, key=lambda m: -m.score)


# --- blocking --------------------------------------------------------------------------------


def blocking_keys(person: PersonFacts) -> set[str]:
    """Keys an index can serve to fetch candidates for ``person``; duplicates share at least one.

    Every key is a plain string, so one B-tree index on ``(key)`` in a ``person_blocking_keys
    (key, person_id)`` table serves them all (``WHERE key = ANY(:keys)``):

    - ``n:<code>:<year>`` — each name field's phonetic skeleton (its folded form when the
      skeleton is a single letter; ``e<i>`` for a ``KNOWN_EQUIVALENTS`` group) with each birth
      year within ``BLOCKING_YEAR_WINDOW`` of the person's, so records up to 2 years apart meet
      even when the other name has a typo;
    - ``p:<skeleton>|<skeleton>`` — given and family skeletons, sorted: order-free (swapped
      names), no year (missing or far-off birth dates);
    - ``q:<2>|<2>`` — the first two letters of both skeletons, sorted, no year;
    - ``k:<skeleton>|<letter>`` — one field's skeleton with the first letter of the other,
      both ways: meets a record with a missing birth date *and* a typo in one name;
    - ``d:<number>`` — each normalised document number (strong key).

    Keys carry no raw name: a skeleton such as ``mhmd`` is a lossy code.
    """
    profile = _profile(person)
    keys: set[str] = {f"d:{d}" for d in profile.documents}
    years: list[int] = []
    if person.birth_date is not None:
        y = person.birth_date.year
        years = list(range(y - BLOCKING_YEAR_WINDOW, y + BLOCKING_YEAR_WINDOW + 1))
    for pair in profile.names:
        for field_name in (pair.given, pair.family):
            for code in _codes(field_name):
                keys.update(f"n:{code}:{y}" for y in years)
        for g in pair.given.skeletons | _equivalents(pair.given):
            for f in pair.family.skeletons | _equivalents(pair.family):
                keys.add("p:" + "|".join(sorted((g, f))))
                keys.add("q:" + "|".join(sorted((g[:2], f[:2]))))
        for one, other in ((pair.given, pair.family), (pair.family, pair.given)):
            for code in one.skeletons:
                keys.update(f"k:{code}|{form[0]}" for form in other.forms if form)
    return keys


def _equivalents(name: FoldedName) -> set[str]:
    return {f"e{i}" for i in name.equivalence}


def _codes(name: FoldedName) -> set[str]:
    """The name's phonetic skeletons; a folded form instead where the skeleton is too short."""
    codes = _equivalents(name)
    for form in name.forms:
        code = skeleton(form)
        codes.add(code if len(code) >= 2 else form)
    return codes


def blocking_index(persons: Sequence[PersonFacts]) -> dict[str, list[int]]:
    """An in-memory stand-in for the database index: key → positions in ``persons``."""
    index: dict[str, list[int]] = {}
    for i, p in enumerate(persons):
        for key in blocking_keys(p):
            index.setdefault(key, []).append(i)
    return index
