"""Sentiment: which side is more exposed — shorts stacked above price, or longs below — now and over time.

Balance at a snapshot = (short notional above price − long notional below) / (sum), within a window around price
(±% of price or ±k × ATR), optionally weighted so nearer notional counts more (triangular kernel: weight 1 at the
price, 0 at the window's edge). +1 means all exposure is shorts above (short-squeeze risk), −1 all longs below.

The historical check asks whether the label meant anything on this data: after snapshots labelled each way, how
often did price reach the heavier side first (move by `move_atr` × ATR toward it before moving as far away) within H
bars, against the base rate over all snapshots. Snapshots close together see overlapping futures, so the intervals
are optimistic; the page says so. Each snapshot uses only bars up to it, except that the automatic bin height of the
map is chosen from the whole loaded price range (fix `ModelConfig.bin_size` to remove even that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from liqcore.heatmap import Heatmap
from liqcore.indicators import atr
from liqcore.market import Market
from liqcore.profile import Profile, find_clusters
from liqcore.stats import wilson_interval

if TYPE_CHECKING:
    from liqcore.analysis import Analysis

LABELS = ("short-squeeze risk", "balanced", "long-squeeze risk")
NO_EXPOSURE = "no exposure in window"


@dataclass(frozen=True)
class SentimentConfig:
    """Window around price, weighting, the label threshold, and the historical check's horizon and move."""

    window: str = "pct"  # "pct": ±size % of price; "atr": ±size × ATR(14)
    size: float = 3.0
    weighted: bool = True
    threshold: float = 0.2  # |balance| above this gets a squeeze label
    horizon: int = 24  # bars the historical check looks ahead
    move_atr: float = 1.0  # the move (× ATR) that counts as reaching a side

    def describe_window(self) -> str:
        """The window in words, e.g. "±3 %" or "±10 × ATR", with "(nearer counts more)" when weighted."""
        size = f"±{self.size:g} %" if self.window == "pct" else f"±{self.size:g} × ATR"
        return size + (" (nearer counts more)" if self.weighted else "")


def label(balance: float, threshold: float = 0.2) -> str:
    """ "short-squeeze risk" above +threshold, "long-squeeze risk" below −threshold, else "balanced"."""
    if not np.isfinite(balance):
        return "balanced"
    if balance > threshold:
        return LABELS[0]
    if balance < -threshold:
        return LABELS[2]
    return LABELS[1]


def _half_widths(heatmap: Heatmap, market: Market, config: SentimentConfig) -> np.ndarray:
    if config.window == "pct":
        return heatmap.close * config.size / 100
    if config.window == "atr":
        values = atr(market).reindex(heatmap.times, method="ffill").to_numpy()
        return values * config.size
    raise ValueError("window must be 'pct' or 'atr'")


def balance_series(heatmap: Heatmap, market: Market, config: SentimentConfig | None = None) -> pd.DataFrame:
    """Per snapshot: price, USD of shorts above and longs below within the window, balance and label."""
    config = config or SentimentConfig()
    centers = heatmap.centers[None, :]
    price = heatmap.close[:, None]
    half = _half_widths(heatmap, market, config)[:, None]
    distance = np.abs(centers - price)
    weight = np.clip(1 - distance / half, 0, 1) if config.weighted else (distance <= half).astype(float)
    above = (heatmap.short * weight * (centers > price)).sum(axis=1)
    below = (heatmap.long * weight * (centers < price)).sum(axis=1)
    total = above + below
    with np.errstate(invalid="ignore", divide="ignore"):
        balance = np.where(total > 0, (above - below) / total, 0.0)
    return pd.DataFrame(
        {
            "price": heatmap.close,
            "above_usd": above,
            "below_usd": below,
            "balance": balance,
            "label": [
                label(b, config.threshold) if t > 0 else NO_EXPOSURE for b, t in zip(balance, total, strict=True)
            ],
        },
        index=heatmap.times,
    )


def nearest_clusters(profile: Profile, min_share: float = 0.05) -> pd.DataFrame:
    """The nearest big cluster on each side: shorts above price and longs below, one row per side that has one.

    "Big" means at least `min_share` of that side's total notional, so a thin ripple next to price does not hide the
    wall a trader would actually run into. Columns are those of `liqcore.profile.find_clusters`.
    """
    clusters = find_clusters(profile, min_share=min_share)
    rows = [
        side_rows.loc[side_rows["distance_pct"].abs().idxmin()]
        for side in ("short", "long")
        if not (side_rows := clusters[clusters["side"] == side]).empty
    ]
    return pd.DataFrame(rows, columns=clusters.columns).reset_index(drop=True)


@dataclass(frozen=True)
class CheckRow:
    """Outcome rate after one kind of label."""

    label: str
    n: int
    hits: int  # price reached the heavier side first
    rate: float
    low: float
    high: float
    base_rate: float
    mean_return_pct: float


@dataclass(frozen=True)
class HistoricalCheck:
    rows: tuple[CheckRow, ...]
    horizon: int
    move_atr: float
    verdict: str
    base_return_pct: float  # mean return over the horizon after any snapshot, the yardstick for the rows' returns

    @property
    def table(self) -> pd.DataFrame:
        """One row per label: snapshots, hit rate with its interval, base rate and mean returns."""
        return pd.DataFrame(
            [
                {
                    "after a reading of": r.label,
                    "snapshots (n)": r.n,
                    "reached the heavier side first": r.rate,
                    "95% interval": f"{r.low:.0%} – {r.high:.0%}" if r.n else "—",
                    "base rate (all snapshots)": r.base_rate,
                    "mean return over next bars": r.mean_return_pct,
                    "mean return, all snapshots": self.base_return_pct,
                }
                for r in self.rows
            ]
        )


def first_touch(market: Market, bar: int, horizon: int, distance: float) -> int:
    """+1 if price rose by `distance` before falling by it within `horizon` bars, −1 for the reverse, 0 if neither.

    A bar that touches both counts as neither (the order inside it is unknown).
    """
    return int(first_touches(market, np.array([bar]), horizon, np.array([distance]))[0])


def first_touches(market: Market, bars: np.ndarray, horizon: int, distance: np.ndarray) -> np.ndarray:
    """`first_touch` for many start bars at once (start bars × horizon, a chunk at a time)."""
    high, low, close = (market.bars[c].to_numpy() for c in ("high", "low", "close"))
    last = len(close) - 1
    out = np.zeros(len(bars), dtype=int)
    ahead = np.arange(1, horizon + 1)
    for chunk in np.array_split(np.arange(len(bars)), max(1, len(bars) * horizon // 200_000)):
        window = bars[chunk, None] + ahead[None, :]
        inside = window <= last
        window = np.minimum(window, last)
        start, reach = close[bars[chunk], None], distance[chunk, None]
        with np.errstate(invalid="ignore"):
            up = (high[window] >= start + reach) & inside
            down = (low[window] <= start - reach) & inside
        first_up = np.where(up.any(axis=1), up.argmax(axis=1), horizon + 1)
        first_down = np.where(down.any(axis=1), down.argmax(axis=1), horizon + 1)
        out[chunk] = np.sign(first_down - first_up)
    return out


def historical_check(series: pd.DataFrame, market: Market, horizon: int = 24, move_atr: float = 1.0) -> HistoricalCheck:
    """After snapshots labelled each way, how often price reached the heavier side first, vs the base rate."""
    atr_values = atr(market).to_numpy()
    close = market.bars["close"].to_numpy()
    index = market.bars.index
    positions = index.get_indexer(series.index)
    usable = (positions >= 0) & (positions + horizon < len(index))
    start = positions[usable]
    touches = first_touches(market, start, horizon, move_atr * atr_values[start])
    returns = 100 * (close[start + horizon] / close[start] - 1)
    labels = series["label"].to_numpy()[usable]
    rows = []
    for name, heavy in ((LABELS[0], 1), (LABELS[2], -1)):
        mask = labels == name
        hits = int((touches[mask] == heavy).sum())
        n = int(mask.sum())
        base = float((touches == heavy).mean()) if len(touches) else float("nan")
        low, high = wilson_interval(hits, n)
        rows.append(
            CheckRow(
                name,
                n,
                hits,
                hits / n if n else float("nan"),
                low,
                high,
                base,
                float(returns[mask].mean()) if n else float("nan"),
            )
        )
    base_return = float(returns.mean()) if len(returns) else float("nan")
    return HistoricalCheck(tuple(rows), horizon, move_atr, _verdict(rows), base_return)


def _verdict(rows: list[CheckRow]) -> str:
    parts = []
    for r in rows:
        if r.n < 10:
            parts.append(f"too few “{r.label}” readings to judge (n = {r.n})")
        elif r.low > r.base_rate:
            parts.append(
                f"after “{r.label}”, price reached the heavier side first {r.rate:.0%} of the time (n = {r.n}) "
                f"vs {r.base_rate:.0%} overall — an edge on this data"
            )
        elif r.high < r.base_rate:
            parts.append(
                f"after “{r.label}”: {r.rate:.0%} (n = {r.n}) vs {r.base_rate:.0%} overall — no edge found on this "
                "data; price went the other way more often than usual"
            )
        else:
            parts.append(
                f"after “{r.label}”: {r.rate:.0%} (n = {r.n}) vs {r.base_rate:.0%} overall — no edge found on this data"
            )
    return "; ".join(parts) + "."


@dataclass(frozen=True, eq=False)
class SentimentResult:
    """The balance over time (`frame`), the historical check of its labels (`table`, `verdict`) and the nearest big
    clusters now (the `liqcore.results.Result` shape)."""

    config: SentimentConfig
    frame: pd.DataFrame
    check: HistoricalCheck
    nearest: pd.DataFrame

    @property
    def table(self) -> pd.DataFrame:
        """After each label, how often price reached the heavier side first, against the base rate."""
        return self.check.table

    @property
    def verdict(self) -> str:
        """Whether the label has meant anything on this data."""
        return self.check.verdict

    @property
    def now(self) -> pd.Series:
        """The latest reading: price, above_usd, below_usd, balance, label."""
        return self.frame.iloc[-1]


def read(analysis: Analysis, config: SentimentConfig | None = None) -> SentimentResult:
    """The sentiment of an analysis: balance per snapshot, its historical check and the nearest big clusters."""
    config = config or SentimentConfig()
    series = balance_series(analysis.heatmap, analysis.market, config)
    check = historical_check(series, analysis.market, config.horizon, config.move_atr)
    return SentimentResult(config, series, check, nearest_clusters(analysis.heatmap.profile()))
