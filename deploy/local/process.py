"""Start, watch and stop the local stack's processes (no containers, no system services).

Each component is a long-running child process in its own process group, logging to
``<state>/logs/<name>.log``, with a pid file so that ``make down`` can stop what a crashed
run left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Component:
    """A process of the stack: how to prepare it, run it and tell when it is ready."""

    name: str
    state: Path  # the profile's state folder, e.g. var/run or var/test
    command: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT
    ports: tuple[int, ...] = ()  # must be free before the start

    def prepare(self) -> None:
        """Download, extract, format: everything before the process can start."""

    def ready(self) -> bool:
        """True once the component serves requests."""
        return True

    @property
    def log_path(self) -> Path:
        return self.state / "logs" / f"{self.name}.log"

    @property
    def pid_path(self) -> Path:
        return self.state / "pids" / f"{self.name}.pid"


class Supervisor:
    """Runs components in order, each ready before the next starts; stops them in reverse."""

    def __init__(self) -> None:
        self.running: list[tuple[Component, subprocess.Popen[bytes]]] = []

    def start(self, component: Component, *, timeout: float = 180.0) -> float:
        """Start ``component`` and wait until it is ready; returns the seconds it took."""
        return self.start_together([component], timeout=timeout)[component.name]

    def start_together(
        self, components: list[Component], *, timeout: float = 180.0
    ) -> dict[str, float]:
        """Start independent components at once, then wait for each to be ready."""
        began = time.monotonic()
        launched = [(component, self._launch(component)) for component in components]
        took: dict[str, float] = {}
        for component, proc in launched:
            wait_until(
                component.ready,
                timeout=timeout - (time.monotonic() - began),
                what=component.name,
                alive=partial(_alive, proc),
                log=component.log_path,
            )
            took[component.name] = time.monotonic() - began
            say(f"  ✔ {component.name} ready in {took[component.name]:.1f}s")
        return took

    def _launch(self, component: Component) -> subprocess.Popen[bytes]:
        stop_stale(component)
        busy = [port for port in component.ports if port_open("127.0.0.1", port)]
        if busy:
            raise RuntimeError(
                f"{component.name}: port {busy[0]} is in use (another LGNet stack? `make down`)"
            )
        component.prepare()
        component.log_path.parent.mkdir(parents=True, exist_ok=True)
        component.pid_path.parent.mkdir(parents=True, exist_ok=True)
        with component.log_path.open("ab") as log:
            proc = subprocess.Popen(
                component.command,
                cwd=component.cwd,
                env={**os.environ, **component.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        component.pid_path.write_text(str(proc.pid))
        self.running.append((component, proc))
        return proc

    def stop(self, component: Component) -> None:
        """Stop one component (e.g. Kafka, to test an outage); ``start`` it again later."""
        for entry in list(self.running):
            if entry[0] is component:
                terminate(entry[1].pid)
                component.pid_path.unlink(missing_ok=True)
                self.running.remove(entry)

    def stop_all(self) -> None:
        for component, proc in reversed(self.running):
            terminate(proc.pid)
            component.pid_path.unlink(missing_ok=True)
        self.running.clear()

    def crashed(self) -> list[str]:
        return [c.name for c, p in self.running if p.poll() is not None]


def _alive(proc: subprocess.Popen[bytes]) -> bool:
    return proc.poll() is None


def wait_until(
    probe: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    alive: Callable[[], bool] = lambda: True,
    log: Path | None = None,
) -> None:
    began = time.monotonic()
    last_said = began
    while True:
        try:
            if probe():
                return
        except Exception:
            pass
        now = time.monotonic()
        if not alive():
            raise RuntimeError(f"{what} exited during start-up; see {log}\n{_tail(log)}")
        if now - began > timeout:
            raise TimeoutError(f"{what} not ready after {timeout:.0f}s; see {log}\n{_tail(log)}")
        if now - last_said >= 5:
            say(f"  … waiting for {what} ({now - began:.0f}s)")
            last_said = now
        time.sleep(0.2)


def terminate(pid: int, *, grace: float = 20.0) -> None:
    """SIGTERM the process group, then SIGKILL it if it has not gone after ``grace`` seconds."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            break
        with contextlib.suppress(ChildProcessError):  # reap it if it is our child
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def stop_stale(component: Component) -> None:
    """Stop a process a previous run left behind (pid file present, process alive)."""
    try:
        pid = int(component.pid_path.read_text())
    except (OSError, ValueError):
        return
    terminate(pid)
    component.pid_path.unlink(missing_ok=True)


def stop_pid_files(state: Path) -> list[str]:
    stopped = []
    for pid_file in sorted((state / "pids").glob("*.pid")):
        try:
            terminate(int(pid_file.read_text()))
            stopped.append(pid_file.stem)
        except (OSError, ValueError):
            pass
        pid_file.unlink(missing_ok=True)
    return stopped


def _tail(log: Path | None, lines: int = 30) -> str:
    if log is None or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def http_ok(url: str, timeout: float = 2.0) -> bool:
    import urllib.request

    with urllib.request.urlopen(url, timeout=timeout) as response:
        return bool(200 <= response.status < 300)


def port_open(host: str, port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0
