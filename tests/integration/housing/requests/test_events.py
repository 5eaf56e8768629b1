"""What a request publishes (read back from Kafka, checked against its contract), and a case
opened in the real casework service reaching housing through casework's relay."""

from __future__ import annotations

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.testing import casework as casework_api
from kit.testing.apps import ServiceClient
from kit.testing.kafka import first_published
from kit.testing.services import service_client
from kit.testing.waiting import eventually
from services.casework.app import create_app as create_casework
from services.casework.settings import CaseworkSettings
from services.housing.requests.events import TOPIC
from tests.integration.housing.conftest import Cases
from tests.integration.housing.requests.test_api import LEAD, REQUESTS, body, filed

pytestmark = pytest.mark.integration

casework = service_client(create_casework, CaseworkSettings)


async def test_filing_publishes_the_household_as_counts_and_age_bands_never_ages(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases, stack: Stack
) -> None:
    request = await filed(housing, realm, await cases.open(target_group="vulnerable_family"))
    event = await first_published(
        stack.kafka_bootstrap,
        TOPIC,
        request["id"],
        type_="lgnet.housing.request.filed",
        source="/lgnet/housing",
        organisation="assoc-ponte",
    )
    data = event.data
    assert (data["household_size"], data["adults"], data["minors"]) == (3, 1, 2)
    assert data["age_bands"] == {"0-5": 1, "25-64": 1, "6-13": 1}
    assert data["target_group"] == "vulnerable_family"
    assert set(data) == {  # no ages, no sexes per person
        "request_id", "case_id", "version", "status", "target_group", "household_size",
        "adults", "minors", "age_bands", "needs_accessible", "preferred_municipi", "urgency",
        "requested_on", "organisation", "filed_at",
    }  # fmt: skip


async def test_a_case_opened_in_casework_can_be_filed_for_in_housing(
    housing: httpx.AsyncClient,
    casework: ServiceClient,
    realm: Realm,
) -> None:
    case = await casework_api.open_case(
        casework, realm.headers(LEAD), target_group="vulnerable_family", urgency="normal"
    )
    answer: list[httpx.Response] = []

    async def filed_once_known() -> bool:
        response = await housing.post(REQUESTS, json=body(case["id"]), headers=realm.headers(LEAD))
        answer[:] = [response]
        return response.status_code != 404

    await eventually(filed_once_known, 30, "housing learnt casework's case")
    assert answer[0].status_code == 201, answer[0].text
    assert answer[0].json()["vulnerability"] == 2  # a family; not urgent at intake
