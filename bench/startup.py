"""``make run`` time to ready: a first start on a fresh machine, then a second start.

(a) first start: an empty ``LGNET_CACHE_DIR`` (a temporary folder, so the pinned Kafka and
    Keycloak artifacts are downloaded again) and a fresh state folder;
(b) second start: the same cache and state.

Each start runs ``python -m deploy.local run`` (with ``LGNET_RUN_STATE`` moving
the run profile's state folder out of var/run) as a subprocess in its own session, reads its
output until "LGNet is up in N s", then sends SIGINT, as Ctrl-C does, and waits for a clean
stop: the process exits 0 and leaves no port open and no pid file behind. Both the time the
stack reports and the wall time seen from outside (interpreter start included) are printed,
with the stop time. The run profile's fixed ports must be free: it refuses to run otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

from bench._support import machine, print_block, standalone
from deploy.local import stack as stacks
from deploy.local.process import ROOT, port_open, say, stop_pid_files

UP = re.compile(r"LGNet is up in ([\d.]+)\s*s")
READY = re.compile(r"✔ (\S+) ready in ([\d.]+)\s*s")  # the Supervisor's line per component
STOPPED = "■ stopped"
SERVICE_PORTS = 5  # intake, casework, housing, events, observatory: 8101-8105


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("startup")
    group.add_argument(
        "--postgres", action="store_true", help="start with `run --postgres` (embedded PostgreSQL)"
    )
    group.add_argument(
        "--start-timeout", type=float, default=1200.0, help="seconds to wait for the banner"
    )
    group.add_argument(
        "--stop-timeout", type=float, default=120.0, help="seconds to wait for a clean stop"
    )
    group.add_argument(
        "--keep", action="store_true", help="keep the temporary cache and state folders"
    )


def run_ports() -> list[int]:
    """Every port ``deploy.local run`` binds (the services' range, docs/architecture.md §8)."""
    run = stacks.RUN
    services = max(SERVICE_PORTS, len(stacks.SERVICES))
    return [
        run.gateway_port,
        *range(run.first_service_port, run.first_service_port + services),
        run.kafka_port,
        run.kafka_controller_port,
        run.keycloak_port,
        run.keycloak_management_port,
    ]


def busy_ports() -> list[int]:
    return [port for port in run_ports() if port_open("127.0.0.1", port)]


@dataclass
class Start:
    label: str
    ready_wall: float | None = None  # Popen to the banner line, seconds
    reported: float | None = None  # "LGNet is up in N s"
    stop: float | None = None  # SIGINT to exit, seconds
    exit_code: int | None = None
    clean: bool = False
    problems: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)


def start_and_stop(label: str, env: dict[str, str], state: Path, args: argparse.Namespace) -> Start:
    result = Start(label)
    command = [
        sys.executable,
        "-m",
        "deploy.local",
        "run",
        *(["--postgres"] if args.postgres else []),
    ]
    say(f"▶ {label}: {' '.join(command[1:])}")
    began = perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # SIGINT goes to it (and its group) only
    )
    lines: queue.Queue[tuple[float, str] | None] = queue.Queue()
    reader = threading.Thread(target=_read, args=(proc, lines), daemon=True)
    reader.start()
    try:
        result.ready_wall, result.reported = _wait_for_banner(proc, lines, result, args, began)
        if result.ready_wall is None:
            return result
        interrupted = perf_counter()
        os.killpg(proc.pid, signal.SIGINT)
        try:
            result.exit_code = proc.wait(timeout=args.stop_timeout)
            result.stop = perf_counter() - interrupted
        except subprocess.TimeoutExpired:
            result.problems.append(f"still running {args.stop_timeout:.0f} s after SIGINT")
        reader.join(timeout=5)
        _drain(lines, result)
        _check_stopped(result, state)
        return result
    finally:
        if proc.poll() is None:  # never leave a stack behind, whatever went wrong
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        leftovers = stop_pid_files(state)
        if leftovers:
            result.problems.append(f"had to stop leftovers: {', '.join(leftovers)}")


def _read(proc: subprocess.Popen[bytes], lines: queue.Queue[tuple[float, str] | None]) -> None:
    assert proc.stdout is not None
    for raw in proc.stdout:
        lines.put((perf_counter(), raw.decode(errors="replace").rstrip("\n")))
    lines.put(None)


def _wait_for_banner(
    proc: subprocess.Popen[bytes],
    lines: queue.Queue[tuple[float, str] | None],
    result: Start,
    args: argparse.Namespace,
    began: float,
) -> tuple[float | None, float | None]:
    deadline = began + args.start_timeout
    while (left := deadline - perf_counter()) > 0:
        try:
            item = lines.get(timeout=min(left, 1.0))
        except queue.Empty:
            continue
        if item is None:  # output closed: the process is gone
            result.exit_code = proc.wait()
            result.problems.append(f"exited ({result.exit_code}) before it was up")
            return None, None
        at, line = item
        result.output.append(line)
        say(f"  │ {line}")
        if match := UP.search(line):
            return at - began, float(match.group(1))
    result.problems.append(f"not up after {args.start_timeout:.0f} s")
    return None, None


def _drain(lines: queue.Queue[tuple[float, str] | None], result: Start) -> None:
    while True:
        try:
            item = lines.get_nowait()
        except queue.Empty:
            return
        if item is not None:
            result.output.append(item[1])
            say(f"  │ {item[1]}")


def _check_stopped(result: Start, state: Path) -> None:
    if result.exit_code not in (0, None):
        result.problems.append(f"exit code {result.exit_code}")
    if not any(STOPPED in line for line in result.output):
        result.problems.append(f"no {STOPPED!r} line")
    if still := busy_ports():
        result.problems.append(f"ports still open after the stop: {still}")
    if pids := sorted(p.name for p in (state / "pids").glob("*.pid")):
        result.problems.append(f"pid files left: {pids}")
    result.clean = result.exit_code == 0 and not result.problems


def report(starts: list[Start], cache: Path, load: str) -> None:
    rows: list[tuple[str, str]] = []
    for start in starts:
        if start.ready_wall is None:
            rows.append((start.label, "FAILED: " + "; ".join(start.problems)))
            continue
        stop = f"{start.stop:.1f} s" if start.stop is not None else "—"
        parts = [m.groups() for line in start.output if (m := READY.search(line))]
        rows += [
            (
                start.label,
                f"ready in {start.ready_wall:.1f} s wall (reports {start.reported:.1f} s)",
            ),
            ("  one after the other", ", ".join(f"{name} {took}" for name, took in parts) + " s"),
            ("  stop after SIGINT", f"{stop}, {'clean' if start.clean else 'NOT clean'}"),
        ]
        rows += [("  problem", problem) for problem in start.problems]
    rows += [
        ("services started", ", ".join(stacks.SERVICES) or "none yet (Kafka + Keycloak only)"),
        ("downloaded", f"{_size(cache) / 2**20:,.0f} MiB of artifacts into the empty cache"),
        ("machine", load),
    ]
    print_block("startup: `make run` to ready", rows)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run(args: argparse.Namespace) -> int:
    if busy := busy_ports():
        print(
            f"startup: refusing to run: port(s) {', '.join(map(str, busy))} of the run profile "
            "are in use (a `make run` or another stack?). Stop it (`make down`) and retry.",
            file=sys.stderr,
        )
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="lgnet-bench-startup-"))
    cache, state = scratch / "cache", scratch / "state"
    cache.mkdir()
    env = {
        **os.environ,
        "LGNET_CACHE_DIR": str(cache),
        "LGNET_RUN_STATE": str(state),
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    starts: list[Start] = []
    try:
        for label in ("(a) first start", "(b) second start"):
            start = start_and_stop(label, env, state, args)
            starts.append(start)
            if start.ready_wall is None:
                print("\n".join(start.output[-30:]), file=sys.stderr)
                break
            if busy := busy_ports():
                start.problems.append(f"ports {busy} still busy: not starting again")
                break
        load = machine()
        report(starts, cache, load)
    finally:
        if args.keep:
            say(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0 if starts and all(s.ready_wall is not None for s in starts) else 1


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
