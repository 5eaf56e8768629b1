"""The merged OpenAPI document: paths by prefix, clashing schemas renamed, one security scheme."""

from __future__ import annotations

import json
from typing import Any

import httpx

from gateway.openapi import SECURITY_SCHEME, merge_openapi
from kit.testing.upstream import GatewayFactory, Harness, openapi_doc

ISSUER = "https://keycloak.test/realms/lgnet"
REFERRAL_THING = {"type": "object", "properties": {"channel": {"type": "string"}}}
FACILITY_THING = {"type": "object", "properties": {"beds": {"type": "integer"}}}


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return own.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _schema_of(doc: dict[str, Any], path: str) -> str:
    content = doc["paths"][path]["get"]["responses"]["200"]["content"]
    ref: str = content["application/json"]["schema"]["$ref"]
    return ref


def test_clashing_schemas_are_prefixed_by_service_and_refs_follow() -> None:
    merged = merge_openapi(
        {
            "intake": openapi_doc("intake", "/v1/intake", REFERRAL_THING),
            "housing": openapi_doc("housing", "/v1/housing", FACILITY_THING),
        },
        issuer=ISSUER,
    )
    schemas = merged["components"]["schemas"]

    # Thing differs: both renamed; Page is textually equal but points at a different Thing in
    # each service, so it clashes too; Problem is the same everywhere: kept once, as it is
    assert set(schemas) == {"IntakeThing", "HousingThing", "IntakePage", "HousingPage", "Problem"}
    assert schemas["IntakeThing"] == REFERRAL_THING
    assert schemas["HousingThing"] == FACILITY_THING
    assert schemas["IntakePage"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/IntakeThing"
    }
    assert schemas["HousingPage"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/HousingThing"
    }
    assert _schema_of(merged, "/v1/intake/things") == "#/components/schemas/IntakePage"
    assert _schema_of(merged, "/v1/housing/things") == "#/components/schemas/HousingPage"

    # every reference resolves
    for ref in _refs(merged):
        section, name = ref.removeprefix("#/components/").split("/")
        assert name in merged["components"][section], ref


def test_only_public_paths_under_each_services_prefix_are_kept() -> None:
    merged = merge_openapi(
        {
            "intake": openapi_doc("intake", "/v1/intake", REFERRAL_THING),
            # a service documenting a path of another prefix does not get it through the gateway
            "events": openapi_doc("events", "/v1/housing", FACILITY_THING),
        },
        issuer=ISSUER,
    )
    assert list(merged["paths"]) == ["/v1/intake/things"]
    assert merged["paths"]["/v1/intake/things"]["get"]["x-lgnet-service"] == "intake"


def test_identical_schemas_are_not_renamed() -> None:
    merged = merge_openapi(
        {
            "intake": openapi_doc("intake", "/v1/intake", REFERRAL_THING),
            "casework": openapi_doc("casework", "/v1/casework", REFERRAL_THING),
        },
        issuer=ISSUER,
    )
    assert set(merged["components"]["schemas"]) == {"Thing", "Page", "Problem"}
    assert set(merged["paths"]) == {"/v1/intake/things", "/v1/casework/things"}


def test_a_renamed_schema_never_overwrites_an_existing_name() -> None:
    intake = openapi_doc("intake", "/v1/intake", REFERRAL_THING)
    intake["components"]["schemas"]["IntakeThing"] = {"type": "string"}
    merged = merge_openapi(
        {"intake": intake, "housing": openapi_doc("housing", "/v1/housing", FACILITY_THING)},
        issuer=ISSUER,
    )
    schemas = merged["components"]["schemas"]
    assert schemas["IntakeThing"] == {"type": "string"}
    assert schemas["IntakeThing2"] == REFERRAL_THING


def test_one_bearer_scheme_with_the_discovery_url() -> None:
    merged = merge_openapi(
        {"intake": openapi_doc("intake", "/v1/intake", REFERRAL_THING)}, issuer=ISSUER
    )
    assert merged["openapi"] == "3.1.0"
    schemes = merged["components"]["securitySchemes"]
    assert list(schemes) == [SECURITY_SCHEME]
    assert schemes[SECURITY_SCHEME]["scheme"] == "bearer"
    discovery = f"{ISSUER}/.well-known/openid-configuration"
    assert schemes[SECURITY_SCHEME]["x-openid-connect-discovery-url"] == discovery
    assert discovery in schemes[SECURITY_SCHEME]["description"]
    assert merged["security"] == [{SECURITY_SCHEME: []}]
    operation = merged["paths"]["/v1/intake/things"]["get"]
    assert operation["security"] == [{SECURITY_SCHEME: []}]


def test_a_missing_service_is_omitted_and_named() -> None:
    merged = merge_openapi(
        {"intake": openapi_doc("intake", "/v1/intake", REFERRAL_THING), "housing": None},
        issuer=ISSUER,
        missing={"housing": "unreachable"},
    )
    assert list(merged["paths"]) == ["/v1/intake/things"]
    assert merged["x-lgnet-upstreams"] == {
        "intake": {"status": "included"},
        "housing": {"status": "unavailable", "reason": "unreachable"},
    }
    assert "housing (unreachable)" in merged["info"]["description"]


def test_the_merge_leaves_the_inputs_alone() -> None:
    intake = openapi_doc("intake", "/v1/intake", REFERRAL_THING)
    housing = openapi_doc("housing", "/v1/housing", FACILITY_THING)
    before = json.dumps([intake, housing], sort_keys=True)
    merge_openapi({"intake": intake, "housing": housing}, issuer=ISSUER)
    assert json.dumps([intake, housing], sort_keys=True) == before


async def test_the_gateway_serves_the_merged_document(gw: Harness) -> None:
    gw.upstreams["intake"].openapi = openapi_doc("intake", "/v1/intake", REFERRAL_THING)
    gw.upstreams["housing"].openapi = openapi_doc("housing", "/v1/housing", FACILITY_THING)
    response = await gw.client.get("/openapi.json")  # no token needed to read the contract
    assert response.status_code == 200
    doc = response.json()
    assert set(doc["paths"]) == {"/v1/intake/things", "/v1/housing/things"}
    assert "IntakeThing" in doc["components"]["schemas"]
    upstreams = doc["x-lgnet-upstreams"]
    assert upstreams["intake"] == {"status": "included"}
    assert upstreams["casework"] == {"status": "unavailable", "reason": "HTTP 404"}


async def test_the_merged_document_is_cached_and_tolerates_a_service_going_down(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway(openapi_ttl_seconds=0) as gw:
        gw.upstreams["intake"].openapi = openapi_doc("intake", "/v1/intake", REFERRAL_THING)
        assert "/v1/intake/things" in (await gw.client.get("/openapi.json")).json()["paths"]
        gw.transport.failures["intake"] = httpx.ConnectError
        doc = (await gw.client.get("/openapi.json")).json()
        assert doc["paths"] == {}
        assert doc["x-lgnet-upstreams"]["intake"] == {
            "status": "unavailable",
            "reason": "unreachable",
        }

    async with make_gateway(openapi_ttl_seconds=60) as gw:
        gw.upstreams["intake"].openapi = openapi_doc("intake", "/v1/intake", REFERRAL_THING)
        first = (await gw.client.get("/openapi.json")).json()
        gw.upstreams["intake"].openapi = None
        assert (await gw.client.get("/openapi.json")).json() == first  # within the TTL
