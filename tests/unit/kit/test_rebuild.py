"""The rebuild's progress line: share, counts, rate and time left."""

from __future__ import annotations

import re
import time

from kit.inbox.replay import Progress
from kit.rebuild import bar


def test_the_bar_shows_share_counts_rate_and_time_left() -> None:
    progress = Progress(total=1_000_000, done=250_000, started=time.monotonic() - 10)

    line = bar(progress, width=20)

    assert line.startswith("[#####...............]  25% 250,000/1,000,000 events")
    assert re.search(r" 2[45],\d{3} events/s", line)  # 10 s elapsed, give or take
    assert "00:10 elapsed, 00:30 left" in line


def test_before_the_first_record_no_time_left_is_guessed() -> None:
    line = bar(Progress(total=10))

    assert "0/10 events" in line
    assert "--:-- left" in line


def test_nothing_to_replay_is_complete() -> None:
    assert bar(Progress(total=0), width=4).startswith("[####] 100% 0/0 events")


def test_long_replays_count_hours() -> None:
    progress = Progress(total=100, done=1, started=time.monotonic() - 3600)

    assert "1:00:00 elapsed" in bar(progress)
