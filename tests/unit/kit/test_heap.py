"""`kit.heap`: start-up's objects frozen out of full collections, once per process."""

from __future__ import annotations

import gc

import pytest

from kit import heap


def test_the_first_call_collects_then_freezes_and_later_ones_do_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(heap, "_frozen", False)

    def collect(*_: object) -> int:
        calls.append("collect")
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))

    assert heap.freeze_long_lived() is True
    assert heap.freeze_long_lived() is False  # a second app in the same process (tests)
    assert calls == ["collect", "freeze"]


def test_a_full_collection_after_freezing_walks_only_what_came_after() -> None:
    heap.freeze_long_lived()  # a no-op if an app of this session already froze
    assert gc.get_freeze_count() > 0
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1  # new garbage is still collected


def test_collection_is_paused_until_the_last_of_overlapping_blocks_leaves() -> None:
    assert gc.isenabled()
    first, second = heap.collection_paused(), heap.collection_paused()
    first.__enter__()
    second.__enter__()  # a second run interleaved with the first
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with heap.collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_comes_back_when_the_block_fails() -> None:
    with pytest.raises(RuntimeError), heap.collection_paused():
        raise RuntimeError("the use case failed")
    assert gc.isenabled()
