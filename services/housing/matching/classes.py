"""Requests and vacancies in classes the matching rules cannot tell apart, and which classes
may meet: `domain.constraints`, vectorised over classes instead of pairs.

Two requests are in one class when their households have the same size and the same
vacancies meet every hard constraint for them: they differ only in their priority and their
preferred Municipi. Two vacancies are in one class when the same request classes fit them and
they have the same letting, Municipio and (let by the bed) free beds: any one of them stands
in for another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from services.housing.facilities.schemas import MAX_AGE, Letting, SexPolicy
from services.housing.matching.domain import Request, Sex, Vacancy

_MALE, _FEMALE, _BOTH = 0, 1, 2  # the sexes in a household
_POLICIES = (SexPolicy.MALE, SexPolicy.FEMALE, SexPolicy.MIXED, SexPolicy.FAMILY)

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Classes:
    """The classes of a run, numbered in a fixed order (one input, one program)."""

    request_class: IntArray  # per request: its class, -1 if no vacancy fits it
    size: IntArray  # per request class: its households' size
    vacancy_class: IntArray  # per vacancy: its class, -1 if no request fits it
    units: IntArray  # per vacancy class: its vacancies
    whole: BoolArray  # per vacancy class: let whole (else by the bed)
    beds: IntArray  # per vacancy class let by the bed: each vacancy's free beds (whole: 0)
    municipio: IntArray  # per vacancy class
    fits: BoolArray  # request class × vacancy class: every hard constraint met


def classify(requests: Sequence[Request], vacancies: Sequence[Vacancy]) -> Classes:
    """Group `requests` and `vacancies` into classes and judge each pair of classes."""
    if any(request.size == 0 for request in requests):
        raise ValueError("a request's household has at least one person")
    if not requests or not vacancies:
        return _nothing_fits(len(requests), len(vacancies))
    names = sorted(
        {r.target_group for r in requests} | {g for v in vacancies for g in v.target_groups}
    )
    signature, of_request = _request_signatures(requests, names)
    feature, of_vacancy = _vacancy_features(vacancies, names)
    fits = _fits(signature, feature)  # signature × feature

    # a request class: a size and a row of `fits`
    size = signature[:, 1]
    rows, of_signature = unique_rows(np.hstack([size[:, None], fits]))
    useful = np.any(rows[:, 1:] > 0, axis=1)  # some vacancy fits it
    request_number = _renumber(useful)
    class_fits = rows[useful, 1:].astype(bool)  # request class × feature

    # a vacancy class: a column of `class_fits`, the letting, the beds if by the bed, the
    # Municipio
    whole = np.array([v.letting is Letting.WHOLE for v in vacancies], dtype=bool)
    beds = np.array([v.free_beds for v in vacancies], dtype=np.int64)
    municipio = np.array([v.municipio for v in vacancies], dtype=np.int64)
    key = np.hstack(
        [
            class_fits[:, of_vacancy].T.reshape(len(vacancies), -1),
            whole[:, None],
            np.where(whole, 0, beds)[:, None],
            municipio[:, None],
        ]
    )
    kinds, of_kind = unique_rows(key)
    fitted = np.any(kinds[:, :-3] > 0, axis=1)  # some request fits it
    vacancy_number = _renumber(fitted)
    vacancy_class = vacancy_number[of_kind]
    units = np.bincount(vacancy_class[vacancy_class >= 0], minlength=int(fitted.sum()))
    kinds = kinds[fitted]
    return Classes(
        request_class=request_number[of_signature][of_request],
        size=rows[useful, 0],
        vacancy_class=vacancy_class,
        units=units.astype(np.int64),
        whole=kinds[:, -3].astype(bool),
        beds=kinds[:, -2],
        municipio=kinds[:, -1],
        fits=kinds[:, :-3].T.astype(bool),
    )


def _nothing_fits(requests: int, vacancies: int) -> Classes:
    none = np.zeros(0, dtype=np.int64)
    return Classes(
        request_class=np.full(requests, -1, dtype=np.int64),
        size=none,
        vacancy_class=np.full(vacancies, -1, dtype=np.int64),
        units=none,
        whole=none.astype(bool),
        beds=none,
        municipio=none,
        fits=np.zeros((0, 0), dtype=bool),
    )


def unique_rows(table: NDArray[np.generic]) -> tuple[IntArray, IntArray]:
    """The distinct rows of `table`, in lexicographic order, and each row's index among them
    (`np.unique(axis=0)`, which sorts rows as bytes, is ten times slower)."""
    table = table.astype(np.int64).reshape(len(table), -1)
    order = np.lexsort(table.T[::-1])
    ordered = table[order]
    starts = np.ones(len(table), dtype=bool)
    starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    inverse = np.empty(len(table), dtype=np.int64)
    inverse[order] = np.cumsum(starts) - 1
    return ordered[starts], inverse


def _renumber(kept: BoolArray) -> IntArray:
    """0, 1, … for the kept entries in order; -1 for the others."""
    return np.where(kept, np.cumsum(kept) - 1, -1).astype(np.int64)


def _request_signatures(requests: Sequence[Request], names: list[str]) -> tuple[IntArray, IntArray]:
    """Each distinct (target group, size, sexes, youngest, oldest, needs step-free access),
    and each request's index among them."""
    group = {name: i for i, name in enumerate(names)}
    sizes = np.array([len(r.people) for r in requests], dtype=np.int64)
    male = np.array([p.sex is Sex.MALE for r in requests for p in r.people], dtype=np.int64)
    ages = np.array([p.age for r in requests for p in r.people], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    males = np.add.reduceat(male, starts)
    sex = np.where(males == sizes, _MALE, np.where(males == 0, _FEMALE, _BOTH))
    table = np.column_stack(
        [
            [group[r.target_group] for r in requests],
            sizes,
            sex,
            np.minimum.reduceat(ages, starts),
            np.maximum.reduceat(ages, starts),
            [r.needs_accessible for r in requests],
        ]
    )
    return unique_rows(table)


@dataclass(frozen=True)
class _Features:
    """The distinct admission rules: target groups, sex policy, ages, access, free beds."""

    groups: BoolArray  # feature × target group name
    policy: IntArray  # index in _POLICIES
    low: IntArray
    high: IntArray
    accessible: BoolArray
    beds: IntArray


def _vacancy_features(vacancies: Sequence[Vacancy], names: list[str]) -> tuple[_Features, IntArray]:
    rows = [
        [name in v.target_groups for name in names]
        + [
            _POLICIES.index(v.sex_policy),
            v.min_age,
            MAX_AGE if v.max_age is None else v.max_age,
            v.accessible,
            v.free_beds,
        ]
        for v in vacancies
    ]
    table, inverse = unique_rows(np.array(rows, dtype=np.int64).reshape(-1, len(names) + 5))
    n = len(names)
    features = _Features(
        groups=table[:, :n].astype(bool),
        policy=table[:, n],
        low=table[:, n + 1],
        high=table[:, n + 2],
        accessible=table[:, n + 3].astype(bool),
        beds=table[:, n + 4],
    )
    return features, inverse


def _fits(signature: IntArray, feature: _Features) -> BoolArray:
    """signature × feature: every hard constraint of `domain.constraints` met."""
    group, size, sexes, youngest, oldest, needs = (signature[:, i : i + 1] for i in range(6))
    policy = feature.policy[None, :]
    family = np.broadcast_to(size > 1, (len(signature), len(feature.policy)))
    admits = np.select(
        [policy == 0, policy == 1, policy == 2],
        [sexes == _MALE, sexes == _FEMALE, np.ones_like(family)],
        default=family,
    )
    return np.asarray(
        feature.groups.T[group[:, 0]]  # the request's group among the vacancy's
        & (size <= feature.beds[None, :])
        & admits
        & (feature.low[None, :] <= youngest)
        & (oldest <= feature.high[None, :])
        & (feature.accessible[None, :] | (needs == 0)),
        dtype=bool,
    )
