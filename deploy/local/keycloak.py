"""Keycloak in dev mode for the local stack and the tests, from the pinned Maven Central dist.

The dist is extracted once under ``<state>/keycloak`` (its first start builds the server, which
is slow); the realm's database (embedded H2) lives apart in ``<state>/keycloak-data``, so that a
fresh test profile wipes the data and keeps the build.

The realm ``lgnet`` is kept as code in ``deploy/keycloak/lgnet-realm.json`` and imported at start.
Keycloak skips the import when the realm already exists, so when the realm file changes the
database is dropped and the realm imported afresh (the realm file is the truth; partners
provisioned at run time in that database go with it).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path

from keycloak import KeycloakAdmin

from deploy.local.artifacts import fetch, read_lock
from deploy.local.java import find_java_home
from deploy.local.process import ROOT, Component, http_ok, say

REALM = "lgnet"
API_AUDIENCE = "lgnet-api"
KEYCLOAK_DIR = ROOT / "deploy" / "keycloak"
LOCK = KEYCLOAK_DIR / "keycloak.lock"
REALM_FILE = KEYCLOAK_DIR / "lgnet-realm.json"

# Local-only credentials of the master realm's bootstrap admin (dev mode, loopback only).
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"
HEAP = "-Xms64m -Xmx512m"


def _dist_version() -> str:
    (artifact,) = read_lock(LOCK)
    return artifact.version


class Keycloak(Component):
    """Keycloak ``start-dev`` on ``127.0.0.1:port`` with the ``lgnet`` realm imported."""

    def __init__(self, state: Path, port: int, management_port: int) -> None:
        super().__init__(name="keycloak", state=state)
        self.port = port
        self.management_port = management_port
        self.ports = (port, management_port)
        self.version = _dist_version()
        self.command = [
            str(self.home / "bin" / "kc.sh"),
            "start-dev",
            "--import-realm",
            f"--http-port={port}",
            f"--http-management-port={management_port}",
            f"--db-url=jdbc:h2:file:{self.data_dir / 'keycloakdb'};NON_KEYWORDS=VALUE",
            "--http-host=127.0.0.1",
            "--health-enabled=true",
            # a fixed hostname: the issuer is the same whatever host name a client used
            f"--hostname={self.url}",
        ]
        self.cwd = self.home

    @property
    def home(self) -> Path:
        return self.state / "keycloak" / f"keycloak-{self.version}"

    @property
    def data_dir(self) -> Path:
        return self.state / "keycloak-data"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.url}/realms/{REALM}"

    @property
    def management_url(self) -> str:
        return f"http://127.0.0.1:{self.management_port}"

    def prepare(self) -> None:
        java_home = find_java_home(21)
        self.env = {
            "JAVA_HOME": str(java_home),
            "PATH": f"{java_home / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "JAVA_OPTS_KC_HEAP": HEAP,
            "KC_BOOTSTRAP_ADMIN_USERNAME": ADMIN_USERNAME,
            "KC_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        }
        if not self.home.is_dir():
            self._extract()
        self._install_realm()

    def _extract(self) -> None:
        (artifact,) = read_lock(LOCK)
        archive = fetch(artifact)
        parent = self.home.parent
        parent.mkdir(parents=True, exist_ok=True)
        for stale in parent.glob(".extract-*"):  # left by a killed extraction
            shutil.rmtree(stale, ignore_errors=True)
        say(f"  keycloak: extracting {archive.name}")
        # extract beside the target and rename: a killed extraction never looks complete
        with tempfile.TemporaryDirectory(dir=parent, prefix=".extract-") as tmp:
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(tmp)
            extracted = Path(tmp) / self.home.name
            for script in (extracted / "bin").glob("*.sh"):
                script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            extracted.rename(self.home)

    def _install_realm(self) -> None:
        """Put the realm file in ``data/import``; drop the database when the realm changed."""
        content = REALM_FILE.read_bytes()
        json.loads(content)  # fail here, not in a Keycloak log, on a broken realm file
        digest = hashlib.sha256(content).hexdigest()
        marker = self.data_dir / "lgnet-realm.sha256"
        previous = marker.read_text().strip() if marker.exists() else None
        if previous != digest and self.data_dir.exists():
            say("  keycloak: realm file changed, re-importing it into a fresh database")
            shutil.rmtree(self.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        imported = self.home / "data" / "import"
        imported.mkdir(parents=True, exist_ok=True)
        (imported / REALM_FILE.name).write_bytes(content)
        marker.write_text(digest + "\n")

    def ready(self) -> bool:
        return http_ok(f"{self.management_url}/health/ready") and http_ok(
            f"{self.issuer}/.well-known/openid-configuration"
        )

    def admin(self) -> KeycloakAdmin:
        """An admin API client for the ``lgnet`` realm, as the local bootstrap admin."""
        return admin_client(self.url)


def admin_client(
    keycloak_url: str, *, username: str = ADMIN_USERNAME, password: str = ADMIN_PASSWORD
) -> KeycloakAdmin:
    """python-keycloak admin client on the ``lgnet`` realm, logged in through ``master``."""
    return KeycloakAdmin(
        server_url=keycloak_url,
        username=username,
        password=password,
        realm_name=REALM,
        user_realm_name="master",
    )
