"""The merged OpenAPI 3.1 document: every service's public paths behind the one door.

:func:`merge_openapi` is pure: given each service's ``/openapi.json`` (or ``None`` for a service
that could not be read), it builds one document:

- ``paths`` (and ``webhooks``): each service's operations under the public prefixes the route
  table sends to that service (``/healthz``, ``/readyz`` and the like are left out). A path two
  services both claim keeps the first and is reported in ``x-lgnet-merge.conflicts``.
- ``components``: a name defined identically by several services (the kit's ``Problem``,
  ``ValidationProblem``…) is kept once; a name defined *differently* by several services is
  renamed in every one of them to ``<Service><Name>`` (``IntakeStatus``, ``HousingStatus``) and
  every ``$ref`` (and discriminator mapping) of that service is rewritten to match. No service's
  definition silently wins.
- one security scheme, ``KeycloakBearer`` (an HTTP bearer JWT from the realm, whose OpenID Connect
  discovery URL the scheme names), required by default; the services' own schemes are dropped and
  their operations' requirements pointed at it. The anonymous paths' operations
  (`gateway.routes.ANONYMOUS`: the public programme, and public registration) require none:
  their ``security`` is ``[{}]``, and they document the gateway's 429 (its per-address rate
  limit).
- ``info.description`` and ``x-lgnet-upstreams`` say which services are in, and which are missing
  and why.

:class:`OpenAPIAggregator` fetches the documents concurrently, tolerates a service being down,
and caches the merged document for a short TTL.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx

from gateway.routes import ANONYMOUS, ROUTES, AnonymousPath, RouteRule
from kit.openapi import problem_response

__all__ = ["API_VERSION", "SECURITY_SCHEME", "OpenAPIAggregator", "merge_openapi"]

logger = logging.getLogger(__name__)

SECURITY_SCHEME = "KeycloakBearer"
API_VERSION = "1.13.0"
"""``info.version`` of the merged document. A breaking change to the public API (a path, a field
or an enum value removed, a new required field…) must move it on: the committed
``contracts/openapi.json`` is checked against the last released one by ``oasdiff breaking``
(``tests/unit/gateway/test_openapi_contract.py``).

1.1.0: request schemas state rules the services already applied (no NUL in text, the bounds
of a place's coordinates, at most one head in a household); oasdiff counts a new pattern or
bound as breaking, though no request the services took before is refused now. 1.2.0: the
same for an empty If-Match, which counts as absent (428). 1.3.0: the same for a policy
document, whose text and property names hold no NUL at any depth, and for a policy's ``why``,
whose blank test is now the one its pattern states; casework's policies. 1.4.0: a case's
referral and hand-over fields may be null (a case worker opens cases too), and its target
group is casework's own vocabulary; teams, approvals, status changes, re-opening. 1.5.0:
casework's transfers, read grants and legal bases; a case's export lists them. The
minors' track (guardian, age assessment, placements, transition plan, extension to 21) and
its part of the subject export; intake's birth-date read, for casework's service account
alone. Casework's service directory (HSDS 3.0's read API and its keepers' writes), service
referrals. 1.7.0: an initiative's kind ``civic_engagement`` is ``civic_engagement_project``;
initiatives have a status (draft, published, completed, cancelled), translations, topics and
partners; the public programme (``/v1/initiatives/programme``, no token) and its iCalendar
feeds. 1.8.0: a registration names its ``registrant`` (the union's tag) and a phone number's
form is in the schema; a member of the public registers and cancels through the programme.
1.9.0: ``GET /v1/observatory/indicators`` is the indicator catalogue (the per-table summary it
returned is gone: its suppression did not protect nested indicators); an indicator is asked
for by its ``code``, ``cases_open`` is ``referrals_taken_in_charge``, and a breakdown names
its indicator in Italian and English with its unit. 1.10.0 to 1.12.0: indicators and units
added (oasdiff counts a new value of a response's enum as breaking). 1.13.0: casework's
indicators (cases, first plans in 30 days, reviews on time, minors turning 18 with a
transition plan) and their shares, the unit ``percent``, a share's ``over`` in the
catalogue, and the caseload per organisation with the breakdown ``organisation``."""
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_COMPONENT_REF = "#/components/"


def _pascal(service: str) -> str:
    return "".join(part.capitalize() for part in service.replace("_", "-").split("-"))


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _rewrite_refs(node: Any, renames: Mapping[str, str]) -> Any:
    """A copy of ``node`` with every component reference in ``renames`` (old ref → new ref)
    rewritten: ``$ref`` values and discriminator ``mapping`` values."""
    if isinstance(node, dict):
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                result[key] = renames.get(value, value)
            elif key == "discriminator" and isinstance(value, dict):
                rewritten = _rewrite_refs(value, renames)
                mapping = value.get("mapping")
                if isinstance(mapping, dict):
                    rewritten["mapping"] = {
                        k: renames.get(v, v) if isinstance(v, str) else v
                        for k, v in mapping.items()
                    }
                result[key] = rewritten
            else:
                result[key] = _rewrite_refs(value, renames)
        return result
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def _component_names(docs: Mapping[str, Mapping[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """Each service's (section, name) components, security schemes aside."""
    names: dict[str, list[tuple[str, str]]] = {}
    for service, doc in docs.items():
        names[service] = [
            (section, name)
            for section, entries in (doc.get("components") or {}).items()
            if section != "securitySchemes" and isinstance(entries, dict)
            for name in entries
        ]
    return names


def _plan_renames(docs: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """For each service, its component refs to rename (old ref → new ref).

    A component clashes when services define it differently. Definitions are compared with the
    clashes found so far already renamed, until no new clash appears: two services' textually
    identical ``Page`` referring to their own, different ``Item`` must clash too.
    """
    names = _component_names(docs)
    clashing: set[tuple[str, str]] = set()
    while True:
        variants: dict[tuple[str, str], set[str]] = {}
        for service, doc in docs.items():
            # a provisional, service-specific ref for each clash found so far
            provisional = {
                f"{_COMPONENT_REF}{section}/{name}": f"{_COMPONENT_REF}{section}/{service}::{name}"
                for section, name in clashing
            }
            for section, name in names[service]:
                definition = doc["components"][section][name]
                variants.setdefault((section, name), set()).add(
                    _canonical(_rewrite_refs(definition, provisional))
                )
        found = {key for key, defs in variants.items() if len(defs) > 1}
        if found <= clashing:
            break
        clashing |= found

    taken = {key for service_names in names.values() for key in service_names}
    renames: dict[str, dict[str, str]] = {service: {} for service in docs}
    for service in docs:  # in the order given, so the names are stable
        for section, name in names[service]:
            if (section, name) not in clashing:
                continue
            new = f"{_pascal(service)}{name}"
            suffix = 2
            while (section, new) in taken:
                new = f"{_pascal(service)}{name}{suffix}"
                suffix += 1
            taken.add((section, new))
            old_ref = f"{_COMPONENT_REF}{section}/{name}"
            renames[service][old_ref] = f"{_COMPONENT_REF}{section}/{new}"
    return renames


def _security_requirements(node: Any, known: frozenset[str]) -> Any:
    """Operation ``security`` lists pointed at the one scheme (anonymous ``{}`` kept)."""
    if not isinstance(node, list):
        return node
    result: list[dict[str, Any]] = []
    for requirement in node:
        if isinstance(requirement, dict) and requirement and set(requirement) <= known:
            entry: dict[str, Any] = {SECURITY_SCHEME: []}
        else:
            entry = requirement
        if entry not in result:
            result.append(entry)
    return result


def _public(path: str, rules: Iterable[RouteRule]) -> bool:
    return any(rule.matches(path) for rule in rules)


def _anonymous(path: str, method: str, anonymous: Iterable[AnonymousPath]) -> bool:
    return any(entry.admits(method, path) for entry in anonymous)


def merge_openapi(
    docs: Mapping[str, Mapping[str, Any] | None],
    *,
    issuer: str,
    routes: Iterable[RouteRule] = ROUTES,
    anonymous: Iterable[AnonymousPath] = ANONYMOUS,
    missing: Mapping[str, str] | None = None,
    title: str = "LGNet API",
    version: str = API_VERSION,
) -> dict[str, Any]:
    """One OpenAPI 3.1 document from each service's (see the module docstring).

    ``docs`` maps a service name to its document, or to ``None`` when it could not be had;
    ``missing`` gives the reason for those (``"unreachable"``, ``"HTTP 503"``…).
    """
    routes = tuple(routes)
    anonymous = tuple(anonymous)
    present = {name: doc for name, doc in docs.items() if doc is not None}
    reasons = {
        name: (missing or {}).get(name, "unavailable") for name in docs if name not in present
    }
    renames = _plan_renames(present)

    paths: dict[str, Any] = {}
    webhooks: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {}
    tags: dict[str, Any] = {}
    conflicts: list[str] = []
    for service, original in present.items():
        doc = _rewrite_refs(copy.deepcopy(dict(original)), renames[service])
        own_rules = [rule for rule in routes if rule.service == service]
        scheme_names = frozenset((doc.get("components") or {}).get("securitySchemes") or {})
        for path, item in (doc.get("paths") or {}).items():
            if not _public(path, own_rules) or not isinstance(item, dict):
                continue
            if path in paths:
                conflicts.append(f"path {path} of {service} (already served by another service)")
                continue
            for method, operation in item.items():
                if method in HTTP_METHODS and isinstance(operation, dict):
                    if _anonymous(path, method, anonymous):
                        operation["security"] = [{}]  # no token: see gateway.routes
                        # the gateway's own per-address limit (gateway.proxy)
                        responses = operation.setdefault("responses", {})
                        responses.setdefault("429", problem_response(429))
                    elif "security" in operation:
                        operation["security"] = _security_requirements(
                            operation["security"], scheme_names
                        )
                    operation.setdefault("x-lgnet-service", service)
            paths[path] = item
        for name, item in (doc.get("webhooks") or {}).items():
            if name in webhooks:
                conflicts.append(f"webhook {name} of {service}")
                continue
            webhooks[name] = item
        for section, entries in (doc.get("components") or {}).items():
            if section == "securitySchemes" or not isinstance(entries, dict):
                continue
            merged = components.setdefault(section, {})
            old_to_new = {
                old.rsplit("/", 1)[1]: new.rsplit("/", 1)[1]
                for old, new in renames[service].items()
                if old.startswith(f"{_COMPONENT_REF}{section}/")
            }
            for name, definition in entries.items():
                merged.setdefault(old_to_new.get(name, name), definition)
        for tag in doc.get("tags") or []:
            if isinstance(tag, dict) and isinstance(tag.get("name"), str):
                tags.setdefault(tag["name"], tag)

    discovery = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    components["securitySchemes"] = {
        SECURITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": (
                "An access token of the Keycloak realm for the audience `lgnet-api` "
                f"(OpenID Connect discovery: {discovery}). People sign in through a front-end "
                "(authorization code with PKCE); partner systems use client credentials."
            ),
            "x-openid-connect-discovery-url": discovery,
        }
    }
    included = sorted(present)
    description = "The LGNet platform's public API, merged from its services by the gateway.\n\n"
    description += f"Services included: {', '.join(included) or 'none'}."
    if reasons:
        listed = ", ".join(f"{name} ({why})" for name, why in sorted(reasons.items()))
        description += f"\n\n**Not included now (unavailable): {listed}.** Their paths are missing."
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": "/"}],
        "security": [{SECURITY_SCHEME: []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            section: dict(sorted(entries.items())) for section, entries in components.items()
        },
        "x-lgnet-upstreams": {
            **{name: {"status": "included"} for name in included},
            **{name: {"status": "unavailable", "reason": why} for name, why in reasons.items()},
        },
    }
    if webhooks:
        document["webhooks"] = webhooks
    if tags:
        document["tags"] = list(tags.values())
    if conflicts:
        document["x-lgnet-merge"] = {"conflicts": conflicts}
    return document


class OpenAPIAggregator:
    """Fetches each upstream's ``/openapi.json`` and serves the merged document, cached.

    A fetch failing (down, timeout, not JSON, not 200) leaves that service out, and says so in
    the document. Concurrent callers share one refresh.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        upstreams: Mapping[str, str],
        *,
        issuer: str,
        ttl: float = 30.0,
        timeout: float = 2.0,
        routes: Iterable[RouteRule] = ROUTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._upstreams = dict(upstreams)
        self._issuer = issuer
        self._ttl = ttl
        self._timeout = timeout
        self._routes = tuple(routes)
        self._clock = clock
        self._document: dict[str, Any] | None = None
        self._built_at = 0.0
        self._lock = asyncio.Lock()

    async def document(self) -> dict[str, Any]:
        """The merged document, rebuilt when older than the TTL."""
        if self._fresh():
            assert self._document is not None
            return self._document
        async with self._lock:
            if not self._fresh():
                self._document = await self._build()
                self._built_at = self._clock()
            assert self._document is not None
            return self._document

    def _fresh(self) -> bool:
        return self._document is not None and self._clock() < self._built_at + self._ttl

    async def _fetch(self, service: str, base_url: str) -> tuple[dict[str, Any] | None, str]:
        try:
            response = await self._http.get(f"{base_url}/openapi.json", timeout=self._timeout)
        except httpx.TimeoutException:
            return None, "timed out"
        except httpx.HTTPError:
            return None, "unreachable"
        if response.status_code != 200:
            return None, f"HTTP {response.status_code}"
        try:
            doc = response.json()
        except ValueError:
            return None, "not JSON"
        if not isinstance(doc, dict) or not isinstance(doc.get("paths", {}), dict):
            return None, "not an OpenAPI document"
        return doc, ""

    async def _build(self) -> dict[str, Any]:
        services = list(self._upstreams)
        results = await asyncio.gather(
            *(self._fetch(name, self._upstreams[name]) for name in services)
        )
        docs = {name: doc for name, (doc, _) in zip(services, results, strict=True)}
        missing = {
            name: why for name, (doc, why) in zip(services, results, strict=True) if doc is None
        }
        if missing:
            logger.warning("OpenAPI merge without: %s", ", ".join(sorted(missing)))
        return merge_openapi(docs, issuer=self._issuer, routes=self._routes, missing=missing)
