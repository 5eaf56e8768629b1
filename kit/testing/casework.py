"""Casework driven through its API as its users do: a synthetic case body and the steps
(open, change under If-Match, ask and decide a closure) that casework's tests and the tests
of services consuming its events share. Pure HTTP: it imports nothing of casework."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

CASES = "/v1/casework/cases"
APPROVALS = "/v1/casework/approvals"


WithdrawConsent = Callable[[str, str, str], Awaitable[None]]
"""The ``withdraw_consent`` fixture of casework's tests: ``await withdraw_consent(person_ref,
purpose, organisation)`` publishes intake's withdrawal of that consent."""


def case_body(**changes: Any) -> dict[str, Any]:
    """A case a case worker opens for one person known to intake (a fresh synthetic id)."""
    return {
        "target_group": "unaccompanied_minor",
        "municipio": 2,
        "urgency": "high",
        "person_refs": [str(uuid.uuid4())],
        **changes,
    }


async def open_case(
    client: httpx.AsyncClient, headers: Mapping[str, str], **changes: Any
) -> dict[str, Any]:
    """A case opened by the caller (who manages it), as the API answers it."""
    opened = await client.post(CASES, json=case_body(**changes), headers=headers)
    assert opened.status_code == 201, opened.text
    case: dict[str, Any] = opened.json()
    return case


async def change(
    client: httpx.AsyncClient,
    path: str,
    body: Mapping[str, Any] | None,
    headers: Mapping[str, str],
    *,
    of: str | None = None,
    method: str = "POST",
) -> httpx.Response:
    """POST (or `method`) a change to `path` under the current ETag of `of` (default: `path`
    minus its last segment; `path` itself for a PUT), read just before."""
    resource = of or (path if method == "PUT" else path.rsplit("/", 1)[0])
    current = await client.get(resource, headers=headers)
    assert current.status_code == 200, current.text
    return await client.request(
        method, path, json=body, headers={**headers, "If-Match": current.headers["ETag"]}
    )


async def step(
    client: httpx.AsyncClient, case_id: str, status: str, headers: Mapping[str, str]
) -> httpx.Response:
    """Move the case to `status` (a bare status change)."""
    return await change(client, f"{CASES}/{case_id}/status", {"status": status}, headers)


async def request_closure(
    client: httpx.AsyncClient,
    case_id: str,
    headers: Mapping[str, str],
    outcome: str = "autonomy_reached",
) -> httpx.Response:
    return await client.post(
        f"{CASES}/{case_id}/closure-requests",
        json={"outcome": outcome, "reason": "Synthetic: the plan's goals were reached."},
        headers=headers,
    )


async def decide(
    client: httpx.AsyncClient,
    approval_id: str,
    headers: Mapping[str, str],
    decision: str = "approve",
    reason: str | None = None,
) -> httpx.Response:
    return await change(
        client,
        f"{APPROVALS}/{approval_id}/decision",
        {"decision": decision, **({"reason": reason} if reason else {})},
        headers,
    )


DIRECTORY = "/v1/casework/directory"


def organization_body(network_organisation: str | None, **changes: Any) -> dict[str, Any]:
    """A synthetic directory organisation run by `network_organisation` (an alias, or None)."""
    return {
        "name": f"Cooperativa sintetica {uuid.uuid4().hex[:6]}",
        "description": "Synthetic: accoglienza e orientamento per giovani e famiglie.",
        "email": "sportello@example.org",
        "website": "https://example.org/",
        "network_organisation": network_organisation,
        "phones": [{"number": "+39 02 0000 0001", "type": "voice"}],
        **changes,
    }


def service_body(organization_id: str, **changes: Any) -> dict[str, Any]:
    """A synthetic active service of the directory organisation, open on weekday mornings."""
    return {
        "organization_id": organization_id,
        "name": f"Sportello orientamento {uuid.uuid4().hex[:6]}",
        "description": "Synthetic: orientation to school, work and housing.",
        "status": "active",
        "eligibility_description": "Young people aged 16 to 21 in Milan.",
        "minimum_age": 16,
        "maximum_age": 21,
        "languages": [{"code": "it"}, {"code": "ar"}, {"code": "ti"}],
        "schedules": [
            {"freq": "WEEKLY", "byday": "MO,TU,WE,TH", "opens_at": "09:00", "closes_at": "12:30"}
        ],
        **changes,
    }


async def directory_service(
    client: httpx.AsyncClient,
    headers: Mapping[str, str],
    network_organisation: str | None,
    **changes: Any,
) -> dict[str, Any]:
    """A service of a new directory organisation run by `network_organisation`, created by the
    caller (a coordinator), as the HSDS API answers it."""
    made = await client.post(
        f"{DIRECTORY}/organizations", json=organization_body(network_organisation), headers=headers
    )
    assert made.status_code == 201, made.text
    offered = await client.post(
        f"{DIRECTORY}/services", json=service_body(made.json()["id"], **changes), headers=headers
    )
    assert offered.status_code == 201, offered.text
    service: dict[str, Any] = offered.json()
    return service
