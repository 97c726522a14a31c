"""A thread-safe LRU cache bounded by entries, estimated bytes and age, for results shared by every session.

Streamlit's own caches bound only the entry count, and one upload creates several entries (its market, its map,
each chart spec), so a few large uploads can hold far more memory than their count suggests. `ByteLRU` evicts the
least recently used entries until the sum of `approx_bytes` of the kept values is within its budget; an entry
older than its TTL is recomputed. One value larger than the whole budget is returned but not kept (so it cannot
push out everything else). Each key is computed once even when several sessions ask at the same time: the others
wait for that key only, never for other keys.

`approx_bytes` walks a value's object graph (numpy arrays by `nbytes`, DataFrames by
`memory_usage(deep=True)`, bytes and text by length, containers, dataclasses and plain objects by their
fields), counting each object once per value. Objects shared between entries (an `Analysis` holds its `Market`)
are counted in each, so the real memory held is at most the budget.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")
_ATOMS = (int, float, complex, bool, type(None))
_MAX_DEPTH = 64


def approx_bytes(value: Any) -> int:
    """Estimated bytes `value` holds, counting each object it reaches once (see the module docstring)."""
    seen: set[int] = set()
    return sum(_sizes(value, seen, 0))


def _sizes(value: Any, seen: set[int], depth: int) -> Iterator[int]:
    if isinstance(value, _ATOMS) or depth > _MAX_DEPTH or id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        yield sys.getsizeof(value)
    elif isinstance(value, np.ndarray):
        base = value.base if isinstance(value.base, np.ndarray) else None
        yield 112 if base is not None and id(base) in seen else value.nbytes + 112
    elif isinstance(value, (pd.DataFrame, pd.Series)):
        yield int(np.sum(value.memory_usage(deep=True, index=True)))
    elif isinstance(value, pd.Index):
        yield int(value.memory_usage(deep=True))
    elif isinstance(value, dict):
        yield sys.getsizeof(value)
        for key, item in value.items():
            yield from _sizes(key, seen, depth + 1)
            yield from _sizes(item, seen, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        yield sys.getsizeof(value)
        for item in value:
            yield from _sizes(item, seen, depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield sys.getsizeof(value)
        for field in dataclasses.fields(value):
            yield from _sizes(getattr(value, field.name, None), seen, depth + 1)
        yield from _sizes(getattr(value, "__dict__", None), seen, depth + 1)  # cached_property values
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        yield sys.getsizeof(value)
        yield from _sizes(vars(value), seen, depth + 1)
    else:
        yield sys.getsizeof(value)


@dataclasses.dataclass
class _Entry:
    value: Any
    size: int
    expires: float


class ByteLRU:
    """At most `max_entries` values and `max_bytes` estimated bytes, each kept for at most `ttl` seconds."""

    def __init__(
        self, name: str, max_bytes: int, max_entries: int, ttl: float, sizer: Callable[[Any], int] = approx_bytes
    ) -> None:
        self.name = name
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.ttl = ttl
        self._sizer = sizer
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._computing: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._bytes = 0

    @property
    def bytes(self) -> int:
        """Estimated bytes held now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[str]:
        """The keys held, least recently used first (looking does not count as a use)."""
        with self._lock:
            return list(self._entries)

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return self._fresh(key) is not None

    def get_or_compute(self, key: str, compute: Callable[[], T], ttl: float | None = None) -> T:
        """The value kept under `key`, or `compute()` (run once per key at a time) kept for `ttl` seconds (default:
        the cache's) and returned. An exception from `compute` reaches its caller and nothing is kept; a caller
        that waited on it then computes in turn.
        """
        with self._lock:
            entry = self._fresh(key)
            if entry is not None:
                return entry.value
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                entry = self._fresh(key)
                if entry is not None:
                    return entry.value
            try:
                value = compute()
                self.put(key, value, ttl)
            finally:
                with self._lock:
                    if self._computing.get(key) is key_lock:
                        del self._computing[key]
            return value

    def put(self, key: str, value: Any, ttl: float | None = None) -> None:
        """Keep `value` under `key` for `ttl` seconds, evicting the least recently used until the bounds hold."""
        size = self._sizer(value)
        with self._lock:
            self._drop(key)
            if size > self.max_bytes:
                return
            self._entries[key] = _Entry(value, size, time.monotonic() + (self.ttl if ttl is None else ttl))
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def describe(self) -> str:
        """The bounds in words (for docs and logs)."""
        return (
            f"{self.name}: {self.max_entries} entries, {self.max_bytes / 2**20:.0f} MB estimated, "
            f"{self.ttl / 60:.0f} min TTL"
        )

    def _fresh(self, key: str) -> _Entry | None:
        """The entry under `key`, marked most recently used; None when absent or expired. Hold `_lock`."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() > entry.expires:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size
