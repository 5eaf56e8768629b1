"""A minor's case's track through the API: guardian, age assessment, placements, the extension
to 21; every refusal answered with its problem (422, 409, 412, 428, 404 outside scope)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.db import Database
from kit.testing import casework as api
from kit.testing.apps import ServiceClient
from kit.testing.kafka import events_about
from services.casework.minors.domain import coming_of_age
from services.casework.minors.models import BirthDateCopy

pytestmark = pytest.mark.integration

WORKER, OUTSIDER, COORDINATOR = "caseworker.ponte", "caseworker.aurora", "coordinator.comune"
PHONE = "+39 351 000 4321"  # synthetic, distinctive enough to search the events for
GUARDIAN = {
    "kind": "volunteer",
    "court": "Tribunale per i minorenni di Milano",
    "appointed_on": "2026-10-01",
    "decree_reference": "V.G. 1234/2026",
    "contact": {"name": "Synthetic Tutorezz", "phone": PHONE, "email": "tutore@example.org"},
}


@pytest.fixture(scope="module")
async def database(casework: ServiceClient) -> AsyncIterator[Database]:
    db = Database(casework.settings.database_url)
    try:
        yield db
    finally:
        await db.dispose()


def _problem(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    if slug is not None:
        assert body["type"] == f"urn:lgnet:problem:{slug}", body
    return body


async def _minor_case(casework: httpx.AsyncClient, realm: Realm) -> tuple[str, str]:
    case = await api.open_case(casework, realm.headers(WORKER))
    return case["id"], f"{api.CASES}/{case['id']}/minor"


async def test_a_guardian_is_appointed_changed_and_ended_under_if_match(
    casework: ServiceClient, realm: Realm, stack: Stack
) -> None:
    case_id, track = await _minor_case(casework, realm)
    lead = realm.headers(WORKER)
    created = await casework.post(
        f"{track}/guardians", json=GUARDIAN, headers={**lead, "Idempotency-Key": case_id}
    )
    assert created.status_code == 201, created.text
    guardian = created.json()
    assert created.headers["Location"] == f"{track}/guardians/{guardian['id']}"
    assert created.headers["ETag"] == '"1"'
    assert guardian["contact"]["phone"] == PHONE
    assert guardian["active"] is True

    # the contact is the team's only: a coordinator sees the appointment, not the guardian
    overseen = await casework.get(
        f"{track}/guardians/{guardian['id']}", headers=realm.headers(COORDINATOR)
    )
    assert overseen.status_code == 200
    assert overseen.json()["contact"] is None
    history = await casework.get(f"{track}/history", headers=realm.headers(COORDINATOR))
    assert "contact_phone" not in json.dumps(history.json())

    _problem(
        await casework.post(f"{track}/guardians", json=GUARDIAN, headers=lead),
        409,
        "guardian-in-force",
    )
    path = f"{track}/guardians/{guardian['id']}"
    ended = {**GUARDIAN, "ended_on": "2026-11-15"}
    _problem(await casework.put(path, json=ended, headers=lead), 428, "precondition-required")
    _problem(await casework.put(path, json=ended, headers={**lead, "If-Match": '"7"'}), 412)
    done = await casework.put(path, json=ended, headers={**lead, "If-Match": '"1"'})
    assert done.status_code == 200, done.text
    assert done.headers["ETag"] == '"2"'
    assert done.json()["active"] is False
    again = await casework.post(f"{track}/guardians", json=GUARDIAN, headers=lead)
    assert again.status_code == 201  # the previous appointment ended
    listed = await casework.get(f"{track}/guardians", headers=lead)
    assert [g["active"] for g in listed.json()] == [True, False]

    versions = await casework.get(f"{track}/history", params={"kind": "guardian"}, headers=lead)
    assert [(v["record_id"], v["version"]) for v in versions.json()["items"]] == [
        (guardian["id"], 1),
        (guardian["id"], 2),
        (again.json()["id"], 1),
    ]
    appointed = await events_about(
        stack.kafka_bootstrap,
        "lgnet.casework.cases",
        case_id,
        event_type="lgnet.casework.minor.guardian_appointed",
    )
    assert len(appointed) == 2
    assert all(
        PHONE not in json.dumps(e.data) and "Tutorezz" not in json.dumps(e.data) for e in appointed
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"ended_on": "2026-09-01"}, "dates_out_of_order"),  # before the appointment
        ({"appointed_on": "2999-01-01"}, "date_in_future"),
        ({"contact": {"name": "Synthetic", "email": "not-an-email"}}, None),
        ({"court": "   "}, None),
        ({"kind": "grandparent"}, None),
        ({"unknown": 1}, None),
    ],
)
async def test_a_bad_guardian_is_422_and_nothing_is_written(
    casework: ServiceClient, realm: Realm, change: dict[str, Any], code: str | None
) -> None:
    _, track = await _minor_case(casework, realm)
    refused = await casework.post(
        f"{track}/guardians", json={**GUARDIAN, **change}, headers=realm.headers(WORKER)
    )
    body = _problem(refused, 422)
    if code is not None:
        assert [e["code"] for e in body["errors"]] == [code]
    assert (await casework.get(f"{track}/guardians", headers=realm.headers(WORKER))).json() == []


async def test_outside_the_case_it_is_404_and_a_case_not_of_a_minor_409(
    casework: ServiceClient, realm: Realm
) -> None:
    _case_id, track = await _minor_case(casework, realm)
    for path in (
        "",
        "/guardians",
        "/age-assessment",
        "/placements",
        "/transition-plan",
        "/extension",
        "/history",
    ):
        _problem(await casework.get(f"{track}{path}", headers=realm.headers(OUTSIDER)), 404)
    _problem(
        await casework.post(f"{track}/guardians", json=GUARDIAN, headers=realm.headers(OUTSIDER)),
        404,
    )
    _problem(
        await casework.post(
            f"{api.CASES}/{uuid.uuid4()}/minor/guardians",
            json=GUARDIAN,
            headers=realm.headers(WORKER),
        ),
        404,
    )
    # coordinators oversee: they read the track, and change none of it
    assert (await casework.get(track, headers=realm.headers(COORDINATOR))).status_code == 200
    _problem(
        await casework.post(
            f"{track}/guardians", json=GUARDIAN, headers=realm.headers(COORDINATOR)
        ),
        403,
    )
    family = await api.open_case(casework, realm.headers(WORKER), target_group="vulnerable_family")
    family_track = f"{api.CASES}/{family['id']}/minor"
    _problem(
        await casework.get(family_track, headers=realm.headers(WORKER)), 409, "not-a-minors-case"
    )
    _problem(
        await casework.post(
            f"{family_track}/guardians", json=GUARDIAN, headers=realm.headers(WORKER)
        ),
        409,
        "not-a-minors-case",
    )
    siblings = await api.open_case(
        casework, realm.headers(WORKER), person_refs=[str(uuid.uuid4()), str(uuid.uuid4())]
    )
    _problem(
        await casework.get(f"{api.CASES}/{siblings['id']}/minor", headers=realm.headers(WORKER)),
        409,
        "not-a-minors-case",
    )


async def test_an_age_assessment_steps_along_its_statuses(
    casework: ServiceClient, realm: Realm
) -> None:
    _, track = await _minor_case(casework, realm)
    lead = realm.headers(WORKER)
    path = f"{track}/age-assessment"
    _problem(await casework.get(path, headers=lead), 404, "age-assessment-not-found")
    _problem(
        await casework.put(path, json={"status": "requested"}, headers={**lead, "If-Match": '"1"'}),
        404,
    )
    _problem(await casework.post(path, json={"status": "requested"}, headers=lead), 422)
    requested = {"status": "requested", "requested_on": "2026-10-02"}
    created = await casework.post(path, json=requested, headers=lead)
    assert created.status_code == 201, created.text
    assert created.json()["presumed_minor"] is True
    _problem(await casework.post(path, json=requested, headers=lead), 409, "minor-record-exists")

    under_way = {**requested, "status": "in_progress", "method": "multidisciplinary"}
    _problem(await casework.put(path, json=under_way, headers=lead), 428)
    moved = await casework.put(path, json=under_way, headers={**lead, "If-Match": '"1"'})
    assert moved.status_code == 200, moved.text
    back = {**requested}
    _problem(
        await casework.put(path, json=back, headers={**lead, "If-Match": '"2"'}),
        409,
        "illegal-age-assessment-transition",
    )
    early = {**under_way, "status": "completed"}
    _problem(await casework.put(path, json=early, headers={**lead, "If-Match": '"2"'}), 422)
    decided = {
        **under_way,
        "status": "completed",
        "outcome": "inconclusive",
        "outcome_on": "2026-11-03",
    }
    done = await casework.put(path, json=decided, headers={**lead, "If-Match": '"2"'})
    assert done.status_code == 200, done.text
    assert done.json()["presumed_minor"] is True  # the benefit of the doubt
    adult = {**decided, "outcome": "adult"}
    _problem(await casework.put(path, json=adult, headers={**lead, "If-Match": '"2"'}), 412)
    found_adult = await casework.put(path, json=adult, headers={**lead, "If-Match": '"3"'})
    assert found_adult.json()["presumed_minor"] is False
    glance = await casework.get(track, headers=lead)
    assert glance.json()["presumed_minor"] is False


async def test_a_new_placement_ends_the_one_in_force(casework: ServiceClient, realm: Realm) -> None:
    _, track = await _minor_case(casework, realm)
    lead = realm.headers(WORKER)
    first = await casework.post(
        f"{track}/placements",
        json={
            "kind": "first_reception",
            "facility_ref": "facility:prima-1",
            "starts_on": "2026-09-01",
        },
        headers=lead,
    )
    assert first.status_code == 201, first.text
    _problem(
        await casework.post(
            f"{track}/placements",
            json={"kind": "community", "facility_ref": "facility:c-2", "starts_on": "2026-08-01"},
            headers=lead,
        ),
        422,
    )
    second = await casework.post(
        f"{track}/placements",
        json={
            "kind": "second_reception_sai",
            "facility_ref": "sai:mi-7",
            "starts_on": "2026-11-01",
        },
        headers=lead,
    )
    assert second.status_code == 201
    listed = (await casework.get(f"{track}/placements", headers=lead)).json()
    assert [(p["kind"], p["ends_on"], p["current"]) for p in listed] == [
        ("second_reception_sai", None, True),
        ("first_reception", "2026-11-01", False),
    ]
    first_path = f"{track}/placements/{first.json()['id']}"
    reopened = {
        "kind": "first_reception",
        "facility_ref": "facility:prima-1",
        "starts_on": "2026-09-01",
    }
    _problem(
        await casework.put(first_path, json=reopened, headers={**lead, "If-Match": '"2"'}),
        409,
        "placement-in-force",
    )
    wrong = {**reopened, "ends_on": "2026-08-15"}
    _problem(await casework.put(first_path, json=wrong, headers={**lead, "If-Match": '"2"'}), 422)
    _problem(await casework.get(f"{track}/placements/{uuid.uuid4()}", headers=lead), 404)


async def _birth_date(database: Database, person_ref: str, born: date) -> None:
    """What the birth-date job keeps of intake's answer (intake itself is in test_transition)."""
    async with database.session() as session:
        session.add(
            BirthDateCopy(
                person_ref=uuid.UUID(person_ref),
                birth_date=born,
                estimated=False,
                coming_of_age_on=coming_of_age(born),
                source_version=1,
                wanted_version=1,
            )
        )


async def test_support_is_extended_after_18_and_up_to_the_21st_birthday(
    casework: ServiceClient, realm: Realm, database: Database, stack: Stack
) -> None:
    case_id, track = await _minor_case(casework, realm)
    lead = realm.headers(WORKER)
    decree = {
        "court": "Tribunale per i minorenni di Milano",
        "decree_on": "2026-11-20",
        "decree_reference": "V.G. 99/2026",
        "support_ends_on": "2029-03-10",
    }
    path = f"{track}/extension"
    _problem(await casework.post(path, json=decree, headers=lead), 409, "coming-of-age-unknown")
    minor = (await casework.get(track, headers=lead)).json()["person_ref"]
    await _birth_date(database, minor, date(2008, 3, 10))

    _problem(
        await casework.post(path, json={**decree, "support_ends_on": "2029-03-11"}, headers=lead),
        422,
    )
    _problem(
        await casework.post(path, json={**decree, "support_ends_on": "2026-03-10"}, headers=lead),
        422,
    )
    _problem(await casework.get(path, headers=lead), 404, "support-extension-not-found")
    created = await casework.post(path, json=decree, headers=lead)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == path
    _problem(await casework.post(path, json=decree, headers=lead), 409, "minor-record-exists")
    shorter = {**decree, "support_ends_on": "2028-03-10"}
    _problem(await casework.put(path, json=shorter, headers={**lead, "If-Match": '"9"'}), 412)
    changed = await casework.put(path, json=shorter, headers={**lead, "If-Match": '"1"'})
    assert changed.status_code == 200
    assert changed.json()["support_ends_on"] == "2028-03-10"

    extended = await events_about(
        stack.kafka_bootstrap,
        "lgnet.casework.cases",
        case_id,
        event_type="lgnet.casework.minor.support_extended",
    )
    assert sorted(e.data["support_months"] for e in extended) == [24, 36]
    assert all("2029-03-10" not in json.dumps(e.data) for e in extended)

    # with an extension, the case does not close as a minor turned adult without one
    _problem(
        await api.request_closure(casework, case_id, lead, outcome="turned_adult_no_extension"),
        409,
        "not-turned-adult-without-extension",
    )


async def test_the_transition_plan_is_404_until_it_opens(
    casework: ServiceClient, realm: Realm
) -> None:
    _, track = await _minor_case(casework, realm)
    lead = realm.headers(WORKER)
    _problem(
        await casework.get(f"{track}/transition-plan", headers=lead),
        404,
        "transition-plan-not-opened",
    )
    _problem(
        await casework.put(
            f"{track}/transition-plan", json={"goals": []}, headers={**lead, "If-Match": '"1"'}
        ),
        404,
    )
    glance = (await casework.get(track, headers=lead)).json()
    assert glance["coming_of_age"] is None
    assert glance["transition_plan"] is None
    assert glance["presumed_minor"] is True
