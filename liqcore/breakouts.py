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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from liqcore.heatmap import Heatmap
from liqcore.indicators import atr
from liqcore.market import Market
from liqcore.stats import wilson_interval

if TYPE_CHECKING:
    from liqcore.analysis import Analysis

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
    """N (range bars), X (fuel window, % beyond the level), M (outcome bars), k (follow-through, × ATR).

    `dense_percentile`: breakouts with fuel at or above this percentile of all breakouts' fuel are "dense".
    `min_n`: fewest breakouts per group before the verdict compares the groups.
    """

    range_bars: int = 48
    fuel_pct: float = 1.0
    horizon: int = 24
    follow_atr: float = 1.0
    dense_percentile: float = 50.0
    min_n: int = 5


@dataclass(frozen=True, eq=False)
class BreakoutResult:
    """Every breakout found (`frame`, one row each), hit rates per zone (`table`), the fuel that splits dense from
    thin, and a plain verdict (the `liqcore.results.Result` shape)."""

    config: BreakoutConfig
    frame: pd.DataFrame
    table: pd.DataFrame
    dense_threshold_usd: float
    verdict: str


def _fuel(heatmap: Heatmap, columns: np.ndarray, level: np.ndarray, up: np.ndarray, fuel_pct: float) -> np.ndarray:
    """USD of each breakout side's liquidations between its level and X % beyond it (bins count pro rata).

    Vectorised over breakouts, a chunk at a time (breakouts × bins overlap weights).
    """
    edges = heatmap.price_edges
    fuel = np.zeros(len(level))
    for chunk in np.array_split(np.arange(len(level)), max(1, len(level) // 2000)):
        lvl, is_up = level[chunk, None], up[chunk, None]
        low = np.where(is_up, lvl, lvl * (1 - fuel_pct / 100))
        high = np.where(is_up, lvl * (1 + fuel_pct / 100), lvl)
        values = np.where(is_up, heatmap.short[columns[chunk]], heatmap.long[columns[chunk]])
        overlap = np.clip(np.minimum(edges[1:], high) - np.maximum(edges[:-1], low), 0, None) / np.diff(edges)
        fuel[chunk] = (values * overlap).sum(axis=1)
    return fuel


def _outcomes(
    bars: pd.DataFrame, start: np.ndarray, up: np.ndarray, level: np.ndarray, move: np.ndarray, m: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each breakout, the first of the M bars after it with a follow-through (extreme reached) or a close back
    inside; a bar with both counts as follow-through (the extreme came first).

    Returns the outcome and the bars it took; ("unresolved", M) when neither came, ("open", −1) when the data ends
    before M bars passed and nothing happened yet. Vectorised over breakouts × M bars, a chunk at a time.
    """
    high, low, close = (bars[c].to_numpy() for c in ("high", "low", "close"))
    last = len(close) - 1
    outcome = np.empty(len(start), dtype=object)
    after = np.empty(len(start), dtype=int)
    ahead = np.arange(1, m + 1)
    for chunk in np.array_split(np.arange(len(start)), max(1, len(start) * m // 200_000)):
        bar = start[chunk, None] + ahead[None, :]
        inside = bar <= last
        bar = np.minimum(bar, last)
        is_up, lvl, origin = up[chunk, None], level[chunk, None], close[start[chunk], None]
        with np.errstate(invalid="ignore"):
            follow = np.where(is_up, high[bar] >= origin + move[chunk, None], low[bar] <= origin - move[chunk, None])
            back = np.where(is_up, close[bar] <= lvl, close[bar] >= lvl)
        follow &= inside
        decided = follow | (back & inside)
        first = decided.argmax(axis=1)
        found = decided.any(axis=1)
        complete = start[chunk] + m <= last
        outcome[chunk] = np.where(
            found,
            np.where(follow[np.arange(len(chunk)), first], "follow-through", "fakeout"),
            np.where(complete, "unresolved", "open"),
        )
        after[chunk] = np.where(found, first + 1, np.where(complete, m, -1))
    return outcome, after


def find_breakouts(market: Market, heatmap: Heatmap, config: BreakoutConfig | None = None) -> pd.DataFrame:
    """One row per fresh breakout with its level, fuel, zone ("dense"/"thin") and outcome (see module docstring).

    Breakouts before the first heatmap snapshot (no map yet) are skipped; outcome "open" means the data ends before
    M bars passed. Zones are set by `config.dense_percentile` of fuel over all breakouts found. Every step is
    vectorised over the breakouts (a year of 1-minute bars has tens of thousands).
    """
    config = config or BreakoutConfig()
    bars = market.bars
    n = config.range_bars
    prior_high = bars["high"].rolling(n, min_periods=n).max().shift(1).to_numpy()
    prior_low = bars["low"].rolling(n, min_periods=n).min().shift(1).to_numpy()
    close = bars["close"].to_numpy()
    with np.errstate(invalid="ignore"):
        above = close > prior_high
        below = close < prior_low
    fresh_up = above & ~np.concatenate(([False], above[:-1]))
    fresh_down = below & ~np.concatenate(([False], below[:-1]))
    atr_values = atr(market).to_numpy()
    found = np.flatnonzero(fresh_up | fresh_down)
    found = found[bars.index[found] >= heatmap.times[0]]
    up = fresh_up[found]
    level = np.where(up, prior_high[found], prior_low[found])
    columns = np.clip(heatmap.times.searchsorted(bars.index[found], side="right") - 1, 0, len(heatmap.times) - 1)
    outcome, after = _outcomes(bars, found, up, level, config.follow_atr * atr_values[found], config.horizon)
    events = pd.DataFrame(
        {
            "time": bars.index[found],
            "bar": found.astype(int),
            "direction": np.where(up, "up", "down").astype(object),
            "level": level.astype(float),
            "close": close[found].astype(float),
            "atr": atr_values[found].astype(float),
            "fuel_usd": _fuel(heatmap, columns, level, up, config.fuel_pct),
            "zone": "",
            "outcome": outcome,
            "bars_to_outcome": after,
        },
        columns=EVENT_COLUMNS,
    )
    if len(events):
        events["zone"] = np.where(events["fuel_usd"] >= dense_threshold(events, config), "dense", "thin")
    return events


def dense_threshold(events: pd.DataFrame, config: BreakoutConfig) -> float:
    """The fuel (USD) at `config.dense_percentile` of the breakouts found: at or above it a breakout is "dense"."""
    return float(np.percentile(events["fuel_usd"], config.dense_percentile)) if len(events) else float("nan")


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


def scan(analysis: Analysis, config: BreakoutConfig | None = None) -> BreakoutResult:
    """Find the breakouts of the analysis's market on its map, tabulate hit rates for dense vs thin fuel, and state
    the verdict."""
    config = config or BreakoutConfig()
    events = find_breakouts(analysis.market, analysis.heatmap, config)
    table = hit_rates(events)
    return BreakoutResult(
        config=config,
        frame=events,
        table=table,
        dense_threshold_usd=dense_threshold(events, config),
        verdict=verdict(table, config.min_n),
    )
