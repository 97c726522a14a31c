"""The app's caches are bounded by estimated bytes, entries and age, and compute each key once."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from liqcore.memo import ByteLRU, approx_bytes
from pages.components import cache

MB = 2**20


def _megabytes(n: int) -> np.ndarray:
    return np.zeros(n * MB // 8)


def test_approx_bytes_counts_arrays_frames_text_and_fields_once() -> None:
    array = _megabytes(2)
    assert 2 * MB <= approx_bytes(array) < 2 * MB + 1024
    frame = pd.DataFrame({"a": np.arange(100_000, dtype=float), "b": ["x" * 10] * 100_000})
    assert approx_bytes(frame) >= 800_000 + 100_000 * 10  # the text column is counted deeply, not as pointers
    assert approx_bytes(b"y" * 500_000) >= 500_000

    @dataclass(frozen=True)
    class Pair:
        left: np.ndarray
        right: np.ndarray

    assert approx_bytes(Pair(array, array)) < 2 * MB + 2048  # one array reached twice is counted once
    assert approx_bytes(Pair(array, _megabytes(2))) >= 4 * MB
    assert approx_bytes({"k": [array, (array,)]}) < 2 * MB + 2048


def test_the_cache_evicts_least_recently_used_entries_beyond_its_byte_budget() -> None:
    store = ByteLRU("test", max_bytes=10 * MB, max_entries=100, ttl=60)
    for name in ("a", "b", "c", "d"):
        store.put(name, _megabytes(2))
    assert store.get_or_compute("a", lambda: pytest.fail("a is kept")) is not None  # a is now the most recent
    store.put("e", _megabytes(3))  # 11 MB estimated: the least recently used (b) goes
    assert store.keys() == ["c", "d", "a", "e"] and store.bytes <= 10 * MB
    store.put("f", _megabytes(6))  # 15 MB: c and d go, a (2 MB) + e (3 MB) + f (6 MB) is still 11 MB: a goes too
    assert store.keys() == ["e", "f"] and 9 * MB <= store.bytes <= 10 * MB


def test_the_cache_holds_at_most_its_entry_count_and_a_value_over_budget_is_not_kept() -> None:
    store = ByteLRU("test", max_bytes=100 * MB, max_entries=3, ttl=60)
    for i in range(5):
        store.put(str(i), i)
    assert store.keys() == ["2", "3", "4"]
    huge = store.get_or_compute("huge", lambda: _megabytes(101))
    assert huge.nbytes > 100 * MB and store.keys() == ["2", "3", "4"]


def test_an_entry_expires_after_its_ttl() -> None:
    store = ByteLRU("test", max_bytes=MB, max_entries=10, ttl=60)
    store.put("short", 1, ttl=0.05)
    store.put("long", 2)
    time.sleep(0.1)
    assert "short" not in store and "long" in store
    assert store.get_or_compute("short", lambda: 3) == 3


def test_a_key_is_computed_once_while_other_keys_do_not_wait() -> None:
    store = ByteLRU("test", max_bytes=MB, max_entries=10, ttl=60)
    calls: list[str] = []
    other_done = threading.Event()

    def slow_a() -> str:
        calls.append("a")
        assert other_done.wait(10), "key b waited for key a"
        return "A"

    def b() -> str:
        calls.append("b")
        other_done.set()
        return "B"

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(store.get_or_compute("a", slow_a))) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    assert store.get_or_compute("b", b) == "B"
    for thread in threads:
        thread.join(10)
    assert results == ["A", "A", "A"] and calls.count("a") == 1


def test_a_failed_compute_keeps_nothing() -> None:
    store = ByteLRU("test", max_bytes=MB, max_entries=10, ttl=60)
    with pytest.raises(ZeroDivisionError):
        store.get_or_compute("x", lambda: 1 / 0)
    assert "x" not in store and store.get_or_compute("x", lambda: 5) == 5


def _block(megabytes: int, tag: int) -> np.ndarray:
    return _megabytes(megabytes) + tag


def test_cached_results_stay_within_the_shared_byte_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    small = ByteLRU("test", max_bytes=16 * MB, max_entries=64, ttl=60)
    monkeypatch.setattr(cache, "DATA", small)
    first = cache.cached(_block, 4, 0)
    assert cache.cached(_block, 4, 0) is first  # a hit returns the kept object, not a copy
    for tag in range(1, 10):  # 40 MB asked for, well under the entry cap
        cache.cached(_block, 4, tag)
    assert small.bytes <= 16 * MB and len(small) == 3
    assert cache.cached(_block, 4, 0) is not first  # the oldest was evicted and is computed again
