"""The app's bounded caches: `cached(fn, *args, **kwargs)` for every liqcore call, `stored` for the sources.

The key is built from the function's name and the *content* of its arguments: an `Analysis` by its key (data
digest, window and full model config), a `Market` by its content digest and its name, a `Simulation` by scenario,
seed and market digest, a `DataFrame` by a hash of its index, columns and values (e.g. uploaded liquidation events),
frozen configs and plain values by their repr. An argument of any other type is refused
rather than keyed by identity, so a cached result can never belong to other data or other settings. Results are
shared, not copied: liqcore results are frozen dataclasses and pages only read them.

Bounds (`liqcore.memo.ByteLRU`: least recently used first out, sizes estimated by `liqcore.memo.approx_bytes`):

- `DATA`, shared by every session: analyses, chart specs, tables, PNGs (one hour each), parsed uploads (one hour)
  and exchange fetches (five minutes): at most 64 entries and 384 MB estimated together (`LIQCORE_CACHE_MB`
  overrides the bytes). A year of 1-minute bars is ~30 MB as a market and ~50 MB as an analysis; a 400-bar upload
  ~7 MB in all (its map keeps the leverage-tier split), so the byte budget, not the count, is what binds.
- `PREVIEWS`: what the loader makes of one file, for the column-mapping form: 16 entries, 16 MB, one hour.

A value estimated above its cache's whole budget is returned but not kept. Objects shared by two entries (an
analysis holds its market) are counted in both, so the memory really held stays under the budget.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import os
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from liqcore.analysis import Analysis
from liqcore.market import Market
from liqcore.memo import ByteLRU
from liqcore.simulator import Simulation

T = TypeVar("T")
HOUR = 3600.0
DATA = ByteLRU(
    "shared data (analyses, chart specs, PNGs, uploads, fetches)",
    max_bytes=int(float(os.environ.get("LIQCORE_CACHE_MB", "384")) * 2**20),
    max_entries=64,
    ttl=HOUR,
)
PREVIEWS = ByteLRU("upload previews", max_bytes=16 * 2**20, max_entries=16, ttl=HOUR)
_PLAIN = (str, int, float, bool, type(None), enum.Enum, pd.Timedelta, pd.Timestamp, dt.date)


def fingerprint(value: Any) -> str:
    """Text that names `value` by content (see the module docstring); TypeError for types with no content key."""
    if isinstance(value, Analysis):
        return f"Analysis:{value.key}"
    if isinstance(value, Market):
        return f"Market:{value.digest}:{value.source!r}"
    if isinstance(value, Simulation):
        return f"Simulation:{value.scenario}:{value.seed}:{value.market.digest}"
    if isinstance(value, pd.DataFrame):
        hashed = pd.util.hash_pandas_object(value, index=True).to_numpy()
        text = f"{list(value.columns)!r}{list(value.dtypes.astype(str))!r}".encode()
        return "DataFrame:" + hashlib.blake2b(text + hashed.tobytes(), digest_size=16).hexdigest()
    if isinstance(value, _PLAIN):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "(" + ",".join(fingerprint(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k!r}:{fingerprint(v)}" for k, v in sorted(value.items())) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and value.__dataclass_params__.frozen:
        fields = ",".join(f"{f.name}={fingerprint(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__qualname__}({fields})"
    raise TypeError(f"cached(): no content key for a {type(value).__name__}; pass an Analysis, Market or config")


def cached(fn: Callable[..., T], *args: Any, spinner: str | None = None, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)`, computed once per content of the arguments and kept in one bounded cache.

    `spinner` is shown while a result is computed (Streamlit shows it only when the call takes over half a second,
    so a cache hit does not flash it).
    """
    where = getattr(getattr(fn, "__code__", None), "co_filename", "")  # page scripts all run as __main__
    text = f"{fn.__module__}.{fn.__qualname__}@{where}|{fingerprint(args)}|{fingerprint(kwargs)}"
    key = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return stored(DATA, key, partial(fn, *args, **kwargs), spinner=spinner)


def stored(
    cache: ByteLRU, key: str, compute: Callable[[], T], spinner: str | None = None, ttl: float | None = None
) -> T:
    """`compute()` kept in `cache` under `key` (which must name everything the result depends on).

    `spinner` is shown only while computing (and by Streamlit only past half a second); `ttl` overrides the
    cache's age limit for this entry (e.g. five minutes for exchange data).
    """
    if spinner is None or key in cache:
        return cache.get_or_compute(key, compute, ttl=ttl)
    with st.spinner(spinner):
        return cache.get_or_compute(key, compute, ttl=ttl)


def clear_all() -> None:
    """Forget every cached result (tests; a fresh start)."""
    DATA.clear()
    PREVIEWS.clear()
