"""``python -m services.observatory rebuild``: the read model rebuilt by replaying Kafka.

Stop the observatory first; the rebuild empties its read model (not its audit log or policy
versions), replays every topic it consumes from the beginning with a progress bar, and leaves
its consumer groups where it ended, so the service started again goes on live from there.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from kit.inbox.replay import Progress
from kit.rebuild import bar, rebuild
from kit.settings import REPO_ROOT
from services.observatory.app import SUBSCRIPTIONS
from services.observatory.settings import ObservatorySettings
from services.observatory.tables import METADATA


class _Bar:
    """Redraws the progress line at most ten times a second, and once at the end."""

    def __init__(self) -> None:
        self.drawn = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self.drawn >= 0.1 or progress.done == progress.total:
            self.drawn = now
            sys.stderr.write("\r" + bar(progress))
            sys.stderr.flush()


async def _rebuild(settings: ObservatorySettings) -> Progress:
    return await rebuild(
        settings,
        subscriptions=SUBSCRIPTIONS,
        read_model=METADATA,
        migrations=REPO_ROOT / "services" / "observatory" / "migrations",
        report=_Bar(),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.observatory", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "rebuild", help="empty the read model and replay every consumed topic into it"
    )
    parser.parse_args(argv)
    settings = ObservatorySettings()
    progress = asyncio.run(_rebuild(settings))
    outcomes = ", ".join(f"{n:,} {outcome}" for outcome, n in sorted(progress.outcomes.items()))
    sys.stderr.write(f"\nrebuilt from {progress.done:,} events ({outcomes or 'none'})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
