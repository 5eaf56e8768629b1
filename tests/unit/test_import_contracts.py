"""The import rules of pyproject.toml's [tool.importlinter] hold, and would catch a breach."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_contracts_are_kept() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_feature_reaching_into_another_or_a_rule_doing_io_breaks_a_contract(
    tmp_path: Path,
) -> None:
    for package in ("kit", "services", "gateway"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    households = tmp_path / "services" / "intake" / "households" / "repository.py"
    households.write_text(
        households.read_text() + "\nfrom services.intake.persons import repository as _persons\n"
    )
    sla = tmp_path / "services" / "intake" / "referrals" / "sla.py"
    sla.write_text(sla.read_text() + "\nimport sqlalchemy as _sqlalchemy\n")

    result = _lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "through their service and schemas BROKEN" in result.stdout
    assert "services.intake.households.repository -> services.intake.persons.repository" in (
        result.stdout
    )
    assert "rules and state machines import no I/O BROKEN" in result.stdout
    assert "services.intake.referrals.sla -> sqlalchemy" in result.stdout
