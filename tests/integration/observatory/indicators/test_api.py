"""Indicators counted from real events: intake, casework and the observatory in-process, each
with its own PostgreSQL database, the stack's Kafka and Keycloak.

Other tests' events are on the same topics, so every test counts over a cohort of its own: the
referrals received in a minute of the past that no other test uses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.db import CITY_ZONE
from kit.testing import intake as intake_api
from kit.testing.apps import ServiceClient
from kit.testing.kafka import publish
from kit.testing.resources import assert_problem
from kit.testing.services import service_client
from services.intake.referrals.events import ReferralHandedOver, ReferralReceived
from services.observatory.app import create_app as create_observatory
from services.observatory.indicators import domain
from services.observatory.settings import ObservatorySettings
from tests.integration.observatory import waiting

pytestmark = pytest.mark.integration

INDICATORS = "/v1/observatory/indicators"
THRESHOLD = 3  # not the default 5, to show the setting is what counts (and to need fewer rows)
observatory = service_client(
    create_observatory, ObservatorySettings, suppression_threshold=THRESHOLD
)


@dataclass
class Services:
    intake: httpx.AsyncClient
    observatory: ServiceClient
    realm: Realm


@dataclass(frozen=True)
class Cohort:
    start: datetime

    @classmethod
    def new(cls) -> Cohort:
        minutes = uuid.uuid4().int % (10 * 365 * 24 * 60)  # a minute in 2010-2019
        return cls(datetime(2010, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes))

    @property
    def params(self) -> dict[str, str]:
        end = self.start + timedelta(minutes=1)
        return {"from": self.start.isoformat(), "to": end.isoformat()}


async def receive(
    services: Services, cohort: Cohort, municipio: int, *, hand_over: bool = False
) -> str:
    """A referral received in the cohort's minute (and handed over to assoc-ponte): its id."""
    headers = services.realm.headers("intake.aurora")
    created = await services.intake.post(
        intake_api.REFERRALS,
        json={
            "channel": "mobile_unit",
            "received_at": (cohort.start + timedelta(seconds=30)).isoformat(),
            "place": {"municipio": municipio, "name": "Stazione Centrale"},
            "urgency": "normal",
            "target_group": "unaccompanied_minor",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    if hand_over:
        await intake_api.hand_over(services.intake, created, headers, "assoc-ponte")
    referral_id: str = created.json()["id"]
    return referral_id


async def counted(services: Services, cohort: Cohort, within: float = 5, **totals: int) -> None:
    """Wait until the observatory has consumed the cohort's events (`waiting.counted`)."""
    bounds = domain.Cohort(cohort.start, cohort.start + timedelta(minutes=1))
    await waiting.counted(services.observatory, bounds, within=within, **totals)


def assert_protected(body: dict[str, Any], actual: dict[str, int]) -> None:
    """The breakdown by Municipio of ``body`` publishes true cells of at least the threshold,
    and its total cannot give a suppressed cell away (zeros count as known to a reader)."""
    cells = {cell["breakdown"]["municipio"]: cell["value"] for cell in body["cells"]}
    assert set(cells) == {str(m) for m in range(1, 10)}
    for municipio, value in cells.items():
        true = actual.get(municipio, 0)
        if true < THRESHOLD:
            assert value is None, municipio
        if value is not None:
            assert value == true, municipio
    if body["total"]["value"] is not None:
        assert body["total"]["value"] == sum(actual.values())
        hidden = [m for m, value in cells.items() if value is None and actual.get(m, 0)]
        assert len(hidden) != 1, "the total gives the one suppressed cell away"


@pytest.fixture(scope="module")
async def services(
    intake: httpx.AsyncClient,
    casework: httpx.AsyncClient,  # opens the cases the observatory counts
    observatory: ServiceClient,
    realm: Realm,
) -> Services:
    running = Services(intake, observatory, realm)
    # Consumers join their groups in the background and may first read the topics' backlog
    # (every earlier test's events): one referral through intake → casework → observatory, seen
    # by both of the observatory's subscriptions, before the tests measure anything.
    warm_up = Cohort.new()
    await receive(running, warm_up, 1, hand_over=True)
    await counted(
        running,
        warm_up,
        within=60,
        referrals_received=1,
        referrals_handed_over=1,
        referrals_taken_in_charge=1,
    )
    return running


async def test_referrals_and_cases_are_counted_by_municipio_with_small_cells_suppressed(
    services: Services,
) -> None:
    cohort = Cohort.new()
    ids = [await receive(services, cohort, 3, hand_over=i < 3) for i in range(4)]
    ids += [await receive(services, cohort, 5, hand_over=i < 1) for i in range(2)]
    await counted(
        services,
        cohort,
        referrals_received=6,
        referrals_handed_over=4,
        referrals_taken_in_charge=4,
    )

    published = {
        name: await breakdown(services, cohort, name, "municipio")
        for name in ("referrals_received", "referrals_handed_over", "referrals_taken_in_charge")
    }

    assert_protected(published["referrals_received"], {"3": 4, "5": 2})
    assert_protected(published["referrals_handed_over"], {"3": 3, "5": 1})
    assert_protected(published["referrals_taken_in_charge"], {"3": 3, "5": 1})
    # aggregates only: no referral is named
    assert not any(referral_id in str(published) for referral_id in ids)


def cell(body: dict[str, Any], municipio: str) -> int | None:
    value: int | None = next(
        c["value"] for c in body["cells"] if c["breakdown"]["municipio"] == municipio
    )
    return value


async def test_a_lone_small_cell_is_not_given_away_by_the_total(services: Services) -> None:
    cohort = Cohort.new()
    actual = {"1": 4, "2": 3, "3": 3, "4": 5, "5": 3, "6": 3, "7": 6, "8": 3, "9": 1}
    for municipio, count in actual.items():
        for _ in range(count):
            await receive(services, cohort, int(municipio))
    await counted(services, cohort, referrals_received=31)

    received = await breakdown(services, cohort, "referrals_received", "municipio")

    assert_protected(received, actual)
    assert cell(received, "9") is None


async def test_an_event_delivered_twice_is_counted_once(services: Services, stack: Stack) -> None:
    """The same reception under a new event id gets past the inbox; the referral's fact row,
    keyed by its id, still counts it once."""
    cohort = Cohort.new()
    referral_id = await receive(services, cohort, 4)
    await counted(services, cohort, referrals_received=1)
    received_at = (cohort.start + timedelta(seconds=30)).isoformat()
    again = {
        "referral_id": referral_id,
        "channel": "mobile_unit",
        "urgency": "normal",
        "target_group": "unaccompanied_minor",
        "municipio": 4,
        "reporting_organisation": "coop-aurora",
        "received_at": received_at,
    }
    # a sentinel hand-over, same key, follows the duplicate in its partition: once it is
    # counted, the duplicate has been consumed
    sentinel = {
        "referral_id": str(uuid.uuid4()),
        "lead_organisation": "assoc-ponte",
        "reporting_organisation": "coop-aurora",
        "urgency": "normal",
        "target_group": "unaccompanied_minor",
        "municipio": 4,
        "received_at": received_at,
        "handed_over_at": received_at,
    }
    await publish(
        stack.kafka_bootstrap,
        [(ReferralReceived, again), (ReferralHandedOver, sentinel)],
        subject=referral_id,
        organisation="coop-aurora",
    )

    await counted(services, cohort, referrals_received=2, referrals_handed_over=1)


async def test_the_cohort_must_be_a_real_period(services: Services) -> None:
    headers = services.realm.headers("analyst.osservatorio")
    backwards = await services.observatory.get(
        f"{INDICATORS}/referrals_received",
        params={"from": "2026-04-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"},
        headers=headers,
    )
    assert backwards.status_code == 400
    assert backwards.json()["type"] == "urn:lgnet:problem:empty-cohort"
    naive = await services.observatory.get(
        f"{INDICATORS}/referrals_received",
        params={"from": "2026-04-01T00:00:00", "to": "2026-04-02T00:00:00Z"},
        headers=headers,
    )
    assert naive.status_code == 422


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("analyst.osservatorio", 200),
        ("analyst.comune", 200),
        ("coordinator.comune", 200),
        ("admin.comune", 200),
        ("caseworker.ponte", 403),
        ("intake.aurora", 403),
        (None, 401),
    ],
)
async def test_indicators_are_for_analysts_coordinators_and_admins(
    services: Services, user: str | None, status: int
) -> None:
    headers = services.realm.headers(user) if user else {}
    response = await services.observatory.get(INDICATORS, headers=headers)
    assert response.status_code == status


async def breakdown(services: Services, cohort: Cohort, name: str, *by: str) -> dict[str, Any]:
    response = await services.observatory.get(
        f"{INDICATORS}/{name}",
        params={**cohort.params, "by": list(by)},
        headers=services.realm.headers("analyst.osservatorio"),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    for cell in [body["total"], *body["cells"]]:
        assert cell["suppressed"] is (cell["value"] is None)
    return body


async def test_an_indicator_by_two_breakdowns_is_protected_with_its_family(
    services: Services,
) -> None:
    cohort = Cohort.new()
    ids = [await receive(services, cohort, 3, hand_over=i < 6) for i in range(9)]
    ids += [await receive(services, cohort, 8, hand_over=True) for _ in range(2)]
    await counted(
        services,
        cohort,
        referrals_received=11,
        referrals_handed_over=8,
        referrals_taken_in_charge=8,
    )

    received = await breakdown(services, cohort, "referrals_received", "municipio")
    assert received["by"] == ["municipio"]
    assert received["total"]["value"] == 11
    by_municipio = {cell["breakdown"]["municipio"]: cell["value"] for cell in received["cells"]}
    assert set(by_municipio) == {str(m) for m in range(1, 10)}
    # Municipio 8 counts 2, the seven others none: hidden; 11 − nothing shown would give 3's
    # 9 away only if all the others were shown
    assert by_municipio["8"] is None
    assert all(by_municipio[m] is None for m in "1245679")

    two = await breakdown(services, cohort, "referrals_taken_in_charge", "target_group", "month")
    assert two["by"] == ["month", "target_group"]  # the family's order
    month = cohort.start.astimezone(CITY_ZONE).strftime("%Y-%m")
    cells = {
        (cell["breakdown"]["month"], cell["breakdown"]["target_group"]): cell["value"]
        for cell in two["cells"]
    }
    assert cells[month, "unaccompanied_minor"] == 8
    assert all(value is None for key, value in cells.items() if key[1] != "unaccompanied_minor")
    assert "linear programming" in two["suppression"]
    # aggregates only
    assert not any(referral_id in str(received) + str(two) for referral_id in ids)


async def test_a_breakdown_is_refused_what_it_cannot_protect(services: Services) -> None:
    headers = services.realm.headers("analyst.osservatorio")
    path = f"{INDICATORS}/referrals_received"
    year = {"from": "2025-01-01T00:00:00Z", "to": "2026-01-03T00:00:00Z"}
    assert_problem(
        await services.observatory.get(path, params=year, headers=headers),
        400,
        "urn:lgnet:problem:cohort-too-long",
    )
    month = {"from": "2025-01-01T00:00:00Z", "to": "2025-02-01T00:00:00Z"}
    twice = {**month, "by": ["month", "month"]}
    assert_problem(await services.observatory.get(path, params=twice, headers=headers), 400)
    three = {**month, "by": ["month", "municipio", "target_group"]}
    assert_problem(await services.observatory.get(path, params=three, headers=headers), 422)
    unknown = {**month, "by": ["nationality_of_the_moon"]}
    assert_problem(await services.observatory.get(path, params=unknown, headers=headers), 422)
    open_ended = {"from": month["from"]}
    assert_problem(await services.observatory.get(path, params=open_ended, headers=headers), 422)
    nothing = f"{INDICATORS}/referrals_imagined"
    assert_problem(await services.observatory.get(nothing, params=month, headers=headers), 422)
    not_analyst = services.realm.headers("caseworker.ponte")
    forbidden = await services.observatory.get(path, params=month, headers=not_analyst)
    assert forbidden.status_code == 403
