"""Casework driven through its API as its users do: a synthetic case body and the steps
(open, change under If-Match, ask and decide a closure) that casework's tests and the tests
of services consuming its events share. Pure HTTP: it imports nothing of casework."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import httpx

CASES = "/v1/casework/cases"
APPROVALS = "/v1/casework/approvals"


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
