"""Turn a column of time cells into UTC timestamps: Unix epochs of any unit, or ISO-like text with or without a zone.

Epoch units are told apart by magnitude (a 2020s time is about 1.7e9 s, 1.7e12 ms, 1.7e15 µs, 1.7e18 ns). Text
without a zone is taken as UTC, and the caller is told so. Cells that cannot be read become NaT, never an exception,
so the loader can count and report them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from liqcore.errors import DataError

# (upper bound of the median magnitude, pandas unit, words); epoch seconds below 1e8 (1973) are not believed.
EPOCH_UNITS: tuple[tuple[float, str, str], ...] = (
    (1e11, "s", "seconds"),
    (1e14, "ms", "milliseconds"),
    (1e17, "us", "microseconds"),
    (np.inf, "ns", "nanoseconds"),
)
SECONDS_RANGE = (1e8, 7.2e9)  # 1973 .. 2198: anything outside is not a bar time
_SCALE = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}
_ZONE = r"(?:Z|UTC|GMT|[+-]\d\d:?\d\d)$"


def parse_times(values: pd.Series, name: str, column: str) -> tuple[pd.Series, list[str]]:
    """UTC timestamps for the cells of one column (NaT where unreadable) and notes on what was assumed.

    Raises DataError when the column is plainly not time (small numbers such as row counters).
    """
    text = values.astype(str).str.strip()
    numeric = pd.to_numeric(text, errors="coerce")
    numeric = numeric.where(np.isfinite(numeric))
    filled = text.ne("")
    if filled.any() and numeric[filled].notna().mean() > 0.9:
        return _from_epoch(numeric, name, column)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        times = pd.to_datetime(text, errors="coerce", utc=True, format="mixed")
    times = pd.DatetimeIndex(times)
    bounds = [pd.Timestamp(limit, unit="s", tz="UTC") for limit in SECONDS_RANGE]
    times = times.where((times >= bounds[0]) & (times <= bounds[1]))
    times = pd.Series(times.as_unit("ns"), index=values.index)
    notes: list[str] = []
    read = times.notna()
    if read.any() and not text[read].str.contains(_ZONE, regex=True, case=False).any():
        notes.append(f"{name}: times in '{column}' have no time zone; taken as UTC.")
    return times, notes


def _from_epoch(numeric: pd.Series, name: str, column: str) -> tuple[pd.Series, list[str]]:
    magnitude = float(numeric.abs().median())
    _, unit, words = next(entry for entry in EPOCH_UNITS if magnitude < entry[0])
    seconds = numeric / _SCALE[unit]
    if magnitude / _SCALE[unit] < SECONDS_RANGE[0]:
        raise DataError(
            f"{name}: column '{column}' holds numbers like {numeric.dropna().iloc[0]:g}, which are not times "
            "(as Unix epoch seconds they would fall before 1973). Map the real time column in the column mapping."
        )
    plausible = seconds.between(*SECONDS_RANGE)
    times = pd.to_datetime(numeric.where(plausible).round(), unit=unit, utc=True, errors="coerce")
    times = pd.Series(pd.DatetimeIndex(times).as_unit("ns"), index=numeric.index)
    return times, [f"{name}: column '{column}' read as Unix epoch {words}."]
