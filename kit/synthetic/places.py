"""Milan's nine Municipi, their quarters and places where outreach and initiatives happen."""

from __future__ import annotations

import random
from dataclasses import dataclass

# Municipio number -> quarters (docs/domain.md §2), the disadvantaged areas named there included.
MUNICIPI: dict[int, tuple[str, ...]] = {
    1: ("Centro storico", "Brera", "Duomo"),
    2: ("Stazione Centrale", "Gorla", "Turro", "Greco", "Crescenzago", "via Padova"),
    3: ("Città Studi", "Lambrate", "Porta Venezia"),
    4: ("Porta Vittoria", "Forlanini", "Corvetto"),
    5: ("Vigentino", "Chiaravalle", "Gratosoglio"),
    6: ("Barona", "Lorenteggio", "Giambellino"),
    7: ("Baggio", "De Angeli", "San Siro"),
    8: ("Fiera", "Gallaratese", "Quarto Oggiaro"),
    9: ("Porta Garibaldi", "Niguarda"),
}

# Points of contact, with the Municipio they lie in and rough coordinates (WGS 84).
_LANDMARKS: tuple[tuple[str, int, float, float], ...] = (
    ("Piazza Duca d'Aosta (Stazione Centrale)", 2, 45.4847, 9.2040),
    ("Piazzale Loreto", 2, 45.4857, 9.2163),
    ("Via Padova, giardini", 2, 45.4966, 9.2291),
    ("Parco Trotter", 2, 45.4998, 9.2255),
    ("Stazione di Lambrate", 3, 45.4848, 9.2367),
    ("Piazzale Corvetto", 4, 45.4399, 9.2234),
    ("Gratosoglio, via dei Missaglia", 5, 45.4100, 9.1770),
    ("Piazza Tirana (Giambellino)", 6, 45.4477, 9.1381),
    ("Piazza Selinunte (San Siro)", 7, 45.4703, 9.1449),
    ("Quarto Oggiaro, via Val Trompia", 8, 45.5158, 9.1364),
    ("Stazione Porta Garibaldi", 9, 45.4846, 9.1874),
    ("Piazza Castello", 1, 45.4697, 9.1802),
)


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
