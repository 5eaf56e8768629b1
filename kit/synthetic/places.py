"""Milan's nine Municipi, their quarters and places where outreach and initiatives happen."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

_DATA = json.loads(Path(__file__).with_name("places.json").read_text(encoding="utf-8"))

MUNICIPI: dict[int, tuple[str, ...]] = {
    int(number): tuple(quarters) for number, quarters in _DATA["municipi"].items()
}
"""Municipio number -> quarters (docs/domain.md §2), the disadvantaged areas named there
included (``places.json``)."""

_LANDMARKS: tuple[tuple[str, int, float, float], ...] = tuple(
    (name, municipio, lat, lon) for name, municipio, lat, lon in _DATA["landmarks"]
)
"""Points of contact, with the Municipio they lie in and rough coordinates (WGS 84)."""


@dataclass(frozen=True)
class Place:
    municipio: int
    name: str
    latitude: float | None = None
    longitude: float | None = None


def random_place(rng: random.Random, *, with_coordinates: bool = True) -> Place:
    """A landmark (with jittered coordinates) or a quarter of a random Municipio."""
    if rng.random() < 0.6:
        name, municipio, lat, lon = rng.choice(_LANDMARKS)
        if with_coordinates:
            lat, lon = lat + rng.uniform(-0.002, 0.002), lon + rng.uniform(-0.002, 0.002)
            return Place(municipio, name, round(lat, 5), round(lon, 5))
        return Place(municipio, name)
    municipio = rng.randint(1, 9)
    return Place(municipio, rng.choice(MUNICIPI[municipio]))
