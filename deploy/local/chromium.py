"""Debian's Chromium, for the dashboard's browser test (tests/e2e/test_dashboard.py).

Playwright drives the system's ``/usr/bin/chromium``; its own browser downloads are never used
(``playwright install`` fetches from a CDN). ``make install`` installs the package where it is
missing, on a Debian machine as root (CI); anywhere else it says so and the test is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from deploy.local.process import say

CHROMIUM = Path("/usr/bin/chromium")
_INSTALL = ["apt-get", "install", "-y", "chromium"]


def ensure_chromium() -> None:
    """Install the ``chromium`` package unless `CHROMIUM` exists: ``apt-get install``, and
    ``apt-get update`` first only when that fails (a fresh image has no package lists)."""
    if CHROMIUM.exists():
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        say(f"  chromium: {CHROMIUM} missing and no apt-get as root here: the browser test skips")
        return
    say("▶ chromium (Debian's, for the dashboard's browser test)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(_INSTALL, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True)
        subprocess.run(_INSTALL, env=env, check=True)
