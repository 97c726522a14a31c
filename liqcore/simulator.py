"""The built-in market simulator: leveraged traders, forced liquidations that walk a finite book, and the true book.

Why a simulator: a learner needs a market with no network, and the estimator needs a market whose true position
book is known, so the map can be scored against the truth.

Mechanism (nothing is painted on; `liqcore.scenarios` lists what is modelled and what is not):

- **Price.** A fundamental log-return with GARCH(1,1) volatility and Student-t shocks (fat tails, clustering), a
  scenario drift and pull toward the range, plus the net taker flow walking a finite order book
  (`liqcore.sim_depth`): opening a long or closing a short buys, the reverse sells.
- **Traders.** Each bar, a Poisson number of positions opens per side (sizes log-normal, in BTC). Leverage is drawn
  from the simulator's own heavy-tailed mix — 60 % picks from the round numbers traders like (2…125x, weighted
  toward 10–25x), 40 % a Pareto(α = 1.4) on [1.5, 125] — deliberately not the estimator's presets. Each position
  has an isolated liquidation price with Binance BTCUSDT brackets, and a planned holding time (shorter for higher
  leverage) after which it closes at market.
- **Cascades.** Inside a bar, once the pre-liquidation range is known, every long whose liquidation price the low
  reached (short: the high) is force-closed at its price; that market order walks the book and pushes the extreme
  further, which can liquidate more; repeated until none is left. A dense cluster thins the book as it goes, so it
  runs further than the same quantity spread out. Liquidations sit within the bar's final range by construction.
- **Bookkeeping.** Open interest is exact: the larger of total open long and total open short quantity (a market
  maker holds the difference), changed only by opens, closes and liquidations. Funding follows the premium
  (crowding and recent return); the long/short ratio is counted from the book.

Random draws that do not depend on the path (shocks, counts, sizes, leverage, lives) are made up front, so a bar's
work is a few vector operations on the open positions; the result is deterministic per seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from liqcore.durations import parse_duration
from liqcore.errors import DataError
from liqcore.market import Market
from liqcore.profile import Profile
from liqcore.scenarios import SCENARIO_BY_NAME, SCENARIOS, Phase, Scenario
from liqcore.sim_depth import OrderBookDepth
from liqcore.sim_positions import PositionBook

__all__ = ["SCENARIOS", "Simulation", "simulate"]

DEFAULT_START = pd.Timestamp("2026-03-02 00:00", tz="UTC")
DEFAULT_SPAN = pd.Timedelta("14D")
REFERENCE_BAR = pd.Timedelta("5min")  # rates and volatilities below are per 5-minute bar

# Price process
START_PRICE_USD, START_PRICE_SPREAD_USD = 68_000.0, 4_000.0
BAR_VOLATILITY = 0.0012  # fundamental log-return sd per 5-minute bar at the long-run level
GARCH_FLOOR, GARCH_SHOCK, GARCH_PERSISTENCE = 0.02, 0.08, 0.90  # ω (× long-run variance), α, β
VARIANCE_CAP = 100.0  # × long-run variance
SHOCK_DEGREES_OF_FREEDOM = 4  # Student-t: fat tails; scaled to unit variance by √(ν/(ν−2))
WICK_SD = 0.8  # wick length beyond the open/close, in bar volatilities

# Order book (see liqcore.sim_depth)
DEPTH_BTC_PER_PCT = 5_000.0  # BTC of resting orders per 1 % of price on each side when full
DEPTH_POOL_BTC = 5_000.0  # BTC of market orders that use up a full side down to nothing
DEPTH_FLOOR = 0.4  # a side never thins below this share (new limit orders keep arriving)
DEPTH_REFILL_HALF_LIFE_BARS = 2.0
CASCADE_KEPT_AT_CLOSE = 0.6  # share of the cascade's push still in the close (the rest reverts as the book refills)
MAX_CASCADE_ROUNDS = 100

# Traders
POSITION_MEDIAN_BTC, POSITION_SIZE_SIGMA = 12.0, 0.9  # log-normal position size
NOISE_FLOW_SHAPE, NOISE_FLOW_SCALE_BTC = 4.0, 60.0  # gamma-distributed non-leveraged taker flow per side and bar
ENTRY_RANGE = (0.25, 0.75)  # entries sit between these shares of the bar's range
HOLD_MEDIAN_BARS, HOLD_SIGMA = 400.0, 0.8  # planned holding time, log-normal, at 10x
HOLD_REFERENCE_LEVERAGE = 10.0  # holding time scales with √(10 / leverage)
ROUND_LEVERAGE = np.array([2, 3, 5, 10, 20, 25, 50, 75, 100, 125], dtype=float)
ROUND_WEIGHTS = np.array([4, 5, 10, 20, 16, 14, 12, 6, 10, 3], dtype=float)
ROUND_SHARE = 0.6  # share of traders picking a round leverage; the rest draw from the Pareto tail
PARETO_ALPHA, MIN_LEVERAGE, MAX_LEVERAGE = 1.4, 1.5, 125.0
SEED_POSITIONS_PER_SIDE = 300  # positions already open at the first bar (at 5-minute bars)
SEED_ENTRY_SPREAD = 0.01  # their entries scatter ±1 % (log sd) around the start price
SEED_HOLD_MEDIAN_BARS = 200.0

# Funding and bookkeeping
FUNDING_BASE, FUNDING_PER_CROWDING, FUNDING_PER_RETURN, FUNDING_CAP = 0.0001, 0.0008, 0.05, 0.003
_ROUND_CDF = np.cumsum(ROUND_WEIGHTS) / ROUND_WEIGHTS.sum()
_BAR_COLUMNS = (
    "open",
    "high",
    "low",
    "close",
    "volume",
    "taker_buy",
    "oi",
    "funding",
    "ls_ratio",
    "liq_long",
    "liq_short",
)


@dataclass(frozen=True, eq=False)
class Simulation:
    """A simulated market with its true positions.

    `positions` holds every position ever opened: side, qty (BTC), entry, leverage, liq (price), open_bar, end_bar
    (bar in which it was closed or liquidated; len(market) if still open) and liquidated (bool).
    """

    market: Market
    liquidations: pd.DataFrame
    positions: pd.DataFrame
    scenario: str
    seed: int
    story: str
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def guide(self) -> Scenario:
        """The scenario's lesson: what to watch, where, key moments and the simulator's mechanisms."""
        return SCENARIO_BY_NAME[self.scenario]

    def key_moments(self) -> pd.DataFrame:
        """The scenario's key moments found in these bars: label, time, bar, price (the close there), lead_bars (how
        far before it a walkthrough decision should stop)."""
        bars = self.market.bars
        n = len(bars)
        rows = []
        for moment in self.guide.moments:
            span = bars.iloc[int(moment.start * n) : max(int(moment.end * n), int(moment.start * n) + 1)]
            if moment.measure == "liq_total_usd":
                values = span["liq_long_usd"] + span["liq_short_usd"]
            else:
                values = span[moment.measure]
            time = values.idxmax()
            bar = int(bars.index.get_loc(time))
            rows.append((moment.label, time, bar, float(bars.at[time, "close"]), moment.lead_bars))
        return pd.DataFrame(rows, columns=["label", "time", "bar", "price", "lead_bars"])

    def _bar(self, at: pd.Timestamp | str | int | None) -> int:
        n = len(self.market)
        if at is None:
            return n - 1
        if isinstance(at, (int, np.integer)):
            if not -n <= at < n:
                raise DataError(f"Bar position {at} is outside this simulation of {n} bars.")
            return int(at) % n
        ts = pd.Timestamp(at)
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        return int(np.clip(self.market.bars.index.searchsorted(ts, side="right") - 1, 0, n - 1))

    def book(self, at: pd.Timestamp | str | int | None = None, price_edges: np.ndarray | None = None) -> Profile:
        """True resting long/short liquidation notional (USD at entry) per price bin at the close of bar `at`.

        `at` is a time (the bar holding it) or a bar position (negative counts from the end); default the last bar.
        Default bins: 0.1 % of the close wide over ±15 % around it (about 300 bins).
        """
        bar = self._bar(at)
        price = float(self.market.bars["close"].iloc[bar])
        if price_edges is None:
            step = price * 0.001
            price_edges = np.floor(price * 0.85 / step) * step + step * np.arange(int(0.3 / 0.001) + 2)
        pos = self.positions
        alive = (pos["open_bar"].to_numpy() <= bar) & (pos["end_bar"].to_numpy() > bar)
        sides = {}
        for side in ("long", "short"):
            mask = alive & (pos["side"].to_numpy() == side)
            notional = pos["qty"].to_numpy()[mask] * pos["entry"].to_numpy()[mask]
            sides[side] = np.histogram(pos["liq"].to_numpy()[mask], bins=price_edges, weights=notional)[0]
        return Profile(
            time=self.market.bars.index[bar], price=price, price_edges=np.asarray(price_edges, dtype=float), **sides
        )


@dataclass(frozen=True)
class _Draws:
    """Every path-independent random number of a run, drawn up front (per bar, and per position in bar order)."""

    shock: np.ndarray  # unit-variance Student-t per bar
    wick: np.ndarray  # (bars, 2) |normal| wick lengths in bar volatilities
    noise_flow: np.ndarray  # (bars, 2) non-leveraged buy and sell BTC
    first: np.ndarray  # bars + 1 offsets: positions opened in bar t are first[t]:first[t + 1]
    longs: np.ndarray  # per bar, how many of them are longs (a bar's longs come before its shorts)
    side: np.ndarray  # +1 / −1 per new position
    qty: np.ndarray
    leverage: np.ndarray
    entry_share: np.ndarray  # where in the bar's range the position is entered
    hold_bars: np.ndarray


def _draw_leverage(rng: np.random.Generator, count: int, multiplier: float | np.ndarray) -> np.ndarray:
    picks = ROUND_LEVERAGE[np.minimum(_ROUND_CDF.searchsorted(rng.uniform(size=count)), len(ROUND_LEVERAGE) - 1)]
    pareto = MIN_LEVERAGE * (1 + rng.pareto(PARETO_ALPHA, size=count))
    leverage = np.where(rng.uniform(size=count) < ROUND_SHARE, picks, pareto)
    return np.clip(leverage * multiplier, MIN_LEVERAGE, MAX_LEVERAGE)


def _hold_bars(rng: np.random.Generator, median: float, leverage: np.ndarray, rate_scale: float) -> np.ndarray:
    """Planned holding time in bars: log-normal, shorter for higher leverage, at least one bar."""
    hold = rng.lognormal(np.log(median), HOLD_SIGMA, len(leverage)) * np.sqrt(HOLD_REFERENCE_LEVERAGE / leverage)
    return np.maximum(1, hold / rate_scale).astype(np.int64)


def _bar_phases(scenario: Scenario, n: int) -> list[Phase]:
    """The phase in force at each of `n` bars, looked up once per run rather than once per bar and use."""
    return [scenario.phase_at(t / n) for t in range(n)]


def _draw_all(rng: np.random.Generator, phases: list[Phase], n: int, rate_scale: float) -> _Draws:
    shock = rng.standard_t(SHOCK_DEGREES_OF_FREEDOM, n) / np.sqrt(
        SHOCK_DEGREES_OF_FREEDOM / (SHOCK_DEGREES_OF_FREEDOM - 2)
    )
    wick = np.abs(rng.normal(0, WICK_SD, (n, 2)))
    noise_flow = rng.gamma(NOISE_FLOW_SHAPE, NOISE_FLOW_SCALE_BTC * rate_scale, (n, 2))
    rates = np.array([(p.long_rate, p.short_rate) for p in phases]) * rate_scale
    counts = rng.poisson(rates)  # (bars, 2): longs, shorts
    per_bar = counts.sum(axis=1)
    first = np.concatenate(([0], np.cumsum(per_bar)))
    side = np.concatenate([np.repeat(np.array([1, -1], dtype=np.int8), row) for row in counts])
    multiplier = np.array([(p.long_lev, p.short_lev) for p in phases])
    bar_of = np.repeat(np.arange(n), per_bar)
    mult = np.where(side > 0, multiplier[bar_of, 0], multiplier[bar_of, 1])
    total = int(first[-1])
    qty = rng.lognormal(np.log(POSITION_MEDIAN_BTC), POSITION_SIZE_SIGMA, total)
    leverage = _draw_leverage(rng, total, mult)
    entry_share = rng.uniform(*ENTRY_RANGE, total)
    hold = _hold_bars(rng, HOLD_MEDIAN_BARS, leverage, rate_scale)
    return _Draws(shock, wick, noise_flow, first, counts[:, 0].copy(), side, qty, leverage, entry_share, hold)


def _seed_positions(book: PositionBook, rng: np.random.Generator, price: float, rate_scale: float) -> None:
    """Positions already open before the first bar, so the book is not empty at the start (opened at bar 0)."""
    count = int(SEED_POSITIONS_PER_SIDE * max(rate_scale, 0.2))
    for sign in (1, -1):
        qty = rng.lognormal(np.log(POSITION_MEDIAN_BTC), POSITION_SIZE_SIGMA, count)
        lev = _draw_leverage(rng, count, 1.0)
        entry = price * np.exp(rng.normal(0, SEED_ENTRY_SPREAD, count))
        hold = _hold_bars(rng, SEED_HOLD_MEDIAN_BARS, lev, rate_scale)
        longs = count if sign > 0 else 0
        book.add(np.full(count, sign, dtype=np.int8), qty, entry, lev, 0, hold, longs, float(qty[:longs].sum()))


@dataclass
class Cascade:
    """What one bar's liquidations did: the stretched range, forced BTC and USD per side (+1 longs sold, −1 shorts
    bought) and the liquidation records (bar, side, fill price, USD arrays, one tuple per round)."""

    low: float
    high: float
    forced_btc: dict[int, float]
    forced_usd: dict[int, float]
    records: list[tuple[np.ndarray, ...]]


_highest, _lowest = np.maximum.reduce, np.minimum.reduce  # ndarray.max/min without their Python wrappers


def liquidation_cascade(positions: PositionBook, depth: OrderBookDepth, bar: int, low: float, high: float) -> Cascade:
    """Liquidate every position the range reached; each round's forced orders walk the book and stretch the range,
    which can reach more positions, until a round reaches none (or `MAX_CASCADE_ROUNDS`)."""
    result = Cascade(low, high, {1: 0.0, -1: 0.0}, {1: 0.0, -1: 0.0}, [])
    for _ in range(MAX_CASCADE_ROUNDS):
        used = positions.used
        long_liq, short_liq = positions.live_long_liq[:used], positions.live_short_liq[:used]
        if _highest(long_liq, initial=-np.inf) < result.low and _lowest(short_liq, initial=np.inf) > result.high:
            break
        reached = ((long_liq >= result.low) | (short_liq <= result.high)).nonzero()[0]
        hit, sold, bought = positions.remove(reached, bar, True)
        fill = np.clip(positions.liq[hit], result.low, result.high)  # a gapped-through price fills at the edge
        qty, side = positions.qty[hit], positions.side[hit]
        usd = qty * fill
        result.records.append((np.full(len(hit), bar), side, fill, usd))
        is_long = side > 0
        result.forced_btc[1] += sold
        result.forced_btc[-1] += bought
        result.forced_usd[1] += float(usd[is_long].sum())
        result.forced_usd[-1] += float(usd[~is_long].sum())
        result.low *= float(np.exp(depth.walk(-sold)))
        result.high *= float(np.exp(depth.walk(bought)))
    return result


class _Run:
    """The state of one simulation as it steps through the bars: positions, order book, volatility, records."""

    def __init__(self, scenario: Scenario, n: int, step: pd.Timedelta, seed: int) -> None:
        self.scenario, self.n = scenario, n
        rng = np.random.default_rng(seed)
        self.rate_scale = float(step / REFERENCE_BAR)
        self.base_var = (BAR_VOLATILITY * np.sqrt(self.rate_scale)) ** 2
        self.var = self.base_var
        self.last_return = 0.0
        self.price = START_PRICE_USD + START_PRICE_SPREAD_USD * rng.uniform(-1, 1)
        self.anchor = self.price
        self.positions = PositionBook(int(n * 8 * self.rate_scale) + 64)
        self.depth = OrderBookDepth(DEPTH_BTC_PER_PCT, DEPTH_POOL_BTC, DEPTH_FLOOR, DEPTH_REFILL_HALF_LIFE_BARS)
        _seed_positions(self.positions, rng, self.price, self.rate_scale)
        self.phases = _bar_phases(scenario, n)
        self.draws = _draw_all(rng, self.phases, n, self.rate_scale)
        self.out = {name: np.zeros(n) for name in _BAR_COLUMNS}
        self.liq_records: list[tuple[np.ndarray, ...]] = []

    def fundamental_return(self, t: int) -> float:
        """Drift, shock and pull toward the range, then the GARCH update of next bar's variance."""
        phase = self.phases[t]
        sigma = math.sqrt(self.var)
        move = sigma * (self.draws.shock[t] + phase.drift) - phase.anchor * np.log(self.price / self.anchor)
        self.var = min(
            GARCH_FLOOR * self.base_var + GARCH_SHOCK * self.last_return**2 + GARCH_PERSISTENCE * self.var,
            VARIANCE_CAP * self.base_var,
        )
        return float(move)

    def scheduled_closes(self, t: int) -> tuple[float, float]:
        """Close positions whose planned time has come; return the BTC bought (shorts) and sold (longs)."""
        book = self.positions
        _, long_qty, short_qty = book.remove((book.live_plan[: book.used] <= t).nonzero()[0], t, liquidated=False)
        return short_qty, long_qty

    def open_positions(self, t: int, low: float, high: float, long_qty: float) -> None:
        """Open the bar's new positions at prices inside its final range, each with its planned close bar."""
        d = self.draws
        sl = slice(d.first[t], d.first[t + 1])
        entry = low + (high - low) * d.entry_share[sl]
        book = self.positions
        book.add(d.side[sl], d.qty[sl], entry, d.leverage[sl], t, t + d.hold_bars[sl], int(d.longs[t]), long_qty)

    def step(self, t: int) -> None:
        """One bar: fundamental move, closes and opens walk the book, the cascade, then the bar's records."""
        d, out = self.draws, self.out
        sigma = math.sqrt(self.var)
        fundamental = self.fundamental_return(t)
        close_buy, close_sell = self.scheduled_closes(t)
        first, split = d.first[t], d.first[t] + d.longs[t]
        open_buy, open_sell = float(d.qty[first:split].sum()), float(d.qty[split : d.first[t + 1]].sum())
        buys = close_buy + open_buy + d.noise_flow[t, 0]
        sells = close_sell + open_sell + d.noise_flow[t, 1]
        open_ = self.price
        drift_end = open_ * np.exp(fundamental + self.depth.walk(buys - sells))
        high = max(open_, drift_end) * np.exp(sigma * d.wick[t, 0])
        low = min(open_, drift_end) * np.exp(-sigma * d.wick[t, 1])
        cascade = liquidation_cascade(self.positions, self.depth, t, low, high)
        self.liq_records.extend(cascade.records)
        push = np.log(cascade.high / high) - np.log(low / cascade.low)  # net stretch of the range by forced orders
        low, high, forced, forced_usd = cascade.low, cascade.high, cascade.forced_btc, cascade.forced_usd
        close = min(max(float(drift_end * np.exp(CASCADE_KEPT_AT_CLOSE * push)), low), high)  # scalar np.clip
        self.open_positions(t, low, high, open_buy)
        self.depth.refill()
        book = self.positions
        long_open, short_open = book.open_qty[1], book.open_qty[-1]
        out["open"][t], out["high"][t], out["low"][t], out["close"][t] = open_, high, low, close
        out["volume"][t] = buys + sells + forced[1] + forced[-1]
        out["taker_buy"][t] = buys + forced[-1]
        out["oi"][t] = max(long_open, short_open)
        crowding = (long_open - short_open) / max(long_open + short_open, 1e-9)
        premium = FUNDING_BASE + FUNDING_PER_CROWDING * crowding + FUNDING_PER_RETURN * (close / open_ - 1)
        out["funding"][t] = min(max(float(premium), -FUNDING_CAP), FUNDING_CAP)
        out["ls_ratio"][t] = book.open_count[1] / max(book.open_count[-1], 1)
        out["liq_long"][t], out["liq_short"][t] = forced_usd[1], forced_usd[-1]
        self.last_return = float(np.log(close / open_))
        self.price = close
        if not self.phases[t].anchor:
            self.anchor = close  # after a trend phase the range re-anchors where price went


def _bars_frame(out: dict[str, np.ndarray], index: pd.DatetimeIndex) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "open": out["open"],
            "high": out["high"],
            "low": out["low"],
            "close": out["close"],
            "volume": out["volume"],
            "quote_volume": out["volume"] * (out["high"] + out["low"] + out["close"]) / 3,
            "taker_buy_volume": out["taker_buy"],
            "open_interest": out["oi"],
            "open_interest_usd": out["oi"] * out["close"],
            "funding_rate": out["funding"],
            "long_short_ratio": out["ls_ratio"],
            "liq_long_usd": out["liq_long"],
            "liq_short_usd": out["liq_short"],
        },
        index=index,
    )


def _positions_frame(book: PositionBook, n: int) -> pd.DataFrame:
    count = book.count
    end = book.end_bar[:count].copy()
    end[book.open_idx] = n
    return pd.DataFrame(
        {
            "side": np.where(book.side[:count] > 0, "long", "short"),
            "qty": book.qty[:count],
            "entry": book.entry[:count],
            "leverage": book.lev[:count],
            "liq": book.liq[:count],
            "open_bar": book.open_bar[:count],
            "end_bar": end,
            "liquidated": book.liquidated[:count],
        }
    )


def _liquidations_frame(records: list[tuple[np.ndarray, ...]], index: pd.DatetimeIndex) -> pd.DataFrame:
    if records:
        bar, side, price, usd = (np.concatenate(parts) for parts in zip(*records, strict=True))
    else:
        bar, side, price, usd = (np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), np.zeros(0))
    return pd.DataFrame(
        {"time": index[bar], "side": np.where(side > 0, "long", "short"), "price": price, "notional_usd": usd}
    )


def simulate(
    scenario: str = "range",
    seed: int = 0,
    bars: int | None = None,
    interval: str = "5m",
    symbol: str = "SIM-BTCUSDT",
) -> Simulation:
    """Simulate a leveraged futures market (see the module docstring); deterministic per seed.

    Parameters
    ----------
    scenario
        One of `SCENARIOS`: "range", "short_squeeze", "long_cascade", "fakeout".
    seed
        Random seed; the same seed gives the same market.
    bars
        Number of bars (default: two weeks of bars at `interval`).
    interval
        Bar length as text, e.g. "5m", "15m", "1h".
    """
    if scenario not in SCENARIO_BY_NAME:
        raise DataError(f"Unknown scenario {scenario!r}. Choose one of: {', '.join(SCENARIOS)}.")
    step = parse_duration(interval)
    n = bars if bars is not None else int(DEFAULT_SPAN / step)
    if n < 10:
        raise DataError("The simulator needs at least 10 bars.")
    guide = SCENARIO_BY_NAME[scenario]
    run = _Run(guide, n, step, seed)
    for t in range(n):
        run.step(t)
    index = pd.date_range(DEFAULT_START, periods=n, freq=step)
    market = Market(
        _bars_frame(run.out, index),
        symbol,
        step,
        f"Simulator · {scenario.replace('_', ' ')} · seed {seed}",
        ("Simulated market: every number comes from the built-in agent simulator, not an exchange.",),
    )
    return Simulation(
        market,
        _liquidations_frame(run.liq_records, index),
        _positions_frame(run.positions, n),
        scenario,
        seed,
        guide.story,
    )
