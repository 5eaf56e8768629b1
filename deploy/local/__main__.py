"""``python -m deploy.local run|down|fetch``: the local stack's command line (see Makefile)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from deploy.local import stack as stacks
from deploy.local.process import ROOT, say, stop_pid_files


def run(with_postgres: bool) -> int:
    began = time.monotonic()
    stack = stacks.build(stacks.RUN, with_postgres=with_postgres)
    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        stacks.start_infrastructure(stack)
        stacks.start_services(stack)
        from deploy.local.demo import load_demo_data_once

        load_demo_data_once(stack)
        _banner(stack, time.monotonic() - began)
        while True:
            time.sleep(1)
            if crashed := stack.supervisor.crashed():
                logs = stack.profile.state / "logs"
                say(f"✖ stopped unexpectedly: {', '.join(crashed)} (see {logs})")
                return 1
    except KeyboardInterrupt:
        say("\n■ stopping…")
        return 0
    finally:
        stack.stop()
        say("■ stopped")


def _banner(stack: stacks.Stack, took: float) -> None:
    from deploy.local.demo import DEMO_LOGINS

    lines = [
        "",
        f"LGNet is up in {took:.1f}s  (Ctrl-C stops everything)",
        f"  gateway      {stack.gateway_url}   docs {stack.gateway_url}/docs",
        f"  dashboard    {stack.gateway_url}/v1/observatory/dashboard   (the Observatory's charts)",
        *(f"  {name:<12} {url}" for name, url in stack.service_urls.items()),
        f"  keycloak     {stack.keycloak_url}   (admin console: admin / admin, local only)",
        f"  kafka        {stack.kafka_bootstrap}",
        "",
        "Demo logins (local only, password for all: see README):",
        *(f"  {user:<24} {what}" for user, what in DEMO_LOGINS),
        "",
    ]
    say("\n".join(lines))


def down() -> int:
    stopped = []
    for profile in (stacks.RUN, *stacks.test_profiles()):
        stopped += stop_pid_files(profile.state)
        pgdata = profile.state / "postgres"
        if _postmaster_alive(pgdata):
            from deploy.local.postgres import Postgres

            Postgres(pgdata)._stop_leftover()
            stopped.append(f"postgres ({profile.name})")
    say(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")
    return 0


def _postmaster_alive(pgdata: Path) -> bool:
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return False
    return True


def fetch() -> int:
    """Download and verify every pinned artifact (no-op when the cache is complete), and
    install Debian's Chromium where it is missing (the dashboard's browser test)."""
    from deploy.local.artifacts import fetch_all, read_lock
    from deploy.local.chromium import ensure_chromium
    from deploy.local.java import find_java_home

    fetch_all(read_lock(ROOT / "deploy" / "kafka" / "artifacts.lock"), "kafka")
    fetch_all(read_lock(ROOT / "deploy" / "keycloak" / "keycloak.lock"), "keycloak")
    find_java_home(21)
    ensure_chromium()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.local")
    sub = parser.add_subparsers(dest="command", required=True)
    run_cmd = sub.add_parser("run", help="start the whole platform in the foreground")
    run_cmd.add_argument(
        "--postgres",
        action="store_true",
        help="run the services on an embedded PostgreSQL instead of SQLite files",
    )
    sub.add_parser("down", help="stop anything a previous run left behind")
    sub.add_parser(
        "fetch",
        help="download and verify the pinned Kafka and Keycloak artifacts (and install chromium)",
    )
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args.postgres)
    if args.command == "down":
        return down()
    return fetch()


if __name__ == "__main__":
    sys.exit(main())
