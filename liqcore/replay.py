"""The map as it stood at one snapshot: for playing a window bar by bar and watching levels build and get consumed.

`frame_at(analysis, k)` cuts the estimated map to its snapshots at or before snapshot `k`'s time and the candles to
the bars up to that bar, so nothing after the moment is drawn (the page's "inspect one snapshot" view).

`replay_tape(analysis)` is what the browser plays: each map drawn once over the whole window (one raster,
one colour scale for the whole replay, so a band keeps its colour as it plays), the whole window's candles, and for
every snapshot its time, close and the part of its candle formed so far. Frame k is the raster clipped at snapshot
k + 1 (its columns 0..k, exactly `frame_at`'s) with the candles up to its bar, so playing costs the browser a clip
and a few hundred rectangles per frame and the server nothing. The price range is the whole window's (with a
margin) and the candles are grouped on the whole window's grid, so the axes and the candles already drawn stay put
while the replay plays. On simulated data `true_map` puts the simulator's true book in the same shape (see
`liqcore.truth.true_heatmap`) and `frame_at` cuts it the same way, so both maps share their axes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from liqcore.analysis import Analysis
from liqcore.cells import candles
from liqcore.charts.raster import HeatRaster, heat_raster
from liqcore.heatmap import Heatmap
from liqcore.truth import true_heatmap

PRICE_MARGIN = 0.02  # 2 % beyond the window's candle range on each side
MAX_CANDLES = 400  # the whole window's candles at most; a replay frame draws its share of them


@dataclass(frozen=True, eq=False)
class ReplayFrame:
    """Snapshot `index` (0-based) at `time` (UTC, bar open): the maps cut to it and the candles up to its bar."""

    index: int
    time: pd.Timestamp
    price: float
    estimate: Heatmap
    candles: pd.DataFrame
    truth: Heatmap | None = None


def snapshot_count(analysis: Analysis) -> int:
    """How many snapshots the replay steps through."""
    return len(analysis.heatmap.times)


def true_map(analysis: Analysis) -> Heatmap | None:
    """The simulator's true book on the map's snapshots and bins; None for data whose book is unknown."""
    if analysis.simulation is None:
        return None
    return true_heatmap(analysis.simulation, analysis.heatmap)


def _price_bins(analysis: Analysis) -> slice:
    bars = analysis.market.bars
    low, high = float(bars["low"].min()) * (1 - PRICE_MARGIN), float(bars["high"].max()) * (1 + PRICE_MARGIN)
    edges = analysis.heatmap.price_edges
    lo_bin = max(0, int(edges.searchsorted(low)) - 1)
    hi_bin = min(len(edges) - 1, int(edges.searchsorted(high)) + 1)
    return slice(lo_bin, hi_bin)


def _crop(heatmap: Heatmap, upto: int, bins: slice, end: pd.Timestamp) -> Heatmap:
    """Columns 0..`upto` and the price `bins`; implied bars up to `end`."""
    columns = slice(0, upto + 1)
    tiers = {
        name: (None if arr is None else arr[:, columns, bins])
        for name, arr in (("long_by_tier", heatmap.long_by_tier), ("short_by_tier", heatmap.short_by_tier))
    }
    return replace(
        heatmap,
        times=heatmap.times[columns],
        price_edges=heatmap.price_edges[bins.start : bins.stop + 1],
        long=heatmap.long[columns, bins],
        short=heatmap.short[columns, bins],
        close=heatmap.close[columns],
        implied=heatmap.implied.loc[:end],
        **tiers,
    )


def frame_at(analysis: Analysis, k: int, truth: Heatmap | None = None) -> ReplayFrame:
    """The map (and `truth`, from `true_map`, when given) as of snapshot `k`; 0 <= k < `snapshot_count`."""
    count = snapshot_count(analysis)
    if not 0 <= k < count:
        raise IndexError(f"snapshot {k} is outside 0..{count - 1}")
    heatmap = analysis.heatmap
    time = heatmap.times[k]
    bins = _price_bins(analysis)
    return ReplayFrame(
        index=k,
        time=time,
        price=float(heatmap.close[k]),
        estimate=_crop(heatmap, k, bins, time),
        candles=candles(analysis.market, MAX_CANDLES, until=time),
        truth=None if truth is None else _crop(truth, k, bins, time),
    )


def _ms(times: pd.DatetimeIndex | pd.Series) -> list[int]:
    """UTC times as integer milliseconds since the epoch (what a browser's Date takes)."""
    return (pd.DatetimeIndex(times).as_unit("ms").asi8).tolist()


def _raster_json(title: str, raster: HeatRaster, is_estimate: bool) -> dict:
    return {
        "title": title,
        "estimate": is_estimate,
        "url": raster.url,
        "t0": _ms(pd.DatetimeIndex([raster.t0]))[0],
        "t1": _ms(pd.DatetimeIndex([raster.t1]))[0],
        "p0": raster.p0,
        "p1": raster.p1,
    }


def _partial_candles(analysis: Analysis, whole: pd.DataFrame, times: pd.DatetimeIndex) -> dict[str, list]:
    """Per snapshot: which candle holds its bar, and that candle's open/high/low/close over its bars so far."""
    bars = analysis.market.bars
    factor = max(1, -(-len(bars) // MAX_CANDLES))  # the grouping of `candles`
    group = np.arange(len(bars)) // factor
    running = pd.DataFrame(
        {
            "high": bars["high"].groupby(group).cummax().to_numpy(),
            "low": bars["low"].groupby(group).cummin().to_numpy(),
            "close": bars["close"].to_numpy(),
        }
    )
    at = np.clip(bars.index.searchsorted(times, side="right") - 1, 0, len(bars) - 1)
    ends = np.minimum(bars.index[at] + analysis.market.interval, whole["t1"].to_numpy()[group[at]])
    return {
        "candle": group[at].tolist(),
        "high": running["high"].to_numpy()[at].tolist(),
        "low": running["low"].to_numpy()[at].tolist(),
        "close": running["close"].to_numpy()[at].tolist(),
        "t1": _ms(pd.DatetimeIndex(ends)),
    }


def replay_tape(analysis: Analysis) -> dict:
    """Everything the browser needs to play the replay, as plain JSON-ready values (see the module docstring).

    Times are UTC milliseconds; prices USD. `maps` holds the estimate and, on simulated data, the true book, each
    over the same price bins and snapshots.
    """
    heatmap, truth = analysis.heatmap, true_map(analysis)
    bins = _price_bins(analysis)
    whole = candles(analysis.market, MAX_CANDLES)
    last, end = len(heatmap.times) - 1, heatmap.times[-1]
    maps = [_raster_json("Estimated map (estimate)", heat_raster(_crop(heatmap, last, bins, end)), True)]
    if truth is not None:
        maps.append(
            _raster_json("True book (simulator, not an estimate)", heat_raster(_crop(truth, last, bins, end)), False)
        )
    bars = analysis.market.bars
    low, high = float(bars["low"].min()) * (1 - PRICE_MARGIN), float(bars["high"].max()) * (1 + PRICE_MARGIN)
    return {
        "times": _ms(heatmap.times),
        "prices": [float(p) for p in heatmap.close],
        "start": _ms(whole["time"])[0],
        "end": max(maps[0]["t1"], _ms(whole["t1"])[-1]),
        "low": low,
        "high": high,
        "candles": {
            "time": _ms(whole["time"]),
            "t1": _ms(whole["t1"]),
            **{name: whole[name].astype(float).tolist() for name in ("open", "high", "low", "close")},
        },
        "partial": _partial_candles(analysis, whole, heatmap.times),
        "maps": maps,
    }
