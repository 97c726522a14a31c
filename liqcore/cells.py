"""Turn a Heatmap into a bounded number of drawable cells, and bars into a bounded number of candles.

A browser chart slows down past ~10k marks, whatever the window shown, so the map is aggregated here: neighbouring
snapshot columns are averaged (the book is a state, so its average over the merged span) and neighbouring price bins
summed (USD in the merged bin), until the cells fit the budget. Candles are resampled the same way.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from liqcore.heatmap import Heatmap
from liqcore.market import Market

SCALES = ("linear", "log", "percentile")


def _group_starts(length: int, factor: int) -> np.ndarray:
    return np.arange(0, length, factor)


def _aggregate(values: np.ndarray, col_factor: int, bin_factor: int) -> np.ndarray:
    """Mean over groups of columns, sum over groups of bins (last axis bins, second-last columns)."""
    cols = np.add.reduceat(values, _group_starts(values.shape[-2], col_factor), axis=-2)
    counts = np.diff(np.append(_group_starts(values.shape[-2], col_factor), values.shape[-2]))
    cols = cols / counts[:, None]
    return np.add.reduceat(cols, _group_starts(values.shape[-1], bin_factor), axis=-1)


def _factors(occupied: list[np.ndarray], budget: int) -> tuple[int, int]:
    """Smallest merge factors (columns, bins) whose merged grid has at most `budget` occupied cells.

    Columns and bins are merged in turn, keeping cells roughly as wide as the grid is long, so the map keeps its
    shape; only occupied cells count, since empty ones are not drawn.
    """
    columns, bins = occupied[0].shape
    col_factor = bin_factor = 1
    while True:
        drawn = sum(np.count_nonzero(_aggregate(mask, col_factor, bin_factor)) for mask in occupied)
        if drawn <= budget:
            return col_factor, bin_factor
        if columns / col_factor >= bins / bin_factor:
            col_factor += 1
        else:
            bin_factor += 1


LOG_DECADES = 3  # the log scale spans the densest cell down to a thousandth of it; fainter cells get 0


def intensity(usd: np.ndarray, scale: str) -> np.ndarray:
    """Positive USD values as 0–1 on a scale.

    linear: share of the densest cell. log: decades below the densest, over `LOG_DECADES` decades (log1p of raw
    dollars squeezed every cell into the top of the range and flooded the map). percentile: rank among the cells.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    if len(usd) == 0:
        return usd
    if scale == "linear":
        return usd / usd.max()
    if scale == "log":
        return np.clip(1 + np.log10(usd / usd.max()) / LOG_DECADES, 0.0, 1.0)
    return pd.Series(usd).rank(pct=True).to_numpy()


def _tier_text(shares: np.ndarray, tiers: tuple[float, ...]) -> list[str]:
    return [" · ".join(f"{t:g}x {s:.0%}" for t, s in zip(tiers, row, strict=True) if s >= 0.005) for row in shares]


def heat_cells(
    heatmap: Heatmap, side: str = "both", max_marks: int = 8000, scale: str = "log", threshold: float = 0.0
) -> pd.DataFrame:
    """Sparse rectangles of the map: t0, t1, p0, p1, side, usd, intensity (0–1 on the chosen scale), tiers.

    `side` is "both", "long" or "short"; cells whose intensity is below `threshold` are left out.
    """
    sides = ("long", "short") if side == "both" else (side,)
    n_cols, n_bins = heatmap.long.shape
    occupied = [(getattr(heatmap, name) > 0).astype(float) for name in sides]
    col_factor, bin_factor = _factors(occupied, max_marks)
    starts = _group_starts(n_cols, col_factor)
    times = heatmap.times
    # The last snapshot holds until the data ends, one bar later (snapshots may be many bars apart).
    bars = heatmap.implied.index
    step = bars[-1] - bars[-2] if len(bars) > 1 else (times[-1] - times[-2] if len(times) > 1 else pd.Timedelta(0))
    t_edges = times[starts].append(pd.DatetimeIndex([times[-1] + step]))  # keeps the index's unit (ns, us or s)
    p_edges = np.append(heatmap.price_edges[_group_starts(n_bins, bin_factor)], heatmap.price_edges[-1])
    frames = []
    for name in sides:
        grid = _aggregate(getattr(heatmap, name), col_factor, bin_factor)
        rows, cols = np.nonzero(grid > 0)
        frame = pd.DataFrame(
            {
                "t0": t_edges[rows].tz_convert("UTC"),
                "t1": t_edges[rows + 1].tz_convert("UTC"),
                "p0": p_edges[cols],
                "p1": p_edges[cols + 1],
                "side": name,
                "usd": grid[rows, cols],
            }
        )
        by_tier = getattr(heatmap, f"{name}_by_tier")
        if by_tier is not None and len(frame):
            tiers = _aggregate(by_tier, col_factor, bin_factor)[:, rows, cols].T
            frame["tiers"] = _tier_text(tiers / tiers.sum(axis=1, keepdims=True), heatmap.config.leverage_tiers)
        frames.append(frame)
    cells = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    cells["intensity"] = intensity(cells["usd"].to_numpy(), scale) if len(cells) else []
    return cells[cells["intensity"] >= threshold].reset_index(drop=True)


MAX_CANDLES = 400


def bars_per_candle(market: Market, max_candles: int = MAX_CANDLES) -> int:
    """How many of the market's bars one drawn candle spans, so at most `max_candles` candles are drawn."""
    return max(1, math.ceil(len(market.bars) / max_candles))


def candles(market: Market, max_candles: int = MAX_CANDLES, until: pd.Timestamp | None = None) -> pd.DataFrame:
    """OHLC resampled to at most `max_candles` candles (time = candle open, `t1` = its close, never past the data).

    With `until`, only the bars up to it are drawn, grouped on the whole market's grid, so a replay's candles
    already drawn stay put as it plays (the last one may be partial).
    """
    factor = bars_per_candle(market, max_candles)
    bars = market.bars if until is None else market.bars.loc[:until]
    group = np.arange(len(bars)) // factor
    out = pd.DataFrame(
        {
            "time": bars.index.to_series().groupby(group).first().to_numpy(),
            "open": bars["open"].groupby(group).first().to_numpy(),
            "high": bars["high"].groupby(group).max().to_numpy(),
            "low": bars["low"].groupby(group).min().to_numpy(),
            "close": bars["close"].groupby(group).last().to_numpy(),
        }
    )
    data_end = bars.index[-1] + market.interval if len(bars) else market.end
    out["t1"] = np.minimum(out["time"] + market.interval * factor, data_end)
    out["up"] = out["close"] >= out["open"]
    return out


def realised_liquidations(market: Market, max_marks: int = 300) -> pd.DataFrame | None:
    """Bars where the data reports realised liquidations: time, side, USD and a price to mark them at.

    Long liquidations are marked at the bar's low (price fell into them), short ones at its high. Only the
    `max_marks` largest are kept so a year of bars stays drawable. None when the data has no such columns.
    """
    if not (market.has("liq_long_usd") and market.has("liq_short_usd")):
        return None
    bars = market.bars
    frames = [
        pd.DataFrame({"time": bars.index, "side": side, "usd": bars[f"liq_{side}_usd"].to_numpy(), "price": bars[at]})
        for side, at in (("long", "low"), ("short", "high"))
    ]
    events = pd.concat(frames, ignore_index=True)
    events = events[events["usd"] > 0]
    return events.nlargest(max_marks, "usd").sort_values("time").reset_index(drop=True)
