"""The map as it stood at one snapshot: for playing a window bar by bar and watching levels build and get consumed.

`frame_at(analysis, k)` cuts the estimated map to its snapshots at or before snapshot `k`'s time and the candles to
the bars up to that bar, so nothing after the moment is drawn. The price range is the whole window's (with a
margin) and the candles are grouped on the whole window's grid, so the axes and the candles already drawn stay put
while the replay plays. On simulated data `true_map` puts the simulator's true book in the same shape (see
`liqcore.truth.true_heatmap`) and `frame_at` cuts it the same way, so both maps share their axes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from liqcore.analysis import Analysis
from liqcore.cells import candles
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
