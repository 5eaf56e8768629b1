"""The synthetic generator makes fictional persons of many origins and realistic duplicates."""

from __future__ import annotations

from datetime import date

from kit.synthetic import MUNICIPI, PersonFactory, random_place
from kit.synthetic.names import ORIGINS


def test_the_same_seed_gives_the_same_people() -> None:
    first = [PersonFactory(7).person() for _ in range(3)]
    again = [PersonFactory(7).person() for _ in range(3)]
    assert first == again


def test_people_come_from_many_origins_with_estimated_birth_dates() -> None:
    factory = PersonFactory(1)
    people = [factory.person() for _ in range(500)]
    assert len({p.origin for p in people}) >= 6
    estimated = [p for p in people if p.birth_date_estimated]
    assert 0.2 < len(estimated) / len(people) < 0.5
    assert any(p.birth_date == date(p.birth_date.year, 1, 1) for p in estimated if p.birth_date)
    minors = [
        p for p in people if p.birth_date and (date(2026, 11, 1) - p.birth_date).days < 18 * 365
    ]
    assert minors  # unaccompanied minors are a target group


def test_a_variant_is_the_same_person_recorded_differently() -> None:
    factory = PersonFactory(3)
    for _ in range(200):
        person = factory.person()
        variant = factory.variant(person)
        assert variant.truth_id == person.truth_id
        assert variant != person or variant.phone is None
        assert variant.document_number is None  # a second record rarely has the same papers


def test_transliterations_are_spellings_of_one_name() -> None:
    spellings = {s for origin in ORIGINS for group in origin.male for s in group}
    assert {"Mohamed", "Muhammad", "Mohammed", "Maxamed", "Abd al-Rahman"} <= spellings


def test_places_are_in_milans_municipi() -> None:
    factory = PersonFactory(5)
    for _ in range(100):
        place = random_place(factory.rng)
        assert place.municipio in MUNICIPI
