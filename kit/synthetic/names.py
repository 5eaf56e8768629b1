"""Names by origin, each as a group of spellings of the same name.

The first spelling is the canonical one; the others are the transliteration variants an
operator may write down (Mohamed / Muhammad / Mohammed; Somali orthography writes ayn as C
and ha as X: Cabdullaahi = Abdullahi). Used to make persons and their differently-recorded
duplicates.

The names are data, in ``names.json`` (one origin an object, one group of spellings a line).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Spellings = tuple[str, ...]


@dataclass(frozen=True)
class Origin:
    name: str
    nationalities: tuple[str, ...]  # ISO 3166-1 alpha-2
    languages: tuple[str, ...]  # ISO 639-1
    male: tuple[Spellings, ...]
    female: tuple[Spellings, ...]
    family: tuple[Spellings, ...]


def _origin(entry: dict[str, Any]) -> Origin:
    def groups(part: str) -> tuple[Spellings, ...]:
        return tuple(tuple(spellings) for spellings in entry[part])

    return Origin(
        entry["name"],
        tuple(entry["nationalities"]),
        tuple(entry["languages"]),
        male=groups("male"),
        female=groups("female"),
        family=groups("family"),
    )


ORIGINS: tuple[Origin, ...] = tuple(
    _origin(entry)
    for entry in json.loads(Path(__file__).with_name("names.json").read_text(encoding="utf-8"))
)
"""The origins of ``names.json``: Arabic, Somali, Tigrinya, Afghan, South Asian, West African,
Slavic, Albanian and Latin American names."""
