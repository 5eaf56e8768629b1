"""Housing driven through its API: the facilities collection and a synthetic facility that
housing's tests share. Pure HTTP: it imports nothing of housing."""

from __future__ import annotations

from typing import Any

from kit.testing.resources import Collection

FACILITIES = "/v1/housing/facilities"
FACILITY: dict[str, Any] = {
    "name": "Rifugio Quarto Oggiaro",
    "kind": "shelter",
    "municipio": 8,
    "address": "Via Synthetic 1, 20157 Milano",
    "target_groups": ["young_adult", "unaccompanied_minor"],
    "sex_policy": "male",
    "min_age": 16,
    "max_age": 25,
    "accessible": True,
    "max_stay_days": 90,
}
"""A shelter for young men in Quarto Oggiaro, as an association registers it (synthetic)."""

UNIT: dict[str, Any] = {"label": "Room 1", "beds": 4, "letting": "by_bed", "accessible": True}
"""A room of four beds, let by the bed."""

register_facility = Collection(FACILITIES, FACILITY, user="housing.ponte").post
"""``await register_facility(housing, realm, kind="shelter")``: ``FACILITY`` with changes, posted
by ``housing.ponte`` unless ``user=`` names another; the response as it came."""


def units_of(facility: dict[str, Any]) -> str:
    """The units collection of a registered facility (its JSON)."""
    return f"{FACILITIES}/{facility['id']}/units"
