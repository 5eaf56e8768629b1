"""Initiatives driven through the events service's API: the collection and a synthetic body that
the events service's unit and integration tests share. Pure HTTP: it imports nothing of events."""

from __future__ import annotations

from typing import Any

from kit.testing.resources import Collection

INITIATIVES = "/v1/initiatives"

INITIATIVE: dict[str, Any] = {
    "title": "Laboratorio di italiano per famiglie",
    "kind": "workshop",
    "audience": "both",
    "municipio": 7,
    "neighbourhood": "San Siro",
    "starts_on": "2026-12-01",
    "ends_on": "2026-12-15",
}
"""A fortnight's workshop in San Siro, as an association organises it (synthetic)."""

create_initiative = Collection(INITIATIVES, INITIATIVE, user="organizer.ponte").post
"""``await create_initiative(events, realm, kind="meeting")``: ``INITIATIVE`` with changes, posted
by ``organizer.ponte`` unless ``user=`` names another; the response as it came."""
