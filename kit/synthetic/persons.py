"""Synthetic persons and their differently-recorded duplicates.

``PersonFactory(seed)`` is deterministic. ``variant(person)`` returns the same person as
another operator might record them: another transliteration, given and family name swapped,
an estimated birth date (±1–2 years, or the 1 January placeholder), a typo, a missing field.
Tests label pairs with the truth, so duplicate detection can be measured.
"""

from __future__ import annotations

import random
import string
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from kit.synthetic.names import ORIGINS, Origin, Spellings


@dataclass(frozen=True)
class SyntheticPerson:
    truth_id: uuid.UUID  # the real-world identity, for labelling; never stored by a service
    given_name: str
    family_name: str
    sex: str  # "male" | "female"
    birth_date: date | None
    birth_date_estimated: bool
    nationality: str | None
    languages: tuple[str, ...]
    origin: str
    phone: str | None = None
    document_number: str | None = None
    alternative_names: tuple[str, ...] = field(default_factory=tuple)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def as_person_json(self) -> dict[str, object]:
        """The person as intake's API takes them (``POST /v1/intake/persons``)."""
        body: dict[str, object] = {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "alternative_names": list(self.alternative_names),
            "sex": self.sex,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "birth_date_estimated": self.birth_date_estimated,
            "nationality": self.nationality,
            "languages": list(self.languages),
        }
        if self.document_number:
            document = {"type": "passport", "number": self.document_number}
            if self.nationality:
                document["issuing_country"] = self.nationality
            body["documents"] = [document]
        if self.phone:
            body["contacts"] = [{"kind": "phone", "value": self.phone}]
        return body


class PersonFactory:
    def __init__(self, seed: int = 0, *, today: date | None = None) -> None:
        self.rng = random.Random(seed)
        self.today = today or date(2026, 11, 1)

    def person(self, *, origin: Origin | None = None, minor: bool | None = None) -> SyntheticPerson:
        rng = self.rng
        origin = origin or rng.choice(ORIGINS)
        sex = rng.choice(("male", "female")) if rng.random() < 0.4 else "male"
        given = rng.choice(origin.male if sex == "male" else origin.female)
        family = rng.choice(origin.family)
        if minor is None:
            minor = rng.random() < 0.45  # MSNA are a main target group
        age = rng.randint(13, 17) if minor else rng.randint(18, 55)
        born = self.today - timedelta(days=age * 365 + rng.randint(0, 364))
        estimated = rng.random() < 0.35
        if estimated and rng.random() < 0.6:
            born = date(born.year, 1, 1)  # the usual placeholder for an unknown day
        return SyntheticPerson(
            truth_id=uuid.UUID(int=rng.getrandbits(128)),
            given_name=given[0] if rng.random() < 0.5 else rng.choice(given),
            family_name=family[0] if rng.random() < 0.5 else rng.choice(family),
            sex=sex,
            birth_date=born,
            birth_date_estimated=estimated,
            nationality=rng.choice(origin.nationalities),
            languages=tuple(rng.sample(origin.languages, k=rng.randint(1, len(origin.languages)))),
            origin=origin.name,
            phone=_phone(rng) if rng.random() < 0.5 else None,
            document_number=_document(rng) if rng.random() < 0.3 else None,
        )

    def variant(self, person: SyntheticPerson, *, changes: int | None = None) -> SyntheticPerson:
        """The same person as recorded elsewhere: 1–3 realistic differences."""
        rng = self.rng
        origin = next(o for o in ORIGINS if o.name == person.origin)
        kinds = ["translit_given", "translit_family", "swap", "dob", "typo", "missing"]
        chosen = rng.sample(kinds, k=changes or rng.randint(1, 3))
        result = replace(person, phone=None, document_number=None)
        for kind in chosen:
            result = getattr(self, f"_{kind}")(result, origin)
        return result

    def _translit_given(self, p: SyntheticPerson, origin: Origin) -> SyntheticPerson:
        return replace(
            p, given_name=_other_spelling(self.rng, p.given_name, origin.male + origin.female)
        )

    def _translit_family(self, p: SyntheticPerson, origin: Origin) -> SyntheticPerson:
        return replace(p, family_name=_other_spelling(self.rng, p.family_name, origin.family))

    def _swap(self, p: SyntheticPerson, origin: Origin) -> SyntheticPerson:
        return replace(p, given_name=p.family_name, family_name=p.given_name)

    def _dob(self, p: SyntheticPerson, origin: Origin) -> SyntheticPerson:
        if p.birth_date is None:
            return p
        rng = self.rng
        if rng.random() < 0.5:
            shifted = date(p.birth_date.year + rng.choice((-2, -1, 0, 1, 2)), 1, 1)
        else:
            shifted = p.birth_date.replace(year=p.birth_date.year + rng.choice((-1, 1)))
        return replace(p, birth_date=shifted, birth_date_estimated=True)

    def _typo(self, p: SyntheticPerson, origin: Origin) -> SyntheticPerson:
        if self.rng.random() < 0.5:
            return replace(p, given_name=_typo(self.rng, p.given_name))
        return replace(p, family_name=_typo(self.rng, p.family_name))

    def _missing(self, p: SyntheticPerson, origin: Origin) -> SyntheticPerson:
        field_name = self.rng.choice(("birth_date", "nationality", "sex"))
        if field_name == "birth_date":
            return replace(p, birth_date=None, birth_date_estimated=False)
        if field_name == "nationality":
            return replace(p, nationality=None)
        return replace(p, sex="unknown")


def _other_spelling(rng: random.Random, name: str, groups: tuple[Spellings, ...]) -> str:
    for group in groups:
        if name in group and len(group) > 1:
            return rng.choice([s for s in group if s != name])
    return name


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randint(1, len(word) - 2)
    kind = rng.choice(("drop", "double", "swap", "replace"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]


def _phone(rng: random.Random) -> str:
    # +39 3xx: Italian mobile prefix; the 555 block keeps it obviously fictional
    return f"+39 3{rng.randint(20, 99)} 555 {rng.randint(1000, 9999)}"


def _document(rng: random.Random) -> str:
    return "ZZ" + "".join(rng.choices(string.digits, k=7))  # not a real series
