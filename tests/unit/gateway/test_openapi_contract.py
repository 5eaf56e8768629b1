"""The merged OpenAPI under contracts/ is the one the gateway serves, and no release breaks it.

``contracts/openapi.json`` is built offline the way the gateway builds it (each service's
``create_app().openapi()`` through `gateway.openapi.merge_openapi`); refresh it with::

    python -m tests.unit.gateway.test_openapi_contract

A breaking change (a path, field or enum value removed, a new required field…) against the
document as first committed at the current ``info.version`` fails, found by ``oasdiff breaking``
(pinned, installed by the Makefile into var/tools/bin), unless ``gateway.openapi.API_VERSION``
moves on.
"""

from __future__ import annotations

import copy
import importlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gateway.openapi import merge_openapi
from kit.settings import REPO_ROOT, CommonSettings
from kit.testing.upstream import SERVICES

CONTRACT = REPO_ROOT / "contracts" / "openapi.json"
OASDIFF = REPO_ROOT / "var" / "tools" / "bin" / "oasdiff"


def generate() -> str:
    """The merged document as the gateway builds it from every service, as committed text."""
    docs = {
        name: importlib.import_module(f"services.{name}.app").create_app().openapi()
        for name in SERVICES
    }
    # the default issuer, not this machine's environment: the document must not vary with it
    issuer = CommonSettings.model_fields["keycloak_issuer"].default
    merged = merge_openapi(docs, issuer=issuer)
    return json.dumps(merged, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _released() -> tuple[str, str] | None:
    """The committed document at the first commit of its current ``info.version`` (the
    release), as (commit, text); None before the document was ever committed."""
    relative = CONTRACT.relative_to(REPO_ROOT).as_posix()
    log = subprocess.run(
        ["git", "log", "--format=%H", "--", relative],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if log.returncode != 0 or not log.stdout.strip():
        return None
    version = json.loads(CONTRACT.read_text())["info"]["version"]
    release: tuple[str, str] | None = None
    for commit in log.stdout.split():  # newest first
        shown = subprocess.run(
            ["git", "show", f"{commit}:{relative}"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if shown.returncode != 0 or json.loads(shown.stdout)["info"]["version"] != version:
            break
        release = (commit, shown.stdout)
    return release


def _breaking(base: Path, revision: Path) -> subprocess.CompletedProcess[str]:
    assert OASDIFF.exists(), "oasdiff is missing: `make test-fast` installs it into var/tools/bin"
    return subprocess.run(
        [
            str(OASDIFF),
            "breaking",
            "--fail-on",
            "ERR",
            "--format",
            "text",
            str(base),
            str(revision),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture(scope="module")
def generated() -> str:
    return generate()


def test_the_committed_openapi_is_the_one_the_gateway_merges(generated: str) -> None:
    assert CONTRACT.exists(), "run `python -m tests.unit.gateway.test_openapi_contract`"
    assert CONTRACT.read_text() == generated, (
        "contracts/openapi.json is stale: run `python -m tests.unit.gateway.test_openapi_contract`"
    )


def test_no_breaking_change_since_the_release_of_this_version(
    generated: str, tmp_path: Path
) -> None:
    released = _released()
    if released is None:
        pytest.skip("contracts/openapi.json was never committed: nothing released to break")
    commit, text = released
    base, revision = tmp_path / "released.json", tmp_path / "generated.json"
    base.write_text(text)
    revision.write_text(generated)
    if json.loads(text)["info"]["version"] != json.loads(generated)["info"]["version"]:
        return  # a new version may break the old one
    result = _breaking(base, revision)
    assert result.returncode == 0, (
        f"breaking changes against contracts/openapi.json as released in {commit[:12]}; move "
        f"gateway.openapi.API_VERSION on if they are meant:\n{result.stdout}{result.stderr}"
    )


def _without_a_response_field(document: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A copy of `document` with one property of a response schema removed, and its name."""
    changed = copy.deepcopy(document)
    schema = changed["components"]["schemas"]["PersonPublic"]
    del schema["properties"]["family_name"]
    schema["required"] = [name for name in schema.get("required", []) if name != "family_name"]
    return changed, "family_name"


def test_the_check_fails_on_a_removed_field(generated: str, tmp_path: Path) -> None:
    document = json.loads(generated)
    changed, field = _without_a_response_field(document)
    base, revision = tmp_path / "base.json", tmp_path / "revision.json"
    base.write_text(generated)
    revision.write_text(json.dumps(changed))
    result = _breaking(base, revision)
    assert result.returncode == 1, result.stdout + result.stderr
    assert field in result.stdout
    assert "removed" in result.stdout


def test_the_check_passes_an_unchanged_document(generated: str, tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    base.write_text(generated)
    result = _breaking(base, base)
    assert result.returncode == 0, result.stdout + result.stderr


if __name__ == "__main__":
    CONTRACT.write_text(generate())
    print(f"wrote {CONTRACT.relative_to(REPO_ROOT)}")
