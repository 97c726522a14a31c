"""One bounded cache for every liqcore call the app makes: `cached(fn, *args, **kwargs)`.

The key is built from the function's name and the *content* of its arguments: an `Analysis` by its key (data
digest, window and full model config), a `Market` by its content digest and its name, a `Simulation` by scenario,
seed and market digest, a `DataFrame` by a hash of its index, columns and values (e.g. uploaded liquidation events),
frozen configs and plain values by their repr. An argument of any other type is refused
rather than keyed by identity, so a cached result can never belong to other data or other settings. Results are
shared, not copied: liqcore results are frozen dataclasses and pages only read them.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from liqcore.analysis import Analysis
from liqcore.market import Market
from liqcore.simulator import Simulation

T = TypeVar("T")
MAX_ENTRIES = 48
TTL_SECONDS = 3600
_PLAIN = (str, int, float, bool, type(None), enum.Enum, pd.Timedelta, pd.Timestamp)


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


@st.cache_resource(max_entries=MAX_ENTRIES, ttl=TTL_SECONDS, show_spinner=False)
def _call(key: str, _compute: Callable[[], Any]) -> Any:
    return _compute()


def cached(fn: Callable[..., T], *args: Any, spinner: str | None = None, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)`, computed once per content of the arguments and kept in one bounded cache.

    `spinner` is shown while a result is computed (Streamlit shows it only when the call takes over half a second,
    so a cache hit does not flash it).
    """
    where = getattr(getattr(fn, "__code__", None), "co_filename", "")  # page scripts all run as __main__
    text = f"{fn.__module__}.{fn.__qualname__}@{where}|{fingerprint(args)}|{fingerprint(kwargs)}"
    key = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    compute = partial(fn, *args, **kwargs)
    if spinner is None:
        return _call(key, compute)
    with st.spinner(spinner):
        return _call(key, compute)
