"""The local stack: Kafka, Keycloak, optionally PostgreSQL, the five services and the gateway.

Two profiles share this code: ``run`` (``make run``: fixed ports, state kept in var/run) and
``test`` (the test session: other ports, state wiped at every session so runs are repeatable).
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from deploy.local.kafka import Kafka
from deploy.local.keycloak import Keycloak
from deploy.local.postgres import Postgres
from deploy.local.process import ROOT, Component, Supervisor, http_ok, say
from deploy.local.realm import CASEWORK_CLIENT_ID, CASEWORK_SECRET, allow_web_origin

SERVICES: tuple[str, ...] = ("intake", "casework", "housing", "events", "observatory")


@dataclass(frozen=True)
class Profile:
    name: str
    kafka_port: int
    kafka_controller_port: int
    keycloak_port: int
    keycloak_management_port: int
    gateway_port: int
    first_service_port: int
    fresh: bool  # wipe state at every start

    @property
    def state(self) -> Path:
        """var/<name>; ``LGNET_RUN_STATE`` moves the run profile's (benchmarks use it)."""
        if self.name == "run" and (moved := os.environ.get("LGNET_RUN_STATE")):
            return Path(moved).resolve()
        return ROOT / "var" / self.name


RUN = Profile("run", 9092, 9093, 8180, 9000, 8000, 8101, fresh=False)
TEST = Profile("test", 19092, 19093, 18280, 19100, 18000, 18101, fresh=True)


def claim_test_profile(max_slots: int = 8) -> Profile:
    """A test profile no other test session on this machine holds (own ports and state).

    Slot n shifts every port by 1000·n and uses var/test-n; the slot is held by an exclusive
    lock on a file for as long as this process lives, so concurrent sessions never share or
    wipe each other's stack. The locks live in the machine's temporary directory, not in the
    checkout, because ports are the machine's: sessions in two clones (a developer's and a
    CI clone) must not pick the same slot; a slot whose ports something else holds is skipped.
    """
    import fcntl

    locks = Path(tempfile.gettempdir()) / "lgnet-test-slots"
    locks.mkdir(parents=True, exist_ok=True)
    for slot in range(max_slots):
        handle = (locks / f"test-{slot}.lock").open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        shift = 1000 * slot
        profile = Profile(
            "test" if slot == 0 else f"test-{slot}",
            TEST.kafka_port + shift,
            TEST.kafka_controller_port + shift,
            TEST.keycloak_port + shift,
            TEST.keycloak_management_port + shift,
            TEST.gateway_port + shift,
            TEST.first_service_port + shift,
            fresh=True,
        )
        ports = (profile.kafka_port, profile.kafka_controller_port, profile.keycloak_port)
        if not _ports_free(*ports):
            handle.close()
            continue
        _held_locks.append(handle)
        return profile
    raise RuntimeError(f"all {max_slots} test stack slots are in use")


_held_locks: list[object] = []


def _ports_free(*ports: int) -> bool:
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


@dataclass
class Stack:
    """What a running stack offers to clients, tests and benchmarks."""

    profile: Profile
    kafka: Kafka
    keycloak: Keycloak
    postgres: Postgres | None
    supervisor: Supervisor = field(default_factory=Supervisor)
    timings: dict[str, float] = field(default_factory=dict)
    service_urls: dict[str, str] = field(default_factory=dict)

    @property
    def kafka_bootstrap(self) -> str:
        return self.kafka.bootstrap

    @property
    def keycloak_url(self) -> str:
        return self.keycloak.url

    @property
    def issuer(self) -> str:
        return self.keycloak.issuer

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.profile.gateway_port}"

    def database_url(self, service: str) -> str:
        if self.postgres is not None:
            return self.postgres.create_database(service)
        return f"sqlite+aiosqlite:///{self.profile.state / f'{service}.db'}"

    def service_env(self, service: str) -> dict[str, str]:
        env = {
            "LGNET_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "LGNET_KEYCLOAK_ISSUER": self.issuer,
            f"LGNET_{service.upper()}_DATABASE_URL": self.database_url(service),
            "LGNET_ENVIRONMENT": self.profile.name,
        }
        if service == "casework" and "intake" in self.service_urls:
            # minors' birth dates, read from intake directly as casework's service account
            env["LGNET_CASEWORK_INTAKE_URL"] = self.service_urls["intake"]
            env["LGNET_CASEWORK_INTAKE_CLIENT_ID"] = CASEWORK_CLIENT_ID
            env["LGNET_CASEWORK_INTAKE_CLIENT_SECRET"] = CASEWORK_SECRET
        return env

    def stop(self) -> None:
        self.supervisor.stop_all()
        if self.postgres is not None:
            self.postgres.stop()


def build(profile: Profile, *, with_postgres: bool) -> Stack:
    state = profile.state
    if profile.fresh:
        _wipe(state)
    state.mkdir(parents=True, exist_ok=True)
    kafka = Kafka(state, profile.kafka_port, profile.kafka_controller_port)
    keycloak = Keycloak(state, profile.keycloak_port, profile.keycloak_management_port)
    postgres = Postgres(state / "postgres", fresh=profile.fresh) if with_postgres else None
    return Stack(profile, kafka, keycloak, postgres)


def start_postgres(stack: Stack) -> None:
    """PostgreSQL, if the stack has one, ready before returning."""
    if stack.postgres is not None:
        say("▶ postgres")
        stack.timings["postgres"] = stack.postgres.start()


def start_infrastructure(stack: Stack) -> None:
    """Kafka, Keycloak and (if asked) PostgreSQL, each ready before returning."""
    start_postgres(stack)
    say("▶ kafka")
    stack.timings["kafka"] = stack.supervisor.start(stack.kafka, timeout=120)
    say("▶ keycloak (the very first start builds its server image: about a minute)")
    stack.timings["keycloak"] = stack.supervisor.start(stack.keycloak, timeout=300)
    post_start = getattr(stack.keycloak, "post_start", None)
    if callable(post_start):
        post_start()
    # the dashboard signs in through the gateway's pages, whatever the profile's port
    allow_web_origin(stack.keycloak_url, stack.gateway_url)


def start_services(stack: Stack, services: tuple[str, ...] = SERVICES) -> None:
    """The services (started together) then the gateway, under uvicorn, each ready (/readyz)."""
    components = []
    for offset, service in enumerate(services):
        port = stack.profile.first_service_port + offset
        component = uvicorn_component(stack, service, f"services.{service}.app:app", port)
        component.env.update(stack.service_env(service))
        components.append(component)
        stack.service_urls[service] = component.url
    if components:
        say(f"▶ {', '.join(services)}")
        stack.timings.update(stack.supervisor.start_together(list(components), timeout=90))
    if services:
        gateway = uvicorn_component(stack, "gateway", "gateway.app:app", stack.profile.gateway_port)
        gateway.env.update(
            {
                "LGNET_KEYCLOAK_ISSUER": stack.issuer,
                **{
                    f"LGNET_GATEWAY_UPSTREAM_{name.upper()}": url
                    for name, url in stack.service_urls.items()
                },
            }
        )
        say("▶ gateway")
        stack.timings["gateway"] = stack.supervisor.start(gateway, timeout=60)


def stop_services(stack: Stack) -> None:
    """Stop the services and the gateway, leaving Kafka, Keycloak and PostgreSQL running."""
    for component, _ in list(stack.supervisor.running):
        if isinstance(component, _Uvicorn):
            stack.supervisor.stop(component)
    stack.service_urls.clear()


class _Uvicorn(Component):
    url: str = ""

    def ready(self) -> bool:
        return http_ok(f"{self.url}/readyz")


def uvicorn_component(stack: Stack, name: str, app: str, port: int) -> _Uvicorn:
    """``app`` served by uvicorn on ``port`` as a component of ``stack`` (not started)."""
    component = _Uvicorn(
        name=name,
        state=stack.profile.state,
        command=[
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "10",
        ],
        env={"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
    )
    component.url = f"http://127.0.0.1:{port}"
    component.ports = (port,)
    return component


def _wipe(state: Path) -> None:
    """Remove a test profile's state but keep the extracted Keycloak (its build is slow)."""
    import shutil

    from deploy.local.process import stop_pid_files

    stop_pid_files(state)
    if not state.exists():
        return
    for child in state.iterdir():
        if child.name == "keycloak":
            continue
        if child.name == "postgres":
            continue  # Postgres(fresh=True) stops and wipes its own folder
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


def test_profiles() -> list[Profile]:
    """The state folders test sessions may have left (for ``make down``)."""
    found = [TEST]
    for state in sorted((ROOT / "var").glob("test-*")):
        found.append(Profile(state.name, 0, 0, 0, 0, 0, 0, fresh=True))
    return found
