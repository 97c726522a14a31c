"""Put an extra file's columns (open interest, liquidations, funding, ratios) onto the bars of the price file.

Two kinds of column need two rules. Liquidations are flows: every event in a bar is summed into that bar. Open
interest, funding and ratios are states: each bar takes the value in force at its close (the last observation before
the next bar opens), as-of, provided that observation is no older than a tolerance; otherwise the cell stays empty.
The share of bars that received a value (coverage) is reported for each column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from liqcore.loaders.notes import repair
from liqcore.market import format_interval

SUM_COLUMNS = ("liq_long_usd", "liq_short_usd")


def spacing(index: pd.DatetimeIndex) -> pd.Timedelta:
    """The usual distance between observations (median), zero for fewer than two."""
    if len(index) < 2:
        return pd.Timedelta(0)
    return pd.Timedelta(int(np.median(np.diff(index.asi8))), unit="ns")


def as_of(
    base_index: pd.DatetimeIndex, interval: pd.Timedelta, source: pd.Series, tolerance: pd.Timedelta
) -> np.ndarray:
    """The last value of `source` observed before each bar's close, or NaN when that value is older than `tolerance`."""
    source = source.dropna()
    closes = base_index + interval
    position = source.index.searchsorted(closes, side="left") - 1
    ok = position >= 0
    values = np.full(len(base_index), np.nan)
    found = source.to_numpy(dtype=float)[position[ok]]
    age = closes[ok] - source.index[position[ok]]
    values[np.flatnonzero(ok)] = np.where(age <= tolerance, found, np.nan)
    return values


def bar_sums(base_index: pd.DatetimeIndex, interval: pd.Timedelta, source: pd.Series, step: pd.Timedelta) -> np.ndarray:
    """Sum of `source` over the observations inside each bar.

    Bars inside the span the file covers (first observation to last + its step) but without an observation get 0:
    the file recorded that period and nothing fell in that bar. Bars outside the span stay NaN (unknown).
    """
    source = source.dropna()
    values = np.full(len(base_index), np.nan)
    if source.empty:
        return values
    covered = (base_index + interval > source.index[0]) & (base_index < source.index[-1] + max(step, interval))
    values[covered] = 0.0
    bar_of = base_index.searchsorted(source.index, side="right") - 1
    inside = (bar_of >= 0) & (source.index < base_index[-1] + interval)
    sums = pd.Series(source.to_numpy(dtype=float)[inside]).groupby(bar_of[inside]).sum(min_count=1)
    values[sums.index.to_numpy()] = sums.to_numpy()
    return values


def merge_extra(
    base: pd.DataFrame, interval: pd.Timedelta, name: str, frame: pd.DataFrame, notes: list[str]
) -> pd.DataFrame:
    """Add the columns of one extra file to the bars, noting coverage, coarser data and rows outside the bars' span."""
    new = [c for c in frame.columns if c not in base.columns or base[c].isna().all()]
    if not new:
        notes.append(f"{name}: adds no column the price file lacks; not merged.")
        return base
    out = base.copy()
    step = spacing(frame.index)
    tolerance = max(interval, step) * 2
    for column in new:
        if column in SUM_COLUMNS:
            out[column] = bar_sums(base.index, interval, frame[column], step)
        else:
            out[column] = as_of(base.index, interval, frame[column], tolerance)
    span_end = base.index[-1] + interval
    outside = int(((frame.index < base.index[0]) | (frame.index >= span_end)).sum())
    coverage = ", ".join(f"{c} {np.isfinite(out[c].to_numpy()).mean():.0%}" for c in new)
    notes.append(
        f"{name}: merged onto the price bars (liquidations summed per bar, other values as-of the bar close within "
        f"{format_interval(tolerance)}); coverage {coverage}."
    )
    if outside:
        notes.append(
            repair(
                f"{name}: {outside:,} of {len(frame):,} row(s) fall outside the price bars "
                f"({base.index[0]:%Y-%m-%d %H:%M} → {span_end:%Y-%m-%d %H:%M} UTC) and were not used."
            )
        )
    if step > interval and any(c in SUM_COLUMNS for c in new):
        notes.append(
            f"{name}: liquidations are per {format_interval(step)}, coarser than the {format_interval(interval)} bars; "
            "each total sits on the bar where its period starts."
        )
    return out
