"""Fakeout scanner: do breakouts into thin liquidation zones fail more often than breakouts into dense ones?

A breakout is a close beyond the high (or low) of the previous N bars — only the first such close, so a run of closes
above the range counts once. Its fuel is the estimated liquidation notional within X % beyond the break level on the
breakout side (shorts above for an up-break, longs below for a down-break), read from the latest heatmap snapshot at
or before the breakout bar, so nothing after the close is used. Breakouts are split into dense and thin at a
percentile of fuel on this data. Within M bars each one either follows through (price travels k × ATR further than
the breakout close), snaps back (a close back inside the range: a fakeout), or neither (unresolved).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from liqcore.heatmap import Heatmap
from liqcore.indicators import atr
from liqcore.market import Market
from liqcore.stats import wilson_interval

OUTCOMES = ("follow-through", "fakeout", "unresolved")
EVENT_COLUMNS = [
    "time",
    "bar",
    "direction",
    "level",
    "close",
    "atr",
    "fuel_usd",
    "zone",
    "outcome",
    "bars_to_outcome",
]


@dataclass(frozen=True)
class BreakoutConfig:
    """N (lookback bars), X (fuel window, % beyond the level), M (outcome bars), k (follow-through, × ATR).

    `dense_percentile`: breakouts with fuel at or above this percentile of all breakouts' fuel are "dense".
    `min_n`: fewest breakouts per group before the verdict compares the groups.
    """

    lookback: int = 48
    fuel_pct: float = 1.0
    horizon: int = 24
    follow_atr: float = 1.0
    dense_percentile: float = 50.0
    min_n: int = 5


@dataclass(frozen=True, eq=False)
class BreakoutResult:
    """Every breakout found (`events`, one row each), hit rates per zone (`table`) and a plain verdict."""

    config: BreakoutConfig
    events: pd.DataFrame
    table: pd.DataFrame
    dense_threshold_usd: float
    verdict: str


def _fuel(heatmap: Heatmap, column: int, level: float, direction: str, fuel_pct: float) -> float:
    """USD of the breakout side's liquidations between the level and X % beyond it (bins count pro rata)."""
    edges = heatmap.price_edges
    if direction == "up":
        low, high, values = level, level * (1 + fuel_pct / 100), heatmap.short[column]
    else:
        low, high, values = level * (1 - fuel_pct / 100), level, heatmap.long[column]
    overlap = np.clip(np.minimum(edges[1:], high) - np.maximum(edges[:-1], low), 0, None) / np.diff(edges)
    return float((values * overlap).sum())


def _outcome(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, bar: int, direction: str, level: float, move: float, m: int
) -> tuple[str, int]:
    """Walk the M bars after the breakout: first follow-through (extreme reached) or first close back inside.

    A bar that both reaches the target and closes back inside counts as follow-through: the extreme came first.
    Returns ("open", -1) when the data ends before M bars and nothing happened yet.
    """
    start = close[bar]
    last = min(bar + m, len(close) - 1)
    for j in range(bar + 1, last + 1):
        if direction == "up":
            if high[j] >= start + move:
                return "follow-through", j - bar
            if close[j] <= level:
                return "fakeout", j - bar
        else:
            if low[j] <= start - move:
                return "follow-through", j - bar
            if close[j] >= level:
                return "fakeout", j - bar
    return ("unresolved", m) if bar + m <= len(close) - 1 else ("open", -1)


def find_breakouts(market: Market, heatmap: Heatmap, config: BreakoutConfig | None = None) -> pd.DataFrame:
    """One row per fresh breakout with its level, fuel, zone ("dense"/"thin") and outcome (see module docstring).

    Breakouts before the first heatmap snapshot (no map yet) are skipped; outcome "open" means the data ends before
    M bars passed. Zones are set by `config.dense_percentile` of fuel over all breakouts found.
    """
    config = config or BreakoutConfig()
    bars = market.bars
    n = config.lookback
    prior_high = bars["high"].rolling(n, min_periods=n).max().shift(1).to_numpy()
    prior_low = bars["low"].rolling(n, min_periods=n).min().shift(1).to_numpy()
    close = bars["close"].to_numpy()
    high, low = bars["high"].to_numpy(), bars["low"].to_numpy()
    with np.errstate(invalid="ignore"):
        above = close > prior_high
        below = close < prior_low
    fresh_up = above & ~np.concatenate(([False], above[:-1]))
    fresh_down = below & ~np.concatenate(([False], below[:-1]))
    atr_values = atr(market).to_numpy()
    first_snapshot = heatmap.times[0]
    rows = []
    for bar in np.flatnonzero(fresh_up | fresh_down):
        time = bars.index[bar]
        if time < first_snapshot:
            continue
        direction = "up" if fresh_up[bar] else "down"
        level = float(prior_high[bar] if direction == "up" else prior_low[bar])
        fuel = _fuel(heatmap, heatmap.column_at(time), level, direction, config.fuel_pct)
        move = config.follow_atr * float(atr_values[bar])
        outcome, after = _outcome(high, low, close, int(bar), direction, level, move, config.horizon)
        rows.append(
            {
                "time": time,
                "bar": int(bar),
                "direction": direction,
                "level": level,
                "close": float(close[bar]),
                "atr": float(atr_values[bar]),
                "fuel_usd": fuel,
                "zone": "",
                "outcome": outcome,
                "bars_to_outcome": after,
            }
        )
    events = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    if len(events):
        threshold = float(np.percentile(events["fuel_usd"], config.dense_percentile))
        events["zone"] = np.where(events["fuel_usd"] >= threshold, "dense", "thin")
        events.attrs["dense_threshold_usd"] = threshold
    else:
        events.attrs["dense_threshold_usd"] = float("nan")
    return events


def hit_rates(events: pd.DataFrame) -> pd.DataFrame:
    """Per zone: n (breakouts with a full outcome window), fakeouts and follow-throughs with rates and 95 % Wilson
    intervals, and unresolved."""
    rows = []
    done = events[events["outcome"] != "open"]
    for zone in ("thin", "dense"):
        group = done[done["zone"] == zone]
        n = len(group)
        fakeouts = int((group["outcome"] == "fakeout").sum())
        follows = int((group["outcome"] == "follow-through").sum())
        fake_lo, fake_hi = wilson_interval(fakeouts, n)
        follow_lo, follow_hi = wilson_interval(follows, n)
        rows.append(
            {
                "zone": zone,
                "n": n,
                "fakeouts": fakeouts,
                "fakeout_rate": fakeouts / n if n else float("nan"),
                "fakeout_low": fake_lo,
                "fakeout_high": fake_hi,
                "follow_throughs": follows,
                "follow_rate": follows / n if n else float("nan"),
                "follow_low": follow_lo,
                "follow_high": follow_hi,
                "unresolved": n - fakeouts - follows,
            }
        )
    return pd.DataFrame(rows)


def verdict(table: pd.DataFrame, min_n: int = 5) -> str:
    """A sentence: the two failure rates with n, and whether their 95 % intervals overlap."""
    thin, dense = (table.set_index("zone").loc[z] for z in ("thin", "dense"))
    if min(thin["n"], dense["n"]) < min_n:
        return (
            f"Too few breakouts to compare (thin n = {int(thin['n'])}, dense n = {int(dense['n'])}; "
            f"need {min_n} each): no conclusion on this data."
        )
    rates = (
        f"thin-zone breakouts failed {100 * thin['fakeout_rate']:.0f} % (n = {int(thin['n'])}) "
        f"vs dense {100 * dense['fakeout_rate']:.0f} % (n = {int(dense['n'])})"
    )
    overlap = thin["fakeout_low"] <= dense["fakeout_high"] and dense["fakeout_low"] <= thin["fakeout_high"]
    if overlap:
        return f"No difference on this data: {rates}, and the 95 % intervals overlap."
    return rates[0].upper() + rates[1:] + " — the 95 % intervals do not overlap."


def scan(market: Market, heatmap: Heatmap, config: BreakoutConfig | None = None) -> BreakoutResult:
    """Find breakouts, tabulate hit rates for dense vs thin fuel, and state the verdict."""
    config = config or BreakoutConfig()
    events = find_breakouts(market, heatmap, config)
    table = hit_rates(events)
    return BreakoutResult(
        config=config,
        events=events,
        table=table,
        dense_threshold_usd=float(events.attrs["dense_threshold_usd"]),
        verdict=verdict(table, config.min_n),
    )
