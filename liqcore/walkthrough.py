"""The numbers behind the trade walkthrough: one decision point, and what the map said there.

The walkthrough stops the data at a decision point — a real breakout whose outcome is known (the one nearest to
`share` of the way through the data), or the bar at `share` when there is none — so later bars exist to replay. At
that bar it reads, using only what was known then: the side profile and its biggest clusters, the sentiment
balance, the volatility forecast (expected move), and a starting plan with a leverage whose liquidation sits well
beyond the stop. The bars after the decision point are kept apart for the reveal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from liqcore.brackets import table_for_symbol
from liqcore.breakouts import BreakoutConfig, find_breakouts
from liqcore.heatmap import Heatmap
from liqcore.indicators import atr
from liqcore.market import Market
from liqcore.profile import Profile, find_clusters
from liqcore.sentiment import SentimentConfig, balance_series
from liqcore.volatility import VolatilityConfig, forecast


@dataclass(frozen=True, eq=False)
class Lesson:
    """What the map and the analytics said at the decision bar, and the bars before and after it.

    `breakout` is the chosen breakout's row (time, direction, level, close, fuel_usd, zone, outcome,
    bars_to_outcome) or None; `long_cluster` / `short_cluster` the biggest long cluster below price and short cluster
    above (rows of `find_clusters`, preferring those within 5 % of price) or None; `balance` the sentiment row
    (above_usd, below_usd, balance, label) of the snapshot in force; `move_usd` / `move_pct` the ± expected move over
    `horizon` bars and `move_source` how it was obtained.
    """

    bar: int
    time: pd.Timestamp
    price: float
    profile: Profile
    long_cluster: pd.Series | None
    short_cluster: pd.Series | None
    breakout: pd.Series | None
    dense_threshold_usd: float
    breakouts_found: int
    balance: pd.Series
    atr: float
    horizon: int
    move_usd: float
    move_pct: float
    move_source: str
    regime: str
    side: str
    stop_distance: float
    leverage: float
    before: pd.DataFrame
    after: pd.DataFrame


def _biggest(clusters: pd.DataFrame, side: str, reach_pct: float = 5.0) -> pd.Series | None:
    """The biggest cluster of `side` on its side of price, preferring those within `reach_pct` %."""
    rows = clusters[(clusters["side"] == side) & ((clusters["distance_pct"] < 0) == (side == "long"))]
    near = rows[rows["distance_pct"].abs() <= reach_pct]
    rows = near if len(near) else rows
    return None if rows.empty else rows.iloc[rows["notional_usd"].argmax()]


def _pick_breakout(events: pd.DataFrame, target_bar: int, last_bar: int, after: int) -> pd.Series | None:
    done = events[events["outcome"].isin(["follow-through", "fakeout"]) & (events["bar"] + after // 4 <= last_bar)]
    if done.empty:
        return None
    return done.iloc[(done["bar"] - target_bar).abs().argmin()]


def safe_leverage(stop_pct: float, symbol: str, buffer: float = 2.0, cap: float = 10.0) -> float:
    """Whole leverage whose isolated liquidation sits about `buffer` × the stop distance away (first bracket).

    A linear position is liquidated about 1/L − mmr from entry, so L ≤ 1 / (buffer · stop + mmr).
    """
    mmr = table_for_symbol(symbol).brackets[0].mmr
    return float(min(cap, max(1, math.floor(1 / (buffer * stop_pct / 100 + mmr)))))


def build_lesson(
    market: Market,
    heatmap: Heatmap,
    share: float = 0.7,
    before: int = 144,
    after: int = 96,
    breakout_config: BreakoutConfig | None = None,
    horizon: int = 12,
) -> Lesson:
    """Choose the decision point and read every analytic there (see the module docstring)."""
    bars = market.bars
    last = len(bars) - 1
    first_bar = int(bars.index.searchsorted(heatmap.times[0]))
    target_bar = max(first_bar, int(share * last))
    events = find_breakouts(market, heatmap, breakout_config or BreakoutConfig())
    breakout = _pick_breakout(events, target_bar, last, after)
    bar = int(breakout["bar"]) if breakout is not None else min(target_bar, last)
    time = bars.index[bar]
    price = float(bars["close"].iloc[bar])
    profile = heatmap.profile(time)
    clusters = find_clusters(profile)
    series = balance_series(heatmap, market, SentimentConfig())
    balance = series.iloc[heatmap.column_at(time)]
    atr_now = float(atr(market).iloc[bar])
    result = forecast(heatmap, market, VolatilityConfig(horizon=horizon))
    known = replace(result, frame=result.frame.loc[:time])
    move_usd, move_pct = known.expected_move(price)
    regime = str(known.frame["regime"].iloc[-1]) if len(known.frame) else ""
    source = "volatility forecast (history + map pressure)"
    if not math.isfinite(move_usd):
        move_usd = atr_now * math.sqrt(horizon)
        move_pct = 100 * move_usd / price
        source = f"ATR(14) × √{horizon} (too little history for the forecast)"
    if breakout is not None:
        side = "long" if breakout["direction"] == "up" else "short"
    else:
        side = "long" if balance["balance"] >= 0 else "short"
    stop_distance = max(move_usd, 1.5 * atr_now)
    return Lesson(
        bar=bar,
        time=time,
        price=price,
        profile=profile,
        long_cluster=_biggest(clusters, "long"),
        short_cluster=_biggest(clusters, "short"),
        breakout=breakout,
        dense_threshold_usd=float(events.attrs.get("dense_threshold_usd", float("nan"))),
        breakouts_found=len(events),
        balance=balance,
        atr=atr_now,
        horizon=horizon,
        move_usd=float(move_usd),
        move_pct=float(move_pct),
        move_source=source,
        regime=regime or "not known yet",
        side=side,
        stop_distance=float(stop_distance),
        leverage=safe_leverage(100 * stop_distance / price, market.symbol),
        before=bars.iloc[max(0, bar - before + 1) : bar + 1][["open", "high", "low", "close"]],
        after=bars.iloc[bar + 1 : bar + 1 + after][["open", "high", "low", "close"]],
    )
