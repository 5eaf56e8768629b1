"""A synthetic matching run: open requests and vacant units in a realistic mix, ids only.

Shared by ``matching_solver`` and the service-level housing benchmark. The same ``seed`` gives
the same instance. The mix:

- units: shelters (about 35 %) let by the bed, rooms of 1–8 free beds, for single adults of
  one sex, young adults, minors, or mothers with children (a family policy); co-housing rooms
  (35 %) let by the bed, 1–4 free beds, mostly for young adults; autonomy apartments (30 %)
  let whole, 2–6 beds, to families;
- requests: single adults (about 42 %), young adults (15 %), unaccompanied minors (8 %),
  pairs — a parent and a child, a couple, two siblings — (12 %), families of 3–6 (23 %); a few
  need step-free access; most prefer one or two of the nine Municipi.
"""

from __future__ import annotations

import random

from services.housing.facilities.schemas import Letting, SexPolicy
from services.housing.matching.domain import Person, Request, Sex, Vacancy

_M, _F = Sex.MALE, Sex.FEMALE


def synthetic_instance(requests: int, units: int, seed: int) -> tuple[list[Request], list[Vacancy]]:
    """`requests` open requests and `units` vacant units, drawn from `seed`."""
    rng = random.Random(seed)
    return [_request(rng, i) for i in range(requests)], _vacancies(rng, units)


def _request(rng: random.Random, i: int) -> Request:
    kind = rng.random()
    people: tuple[Person, ...]
    if kind < 0.30:
        people, group = (Person(_M, rng.randint(22, 64)),), "other"
    elif kind < 0.42:
        people, group = (Person(_F, rng.randint(22, 64)),), "other"
    elif kind < 0.57:
        people, group = (Person(rng.choice((_M, _M, _F)), rng.randint(18, 21)),), "young_adult"
    elif kind < 0.65:
        minor = Person(rng.choice((_M, _M, _M, _F)), rng.randint(14, 17))
        people, group = (minor,), "unaccompanied_minor"
    elif kind < 0.77:
        people, group = _pair(rng), rng.choice(("vulnerable_family", "other"))
    else:
        people, group = _family(rng, rng.randint(3, 6)), "vulnerable_family"
    wanted = rng.choices((0, 1, 2), weights=(3, 5, 2))[0]
    return Request(
        id=f"request-{i:05d}",
        people=people,
        target_group=group,
        needs_accessible=rng.random() < 0.06,
        preferred_municipi=frozenset(rng.sample(range(1, 10), wanted)),
        urgency=rng.choices((0, 1, 2, 3), weights=(4, 3, 2, 1))[0],
        vulnerability=rng.choices((0, 1, 2, 3), weights=(3, 3, 2, 1))[0],
        waiting_days=rng.randint(0, 720),
    )


def _pair(rng: random.Random) -> tuple[Person, ...]:
    shape = rng.random()
    if shape < 0.5:  # a mother and her child
        return Person(_F, rng.randint(20, 45)), Person(rng.choice((_M, _F)), rng.randint(0, 12))
    if shape < 0.8:  # a couple
        return Person(_M, rng.randint(20, 50)), Person(_F, rng.randint(20, 50))
    sex = rng.choice((_M, _F))  # two siblings
    return Person(sex, rng.randint(18, 30)), Person(sex, rng.randint(18, 30))


def _family(rng: random.Random, size: int) -> tuple[Person, ...]:
    adults = [Person(_F, rng.randint(22, 48))]
    if size > 3 or rng.random() < 0.5:
        adults.append(Person(_M, rng.randint(22, 55)))
    children = [Person(rng.choice((_M, _F)), rng.randint(0, 17)) for _ in range(size - len(adults))]
    return tuple(adults + children)


# (target groups, sex policy, min age, max age) a facility of each kind admits
_SHELTERS = (
    ({"other"}, SexPolicy.MALE, 18, None),
    ({"other"}, SexPolicy.FEMALE, 18, None),
    ({"other", "young_adult"}, SexPolicy.MALE, 18, None),
    ({"other", "young_adult"}, SexPolicy.MIXED, 18, None),
    ({"unaccompanied_minor"}, SexPolicy.MALE, 14, 17),
    ({"unaccompanied_minor"}, SexPolicy.FEMALE, 14, 17),
    ({"vulnerable_family", "other"}, SexPolicy.FAMILY, 0, None),
)
_CO_HOUSING = (
    ({"young_adult"}, SexPolicy.MIXED, 18, 25),
    ({"young_adult"}, SexPolicy.MALE, 18, 25),
    ({"young_adult", "other"}, SexPolicy.MIXED, 18, 35),
    ({"young_adult", "other"}, SexPolicy.FEMALE, 18, None),
)
_APARTMENTS = (
    ({"vulnerable_family"}, SexPolicy.FAMILY, 0, None),
    ({"vulnerable_family", "other"}, SexPolicy.FAMILY, 0, None),
    ({"vulnerable_family", "other"}, SexPolicy.MIXED, 0, None),
)


def _vacancies(rng: random.Random, count: int) -> list[Vacancy]:
    found: list[Vacancy] = []
    facility = 0
    while len(found) < count:
        kind = rng.random()
        if kind < 0.35:
            admits, letting, rooms = rng.choice(_SHELTERS), Letting.BY_BED, rng.randint(4, 12)
        elif kind < 0.70:
            admits, letting, rooms = rng.choice(_CO_HOUSING), Letting.BY_BED, rng.randint(3, 8)
        else:
            admits, letting, rooms = rng.choice(_APARTMENTS), Letting.WHOLE, rng.randint(1, 6)
        groups, policy, low, high = admits
        municipio, accessible = rng.randint(1, 9), rng.random() < 0.4
        for _ in range(min(rooms, count - len(found))):
            if letting is Letting.WHOLE:
                beds = rng.randint(2, 6)
            elif kind < 0.35:
                beds = rng.randint(1, 8)
            else:
                beds = rng.randint(1, 4)
            found.append(
                Vacancy(
                    id=f"unit-{len(found):05d}",
                    facility_id=f"facility-{facility:04d}",
                    municipio=municipio,
                    target_groups=frozenset(groups),
                    sex_policy=policy,
                    min_age=low,
                    max_age=high,
                    accessible=accessible,
                    letting=letting,
                    free_beds=beds,
                )
            )
        facility += 1
    return found
