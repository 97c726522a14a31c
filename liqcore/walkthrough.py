"""The numbers behind the trade walkthrough: one decision point, and what the map said there.

The walkthrough stops the data at a decision point — the bar the learner chose, or by default a real breakout whose
outcome is known (the one nearest to `share` of the way through the data) — so later bars exist to replay. At that
bar it reads, using only what was known then: the side profile and its biggest clusters, the latest breakout, the
sentiment balance, the volatility forecast (expected move), and a starting stop and leverage (`suggest_risk`): the
stop as wide as the expected move, pushed beyond a same-side cluster it would sit in, and a leverage whose
liquidation sits beyond the stop by a margin that grows with the volatility regime, never above
`MAX_SUGGESTED_LEVERAGE`. The bars after the decision point are kept apart for the reveal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from liqcore.brackets import small_position_bracket
from liqcore.breakouts import BreakoutConfig, BreakoutResult, scan
from liqcore.heatmap import Heatmap
from liqcore.indicators import atr
from liqcore.market import Market
from liqcore.plan import TradePlan, replay, suggest_plan
from liqcore.profile import Profile, find_clusters
from liqcore.sentiment import SentimentConfig, balance_series
from liqcore.volatility import VolatilityConfig, forecast

if TYPE_CHECKING:
    from liqcore.analysis import Analysis


@dataclass(frozen=True)
class LessonConfig:
    """Where the lesson stops, what it reads there, and its starting plan's target; the page quotes these numbers.

    `share`: without a chosen bar, the decision is the resolved breakout nearest this share of the data;
    `before` / `after`: bars shown before the decision and kept for the replay; `breakouts`, `sentiment`,
    `volatility`: the settings of the analyses read at the decision; `reward_risk`: the starting target's distance
    in units of the stop distance.
    """

    share: float = 0.7
    before: int = 144
    after: int = 96
    breakouts: BreakoutConfig = field(default_factory=BreakoutConfig)
    sentiment: SentimentConfig = field(default_factory=SentimentConfig)
    volatility: VolatilityConfig = field(default_factory=lambda: VolatilityConfig(horizon=12))
    reward_risk: float = 2.0


@dataclass(frozen=True, eq=False)
class Lesson:
    """What the map and the analytics said at the decision bar, and the bars before and after it.

    `breakout` is the chosen breakout's row (time, direction, level, close, fuel_usd, zone, outcome,
    bars_to_outcome) or None; `long_cluster` / `short_cluster` the biggest long cluster below price and short cluster
    above (rows of `find_clusters`, preferring those within 5 % of price) or None; `balance` the sentiment row
    (above_usd, below_usd, balance, label) of the snapshot in force; `move_usd` / `move_pct` the ± expected move over
    `horizon` bars and `move_source` how it was obtained. `breakouts` is the scan of the whole data the breakout was
    picked from (its config and verdict are what the page quotes). `frame` is the bars shown before the decision,
    `table` the readings at it and `verdict` one sentence of them (the `liqcore.results.Result` shape).
    """

    config: LessonConfig
    bar: int
    time: pd.Timestamp
    price: float
    profile: Profile
    long_cluster: pd.Series | None
    short_cluster: pd.Series | None
    breakout: pd.Series | None
    breakouts: BreakoutResult
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
    risk_reasons: tuple[str, ...]
    before: pd.DataFrame
    after: pd.DataFrame

    @property
    def frame(self) -> pd.DataFrame:
        """The bars before the decision point (the bars after it are `after`, kept for the replay)."""
        return self.before

    @property
    def table(self) -> pd.DataFrame:
        """What the analytics read at the decision point, one row per reading."""
        rows = [
            ("price", self.price, "USD"),
            ("sentiment balance", float(self.balance["balance"]), str(self.balance["label"])),
            ("expected move", self.move_usd, f"USD over {self.horizon} bars ({self.move_source})"),
            ("ATR(14)", self.atr, "USD"),
            ("suggested leverage", self.leverage, "×"),
            ("stop distance", self.stop_distance, "USD"),
        ]
        return pd.DataFrame(rows, columns=["reading", "value", "unit"])

    @property
    def verdict(self) -> str:
        """The decision point in one sentence."""
        return (
            f"At {self.time:%Y-%m-%d %H:%M} UTC the map read {self.balance['label']}, the expected move was "
            f"± {self.move_usd:,.0f} USD ({self.regime}) and a {self.side} starts at {self.leverage:g}× with its stop "
            f"{self.stop_distance:,.0f} USD away (an estimate, not advice)."
        )


def _biggest(clusters: pd.DataFrame, side: str, price: float, reach_pct: float = 5.0) -> pd.Series | None:
    """The biggest cluster of `side` on its side of the decision bar's price (the profile's snapshot may be a little
    older, and clusters sit close to price), preferring those within `reach_pct` %."""
    below = clusters["peak_price"] < price
    rows = clusters[(clusters["side"] == side) & (below == (side == "long"))]
    near = rows[rows["distance_pct"].abs() <= reach_pct]
    rows = near if len(near) else rows
    return None if rows.empty else rows.iloc[rows["notional_usd"].argmax()]


def _pick_breakout(events: pd.DataFrame, target_bar: int, last_bar: int, after: int) -> pd.Series | None:
    done = events[events["outcome"].isin(["follow-through", "fakeout"]) & (events["bar"] + after // 4 <= last_bar)]
    if done.empty:
        return None
    return done.iloc[(done["bar"] - target_bar).abs().argmin()]


LIQUIDATION_BUFFER = {"calm": 1.5, "elevated": 2.0, "high": 3.0}  # liquidation ≥ this × the stop distance away
UNKNOWN_REGIME_BUFFER = 2.0
STOP_ATR_FLOOR = 1.5  # a stop closer than 1.5 × ATR is inside ordinary noise
CLUSTER_CLEARANCE_ATR = 0.25  # how far beyond a cluster's far edge the stop goes
MAX_STOP_WIDENING = 3.0  # never widen the stop past this × the volatility stop to clear a cluster
MAX_SUGGESTED_LEVERAGE = 20.0  # a learner's starting leverage never exceeds this, however calm the market
ROUND_TRIP_TAKER_FEE = 0.001  # entry and exit at market, 0.05 % each (Binance USDⓈ-M regular tier)


@dataclass(frozen=True)
class RiskSuggestion:
    """A starting stop distance (USD) and leverage, the liquidation buffer used, and why, in words."""

    stop_distance: float
    leverage: float
    liquidation_buffer: float
    reasons: tuple[str, ...]


def leverage_for_buffer(stop_pct: float, buffer: float, symbol: str) -> float:
    """Whole leverage whose isolated liquidation sits about `buffer` × the stop distance away (first bracket),
    never above the symbol's own maximum. A linear position is liquidated about 1/L − mmr from entry, so
    L ≤ 1 / (buffer · stop + mmr)."""
    bracket = small_position_bracket(symbol)
    return float(min(bracket.max_leverage, max(1, math.floor(1 / (buffer * stop_pct / 100 + bracket.mmr)))))


def suggest_risk(
    price: float, side: str, move_usd: float, atr_usd: float, profile: Profile, regime: str, symbol: str
) -> RiskSuggestion:
    """Stop width from the volatility reading and the map, leverage from the stop and the regime.

    The stop starts at the larger of the expected move and 1.5 × ATR. If that level sits inside (or just in front
    of) a big cluster of the trade's own side — where a sweep would take it — it moves beyond the cluster's far edge,
    unless that would more than triple it. The liquidation must then sit `LIQUIDATION_BUFFER[regime]` × the stop
    distance away: faster markets need more room between the stop and the exchange's own exit. In a calm market with
    a tight stop that alone would allow 40× or more, so the suggestion is capped at `MAX_SUGGESTED_LEVERAGE`: the
    volatility reading is itself an estimate, a gap through the stop (a stop fills at market, and the map's own
    cascades are such gaps) reaches a close liquidation, and fees grow with leverage as a share of the margin.
    """
    sign = 1 if side == "long" else -1
    base = max(move_usd, STOP_ATR_FLOOR * atr_usd)
    reasons = [f"Volatility: the expected move and {STOP_ATR_FLOOR:g} × ATR put the stop {base:,.0f} USD away."]
    stop_distance = base
    clusters = find_clusters(profile)
    own = clusters[(clusters["side"] == side) & (sign * (price - clusters["peak_price"]) > 0)]
    if len(own):
        own = own[own["notional_usd"] >= 0.25 * own["notional_usd"].max()]
    stop = price - sign * base
    for row in own.sort_values("distance_pct", key=abs).itertuples():
        near_edge, far_edge = (row.price_high, row.price_low) if side == "long" else (row.price_low, row.price_high)
        in_front = sign * (stop - near_edge) <= CLUSTER_CLEARANCE_ATR * atr_usd
        inside_or_past = sign * (stop - far_edge) > 0
        if in_front and inside_or_past:
            wider = abs(price - far_edge) + CLUSTER_CLEARANCE_ATR * atr_usd
            if wider <= MAX_STOP_WIDENING * base:
                stop_distance = wider
                reasons.append(
                    f"Map: that stop would sit in the {side} cluster {row.price_low:,.0f}–{row.price_high:,.0f} USD, "
                    f"where a sweep would take it; moved beyond it, {wider:,.0f} USD away."
                )
            else:
                reasons.append(
                    f"Map: the {side} cluster {row.price_low:,.0f}–{row.price_high:,.0f} USD is in the way, but a "
                    "stop beyond it would be more than three times the volatility stop; kept the volatility stop "
                    "(expect a sweep to reach it)."
                )
            break
    buffer = LIQUIDATION_BUFFER.get(regime, UNKNOWN_REGIME_BUFFER)
    allowed = leverage_for_buffer(100 * stop_distance / price, buffer, symbol)
    regime_words = f"the {regime} volatility regime" if regime in LIQUIDATION_BUFFER else "an unknown regime"
    leverage = min(allowed, MAX_SUGGESTED_LEVERAGE)
    cap = (
        f"; capped at {leverage:g}×, because the volatility reading is itself an estimate, a gap through the stop "
        "(stops fill at market, and a cascade is such a gap) reaches a liquidation this close and loses the whole "
        f"margin, and at {leverage:g}× a round trip's taker fees (about {100 * ROUND_TRIP_TAKER_FEE:g} % of the "
        f"position) already cost {100 * ROUND_TRIP_TAKER_FEE * leverage:g} % of the margin."
        if leverage < allowed
        else "."
    )
    reasons.append(
        f"Leverage: in {regime_words} the liquidation should sit at least {buffer:g} × the stop distance away, "
        f"which allows at most {allowed:g}×{cap}"
    )
    return RiskSuggestion(float(stop_distance), leverage, buffer, tuple(reasons))


def decision_range(market: Market, heatmap: Heatmap, after: int = 96) -> tuple[int, int]:
    """First and last bar a decision can be made at: the map exists, and a quarter of `after` bars follow."""
    first = int(market.bars.index.searchsorted(heatmap.times[0]))
    last = len(market) - 1 - max(1, after // 4)
    return first, max(first, last)


def _latest_breakout(events: pd.DataFrame, bar: int, before: int) -> pd.Series | None:
    """The latest breakout within the `before` bars shown whose outcome was known by `bar`, so the quiz's reveal
    never shows a bar after the learner's decision."""
    resolved = events["outcome"].isin(["follow-through", "fakeout"])
    known = events["bar"] + events["bars_to_outcome"] <= bar
    seen = events[resolved & known & events["bar"].between(bar - before + 1, bar)]
    return None if seen.empty else seen.iloc[-1]


def build_lesson(analysis: Analysis, config: LessonConfig | None = None, at: int | None = None) -> Lesson:
    """Choose the decision point and read every analytic there (see the module docstring).

    `at` is the bar the learner chose (clamped to `decision_range`); the breakout is then the latest one resolved
    by it. Without `at`, the decision is the resolved breakout nearest to `config.share` of the way through.
    """
    config = config or LessonConfig()
    market, heatmap = analysis.market, analysis.heatmap
    before, after, horizon = config.before, config.after, config.volatility.horizon
    bars = market.bars
    last = len(bars) - 1
    first_bar, last_bar = decision_range(market, heatmap, after)
    breakouts = scan(analysis, config.breakouts)
    events = breakouts.frame
    if at is None:
        target_bar = max(first_bar, int(config.share * last))
        breakout = _pick_breakout(events, target_bar, last, after)
        bar = int(breakout["bar"]) if breakout is not None else min(target_bar, last)
    else:
        bar = int(min(max(at, first_bar), last_bar))
        breakout = _latest_breakout(events, bar, before)
    time = bars.index[bar]
    price = float(bars["close"].iloc[bar])
    profile = heatmap.profile(time)
    clusters = find_clusters(profile)
    series = balance_series(heatmap, market, config.sentiment)
    balance = series.iloc[heatmap.column_at(time)]
    atr_now = float(atr(market).iloc[bar])
    result = forecast(analysis, config.volatility)
    known = replace(result, frame=result.frame.loc[:time])
    move_usd, move_pct = known.expected_move(price)
    regime = str(known.frame["regime"].iloc[-1]) if len(known.frame) else ""
    source = "volatility forecast (history + map pressure)"
    if not math.isfinite(move_usd):
        move_usd = atr_now * math.sqrt(horizon)
        move_pct = 100 * move_usd / price
        source = f"ATR(14) × √{horizon} (too little history for the forecast)"
    if breakout is not None and at is None:
        side = "long" if breakout["direction"] == "up" else "short"
    else:
        side = "long" if balance["balance"] >= 0 else "short"
    risk = suggest_risk(price, side, float(move_usd), atr_now, profile, regime, market.symbol)
    return Lesson(
        config=config,
        bar=bar,
        time=time,
        price=price,
        profile=profile,
        long_cluster=_biggest(clusters, "long", price),
        short_cluster=_biggest(clusters, "short", price),
        breakout=breakout,
        breakouts=breakouts,
        balance=balance,
        atr=atr_now,
        horizon=horizon,
        move_usd=float(move_usd),
        move_pct=float(move_pct),
        move_source=source,
        regime=regime or "not known yet",
        side=side,
        stop_distance=risk.stop_distance,
        leverage=risk.leverage,
        risk_reasons=risk.reasons,
        before=bars.iloc[max(0, bar - before + 1) : bar + 1][["open", "high", "low", "close"]],
        after=bars.iloc[bar + 1 : bar + 1 + after][["open", "high", "low", "close"]],
    )


CHOICES = ("long", "short", "wait")
CLEAR_WIN_R = 0.5  # a trade beats waiting only when its suggested plan made at least half its risk


@dataclass(frozen=True)
class DecisionScore:
    """The enter-or-wait answer against what happened next: the suggested long and short plans replayed on the
    bars after the decision, the best answer in hindsight ("long" | "short" | "wait") and a sentence saying why."""

    choice: str
    best: str
    long_result: object
    short_result: object
    correct: bool
    explanation: str


def starting_plan(lesson: Lesson, side: str, symbol: str) -> TradePlan:
    """The walkthrough's suggested plan on `side`: the lesson's stop distance and leverage, target at the config's R."""
    plan = suggest_plan(lesson.price, side, lesson.stop_distance, lesson.config.reward_risk, lesson.leverage)
    return replace(plan, symbol=symbol)


def score_decision(lesson: Lesson, choice: str, symbol: str) -> DecisionScore:
    """Score "long", "short" or "wait" by replaying both suggested plans on the bars after the decision.

    Waiting is the best answer unless one side's plan made at least `CLEAR_WIN_R` R (then that side is best);
    when both did, the larger result wins.
    """
    if choice not in CHOICES:
        raise ValueError(f"choice must be one of {', '.join(CHOICES)}, not {choice!r}")
    results = {side: replay(starting_plan(lesson, side, symbol), lesson.after) for side in ("long", "short")}
    winners = {side: r.r_multiple for side, r in results.items() if r.r_multiple >= CLEAR_WIN_R}
    best = max(winners, key=winners.get) if winners else "wait"
    said = {side: f"a {side} would have ended at {r.r_multiple:+.1f} R ({r.exit})" for side, r in results.items()}
    if best == "wait":
        why = f"Neither side paid: {said['long']}, {said['short']} — waiting kept the money."
    else:
        why = f"The {best} side paid: {said['long']}, {said['short']}."
    return DecisionScore(choice, best, results["long"], results["short"], choice == best, why)


MAP_PRICE_MARGIN = 0.02  # the crop shows 2 % beyond the candles' range on each side


def lesson_map(
    lesson: Lesson, heatmap: Heatmap, market: Market, end: pd.Timestamp | None = None
) -> tuple[Heatmap, pd.DataFrame]:
    """The map cropped to the lesson's bars up to `end` (default: the decision bar) and its price range, with the
    candles of those bars (time, open, high, low, close, t1, up).

    Nothing after `end` is drawn, so before a reveal the map's later columns cannot give the future away.
    """
    end = lesson.time if end is None else pd.Timestamp(end)
    shown = pd.concat([lesson.before, lesson.after]).loc[:end]
    start = shown.index[0]
    low = float(shown["low"].min()) * (1 - MAP_PRICE_MARGIN)
    high = float(shown["high"].max()) * (1 + MAP_PRICE_MARGIN)
    keep = (heatmap.times >= start) & (heatmap.times <= end)
    if not keep.any():
        keep[heatmap.column_at(end)] = True
    edges = heatmap.price_edges
    lo_bin = max(0, int(edges.searchsorted(low)) - 1)
    hi_bin = min(len(edges) - 1, int(edges.searchsorted(high)) + 1)
    bins = slice(lo_bin, hi_bin)
    tiers = {
        name: (None if arr is None else arr[:, keep][:, :, bins])
        for name, arr in (("long_by_tier", heatmap.long_by_tier), ("short_by_tier", heatmap.short_by_tier))
    }
    crop = replace(
        heatmap,
        times=heatmap.times[keep],
        price_edges=edges[lo_bin : hi_bin + 1],
        long=heatmap.long[keep][:, bins],
        short=heatmap.short[keep][:, bins],
        close=heatmap.close[keep],
        implied=heatmap.implied.loc[start:end],
        **tiers,
    )
    frame = market.bars.loc[start:end, ["open", "high", "low", "close"]].reset_index(names="time")
    frame["t1"] = frame["time"] + market.interval
    frame["up"] = frame["close"] >= frame["open"]
    return crop, frame
