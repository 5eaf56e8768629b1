"""The policy HTTP API a service mounts for its kinds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from kit.auth import NetworkPrincipal, Principal, Role, require_roles
from kit.db import SessionDep
from kit.errors import problem_responses
from kit.etag import set_etag
from kit.idempotency import IdempotencyDep
from kit.pagination import Page, PageParamsDep
from kit.policy import service
from kit.policy.errors import UnknownPolicy
from kit.policy.kinds import PolicyKind, PolicyVersionRecord
from kit.policy.schemas import PolicyProposal, PolicyVersionPublic
from kit.schemas import Timestamp


def _public(record: PolicyVersionRecord[Any]) -> PolicyVersionPublic:
    return PolicyVersionPublic(
        policy=record.policy,
        version=record.version,
        effective_from=record.effective_from,
        document=record.document.model_dump(mode="json"),
        subject=record.subject,
        organisation=record.organisation,
        why=record.why,
        recorded_at=record.recorded_at,
    )


# Route parameters' annotations are resolved in this module's globals (postponed evaluation):
# aliases used by the routes below must live here, not inside `policy_router`.
Coordinator = Annotated[Principal, Depends(require_roles(Role.COORDINATOR))]


def policy_router(prefix: str, kinds: Sequence[PolicyKind[Any]]) -> APIRouter:
    """``GET <prefix>/{name}`` (in force now or ``?at=``), ``GET <prefix>/{name}/versions``,
    ``GET <prefix>/{name}/versions/{version}`` for any authenticated caller of the network
    (not a platform service account), and ``POST <prefix>/{name}/versions`` for the
    ``coordinator`` role (``Idempotency-Key``)."""
    by_name = {kind.name: kind for kind in kinds}
    if len(by_name) != len(kinds):
        raise ValueError("policy names must be unique")
    router = APIRouter(prefix=prefix, responses=problem_responses(404))

    def kind_of(name: str) -> PolicyKind[Any]:
        if name not in by_name:
            raise UnknownPolicy(f"There is no policy {name!r}.")
        return by_name[name]

    @router.get("/{name}", summary="Policy in force")
    async def read_policy(
        name: str,
        session: SessionDep,
        _principal: NetworkPrincipal,
        response: Response,
        at: Annotated[Timestamp | None, Query(description="In force at (default: now).")] = None,
    ) -> PolicyVersionPublic:
        kind = kind_of(name)
        record = await service.current_version(session, kind, at=at)
        if record is None:
            return PolicyVersionPublic(
                policy=kind.name,
                version=None,
                effective_from=None,
                document=kind.default.model_dump(mode="json"),
            )
        set_etag(response, record.version)
        return _public(record)

    @router.get("/{name}/versions", summary="Policy history")
    async def list_policy_versions(
        name: str, session: SessionDep, page: PageParamsDep, _principal: NetworkPrincipal
    ) -> Page[PolicyVersionPublic]:
        result = await service.versions(session, kind_of(name), page)
        return result.map(_public)

    @router.get("/{name}/versions/{version}", summary="Policy version")
    async def read_policy_version(
        name: str,
        version: int,
        session: SessionDep,
        _principal: NetworkPrincipal,
        response: Response,
    ) -> PolicyVersionPublic:
        record = await service.version(session, kind_of(name), version)
        set_etag(response, record.version)
        return _public(record)

    @router.post(
        "/{name}/versions",
        status_code=201,
        response_model=PolicyVersionPublic,
        summary="Propose a new policy version",
        responses=problem_responses(409),
    )
    async def propose_policy_version(
        name: str,
        proposal: PolicyProposal,
        session: SessionDep,
        principal: Coordinator,  # before the key: no token is a 401, whatever the key
        idem: IdempotencyDep,
    ) -> Response:
        kind = kind_of(name)

        async def create() -> PolicyVersionPublic:
            record = await service.propose(
                session,
                kind,
                proposal.document,
                effective_from=proposal.effective_from,
                principal=principal,
                why=proposal.why,
            )
            return _public(record)

        return await idem.created(
            create,
            owner=principal.subject,
            location=lambda r: f"{prefix}/{kind.name}/versions/{r.version}",
        )

    return router
