"""Pinned Maven Central artifacts: download once, verify SHA-256, resume interrupted downloads.

Artifacts are cached under ``LGNET_CACHE_DIR`` (default ``~/.cache/lgnet``) so that every clone
on a machine shares them; a second start downloads nothing.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

MAVEN_REPO = os.environ.get("LGNET_MAVEN_REPO", "https://repo.maven.apache.org/maven2")
_CHUNK = 1 << 20


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "lgnet"
    return Path(os.environ.get("LGNET_CACHE_DIR", default)).expanduser()


@dataclass(frozen=True)
class Artifact:
    """One Maven artifact pinned by coordinates and SHA-256."""

    group: str
    artifact: str
    version: str
    sha256: str
    classifier: str = ""
    extension: str = "jar"

    @property
    def filename(self) -> str:
        classifier = f"-{self.classifier}" if self.classifier else ""
        return f"{self.artifact}-{self.version}{classifier}.{self.extension}"

    @property
    def url(self) -> str:
        group_path = self.group.replace(".", "/")
        return f"{MAVEN_REPO}/{group_path}/{self.artifact}/{self.version}/{self.filename}"

    @property
    def path(self) -> Path:
        return cache_dir() / "maven" / self.group / self.filename

    @classmethod
    def parse(cls, line: str) -> Artifact:
        """Parse a lock line ``group:artifact:version[:classifier[:extension]] sha256``."""
        coords, sha = line.split()
        parts = coords.split(":")
        group, artifact, version = parts[:3]
        classifier = parts[3] if len(parts) > 3 else ""
        extension = parts[4] if len(parts) > 4 else "jar"
        return cls(group, artifact, version, sha.lower(), classifier, extension)


class ChecksumMismatch(RuntimeError):
    pass


def read_lock(path: Path) -> list[Artifact]:
    lines = (ln.strip() for ln in path.read_text().splitlines())
    return [Artifact.parse(ln) for ln in lines if ln and not ln.startswith("#")]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(artifact: Artifact, *, attempts: int = 5) -> Path:
    """Return the verified local copy of ``artifact``, downloading (and resuming) if needed."""
    target = artifact.path
    if target.exists():
        if sha256_of(target) == artifact.sha256:
            return target
        target.unlink()  # corrupt or tampered copy: fetch again
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    for attempt in range(1, attempts + 1):
        try:
            _download(artifact.url, partial)
            break
        except (urllib.error.URLError, OSError) as exc:
            if attempt == attempts:
                raise RuntimeError(f"cannot download {artifact.url}: {exc}") from exc
            time.sleep(min(2**attempt, 10))
    actual = sha256_of(partial)
    if actual != artifact.sha256:
        partial.unlink()
        raise ChecksumMismatch(
            f"{artifact.filename}: expected sha256 {artifact.sha256}, downloaded {actual}"
        )
    partial.replace(target)
    return target


def fetch_all(artifacts: list[Artifact], label: str) -> list[Path]:
    missing = [a for a in artifacts if not a.path.exists()]
    if missing:
        print(f"  {label}: downloading {len(missing)} artifact(s)", file=sys.stderr, flush=True)
    return [fetch(a) for a in artifacts]


def _download(url: str, partial: Path) -> None:
    """Download ``url`` into ``partial``, continuing from its current size (HTTP Range)."""
    have = partial.stat().st_size if partial.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "lgnet-stack"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as exc:
        if exc.code == 416:  # already complete
            return
        raise
    with response:
        mode = "ab" if have and response.status == 206 else "wb"
        total = int(response.headers.get("Content-Length") or 0) + (have if mode == "ab" else 0)
        done = have if mode == "ab" else 0
        last_report = time.monotonic()
        with partial.open(mode) as out:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                done += len(chunk)
                if total > 20 * _CHUNK and time.monotonic() - last_report > 2:
                    last_report = time.monotonic()
                    pct = 100 * done // total
                    print(f"    {partial.name[:-5]}: {pct}%", file=sys.stderr, flush=True)
