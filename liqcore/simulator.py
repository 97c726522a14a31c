"""The built-in market simulator: leveraged traders, forced liquidations that move price, and a known true book.

Why a simulator: a learner needs a market with no network, and the estimator needs a market whose true position
book is known, so the map can be scored against the truth.

Mechanism (nothing is painted on):

- **Price.** A fundamental log-return with GARCH(1,1) volatility and Student-t shocks (fat tails, clustering), a
  scenario drift, plus the impact of net taker flow: opening a long or closing a short buys, the reverse sells.
- **Traders.** Each bar, a Poisson number of position cohorts opens per side (sizes log-normal, in BTC). Leverage
  is drawn from the simulator's own heavy-tailed mix — 60 % picks from the round numbers traders like (2…125x, weighted
  toward 10–25x), 40 % a Pareto(α = 1.4) on [1.5, 125] — deliberately not the estimator's presets. Each position
  has an isolated liquidation price from `liqcore.margin` with Binance BTCUSDT brackets, and a planned holding time
  (shorter for higher leverage) after which it closes at market.
- **Cascades.** Inside a bar, once the pre-liquidation range is known, every long whose liquidation price the low
  reached (short: the high) is force-closed at its price; that market order pushes the extreme further, which can
  liquidate more; repeated until none is left. Liquidations sit within the bar's final range by construction.
- **Bookkeeping.** Open interest is exact: the larger of total open long and total open short quantity (a market
  maker holds the difference), changed only by opens, closes and liquidations. Funding follows the premium
  (crowding and recent return); the long/short ratio is counted from the book.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from liqcore.brackets import BINANCE_BTCUSDT
from liqcore.errors import DataError
from liqcore.margin import liquidation_price
from liqcore.market import Market
from liqcore.profile import Profile

SCENARIOS: tuple[str, ...] = ("range", "short_squeeze", "long_cascade", "fakeout")
DEFAULT_START = pd.Timestamp("2026-03-02 00:00", tz="UTC")
ROUND_LEVERAGE = np.array([2, 3, 5, 10, 20, 25, 50, 75, 100, 125], dtype=float)
ROUND_WEIGHTS = np.array([4, 5, 10, 20, 16, 14, 12, 6, 10, 3], dtype=float)

STORIES = {
    "range": (
        "Price wanders inside a range while traders open longs and shorts on both sides. Watch bands of long "
        "liquidations build under price and short liquidations over it, and get eaten at the edges of the range."
    ),
    "short_squeeze": (
        "Shorts pile in with high leverage while price drifts sideways, so a bright band of short liquidations "
        "stacks just above price. Watch what happens when a push reaches it: forced buying liquidates the next "
        "layer, and price runs through the whole cluster."
    ),
    "long_cascade": (
        "Longs crowd in with high leverage during a calm stretch, stacking long liquidations just below price. "
        "Watch a drop reach the band: forced selling triggers the next layer, and the cascade runs through it."
    ),
    "fakeout": (
        "Two breakouts. The first pokes above the range into a thin zone with few shorts to squeeze, and snaps "
        "back. The second breaks down into a dense cluster of long liquidations, and the forced selling carries it."
    ),
}


@dataclass(frozen=True)
class _Phase:
    """Scenario behaviour from `start` (share of the series) on."""

    start: float
    drift: float = 0.0  # fundamental drift per bar, in units of the bar volatility
    long_rate: float = 3.0  # mean long cohorts opened per bar
    short_rate: float = 3.0
    long_lev: float = 1.0  # multiplier on drawn leverage (capped at 125x)
    short_lev: float = 1.0
    anchor: float = 0.02  # pull of price toward the anchor level (mean reversion per bar)


_SCENARIO_PHASES: dict[str, tuple[_Phase, ...]] = {
    "range": (_Phase(0.0, anchor=0.03),),
    "short_squeeze": (
        _Phase(0.0, anchor=0.03),
        _Phase(0.2, drift=-0.02, long_rate=2.0, short_rate=5.5, short_lev=1.8, anchor=0.03),
        _Phase(0.7, drift=0.12, long_rate=3.0, short_rate=1.5, anchor=0.0),
        _Phase(0.76, drift=0.0, anchor=0.01),
    ),
    "long_cascade": (
        _Phase(0.0, anchor=0.03),
        _Phase(0.2, drift=0.02, long_rate=5.5, short_rate=2.0, long_lev=1.8, anchor=0.03),
        _Phase(0.7, drift=-0.12, long_rate=1.5, short_rate=3.0, anchor=0.0),
        _Phase(0.76, drift=0.0, anchor=0.01),
    ),
    "fakeout": (
        _Phase(0.0, anchor=0.04, short_lev=0.5),
        _Phase(0.25, anchor=0.04, long_rate=5.0, long_lev=1.7, short_rate=2.0, short_lev=0.4),
        _Phase(0.55, drift=0.3, anchor=0.002, short_rate=1.0, short_lev=0.4),
        _Phase(0.58, drift=-0.2, anchor=0.04, long_rate=1.0),
        _Phase(0.61, anchor=0.05, long_rate=5.0, long_lev=1.7, short_lev=0.4),
        _Phase(0.8, drift=-0.12, anchor=0.0, long_rate=1.0),
        _Phase(0.86, anchor=0.01),
    ),
}


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


def _phase_at(phases: tuple[_Phase, ...], share: float) -> _Phase:
    current = phases[0]
    for phase in phases:
        if share >= phase.start:
            current = phase
    return current


_ROUND_CDF = np.cumsum(ROUND_WEIGHTS) / ROUND_WEIGHTS.sum()


_CAPS = np.array([b.notional_cap for b in BINANCE_BTCUSDT.brackets])
_MMR = np.array([b.mmr for b in BINANCE_BTCUSDT.brackets])
_AMOUNT = np.array([b.maint_amount for b in BINANCE_BTCUSDT.brackets])
_MAX_LEVERAGE = np.array([b.max_leverage for b in BINANCE_BTCUSDT.brackets], dtype=float)


def _draw_leverage(rng: np.random.Generator, count: int, multiplier: float) -> np.ndarray:
    picks = ROUND_LEVERAGE[np.minimum(_ROUND_CDF.searchsorted(rng.uniform(size=count)), len(ROUND_LEVERAGE) - 1)]
    pareto = 1.5 * (1 + rng.pareto(1.4, size=count))
    leverage = np.where(rng.uniform(size=count) < 0.6, picks, pareto)
    return np.minimum(np.maximum(leverage * multiplier, 1.5), 125.0)


def _liq_prices(side: str, entry: np.ndarray, leverage: np.ndarray, qty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Leverage allowed and isolated liquidation price, with each position's own Binance BTCUSDT bracket.

    A large position cannot use more leverage than its bracket allows (e.g. 20x above 12M USD); without that cap
    its liquidation price would sit beyond its entry.
    """
    index = np.minimum(_CAPS.searchsorted(qty * entry, side="left"), len(_CAPS) - 1)
    leverage = np.minimum(leverage, _MAX_LEVERAGE[index])
    return leverage, np.asarray(liquidation_price(entry, leverage, side, _MMR[index], _AMOUNT[index], qty))


class _Book:
    """Growing arrays of every position ever opened, plus compact copies of the open ones for the per-bar checks.

    The first `used` slots of the `live_*` buffers hold positions in opening order: their index into the full
    arrays, side, quantity, liquidation price (as a long trigger and a short trigger, the other side at ∓inf) and
    planned close bar. Each bar's checks read these short contiguous arrays instead of gathering from the full
    history. A closed slot is disarmed (triggers at ∓inf, no planned close) and the buffers are compacted once
    closed slots outnumber open ones, so a close costs a few scalar writes.
    """

    _FIELDS = ("side", "qty", "entry", "lev", "liq", "open_bar", "plan_close", "end_bar", "liquidated")
    _LIVE = ("live_idx", "live_side", "live_qty", "live_long_liq", "live_short_liq", "live_plan", "live_open")
    _NEVER = np.iinfo(np.int64).max

    def __init__(self, capacity: int) -> None:
        self.side = np.zeros(capacity, dtype=np.int8)  # +1 long, -1 short
        self.qty = np.zeros(capacity)
        self.entry = np.zeros(capacity)
        self.lev = np.zeros(capacity)
        self.liq = np.zeros(capacity)
        self.open_bar = np.zeros(capacity, dtype=np.int64)
        self.plan_close = np.zeros(capacity, dtype=np.int64)
        self.end_bar = np.zeros(capacity, dtype=np.int64)
        self.liquidated = np.zeros(capacity, dtype=bool)
        self.count = 0
        self.used = 0
        self.live_idx = np.zeros(1024, dtype=np.int64)
        self.live_side = np.zeros(1024, dtype=np.int8)
        self.live_qty = np.zeros(1024)
        self.live_long_liq = np.zeros(1024)  # liquidation price of open longs, -inf for shorts and closed slots
        self.live_short_liq = np.zeros(1024)  # liquidation price of open shorts, +inf for longs and closed slots
        self.live_plan = np.zeros(1024, dtype=np.int64)
        self.live_open = np.zeros(1024, dtype=bool)
        self.open_total = {1: 0.0, -1: 0.0}  # open quantity per side
        self.open_count = {1: 0, -1: 0}  # number of open positions per side

    @property
    def open_idx(self) -> np.ndarray:
        return self.live_idx[: self.used][self.live_open[: self.used]]

    def view(self, name: str) -> np.ndarray:
        """The used slots of one `live_*` buffer."""
        return getattr(self, name)[: self.used]

    def add(self, side: int, qty: np.ndarray, entry: np.ndarray, lev: np.ndarray, bar: int, life: np.ndarray) -> None:
        k = len(qty)
        if self.count + k > len(self.qty):
            for name in self._FIELDS:
                old = getattr(self, name)
                setattr(self, name, np.concatenate((old, np.zeros_like(old, shape=max(len(old), k)))))
        if self.used + k > len(self.live_idx):
            for name in self._LIVE:
                old = getattr(self, name)
                setattr(self, name, np.concatenate((old, np.zeros_like(old, shape=max(len(old), k)))))
        sl = slice(self.count, self.count + k)
        lev, liq = _liq_prices("long" if side > 0 else "short", entry, lev, qty)
        self.side[sl], self.qty[sl], self.entry[sl], self.lev[sl] = side, qty, entry, lev
        self.liq[sl] = liq
        self.open_bar[sl], self.plan_close[sl] = bar, bar + life
        new = slice(self.used, self.used + k)
        self.live_idx[new] = np.arange(self.count, self.count + k)
        self.live_side[new], self.live_qty[new], self.live_plan[new] = side, qty, self.plan_close[sl]
        self.live_long_liq[new] = liq if side > 0 else -np.inf
        self.live_short_liq[new] = np.inf if side > 0 else liq
        self.live_open[new] = True
        self.open_total[side] += float(qty.sum())
        self.open_count[side] += k
        self.count += k
        self.used += k

    def remove(self, mask: np.ndarray, bar: int, liquidated: bool) -> np.ndarray:
        """Close the open positions selected by `mask` (over the used slots); return their indices, opening order."""
        slots = np.flatnonzero(mask)
        idx = self.live_idx[slots]
        self.end_bar[idx] = bar
        self.liquidated[idx] = liquidated
        side, qty = self.live_side[slots], self.live_qty[slots]
        for s in (1, -1):
            mine = side == s
            self.open_total[s] -= float(qty[mine].sum())
            self.open_count[s] -= int(mine.sum())
        self.live_long_liq[slots], self.live_short_liq[slots] = -np.inf, np.inf
        self.live_plan[slots], self.live_open[slots] = self._NEVER, False
        still_open = self.open_count[1] + self.open_count[-1]
        if self.used - still_open > max(still_open, 512):
            keep = self.live_open[: self.used].copy()
            for name in self._LIVE:
                buffer = getattr(self, name)
                buffer[:still_open] = buffer[: self.used][keep]
            self.used = still_open
        return idx


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
    if scenario not in SCENARIOS:
        raise DataError(f"Unknown scenario {scenario!r}. Choose one of: {', '.join(SCENARIOS)}.")
    step = pd.Timedelta(interval.replace("m", "min") if interval.endswith("m") else interval)
    if step <= pd.Timedelta(0):
        raise DataError(f"The interval must be positive, got {interval!r}.")
    n = bars if bars is not None else int(pd.Timedelta("14D") / step)
    if n < 10:
        raise DataError("The simulator needs at least 10 bars.")
    rng = np.random.default_rng(seed)
    phases = _SCENARIO_PHASES[scenario]
    scale = np.sqrt(step / pd.Timedelta("5min"))  # per-bar volatility grows with the bar length
    rate_scale = float(step / pd.Timedelta("5min"))
    depth = 40_000.0  # BTC of open interest that one unit of log impact is measured against
    impact, forced_impact = 0.08, 0.2

    book = _Book(int(n * 8 * rate_scale) + 64)
    start_price = 68_000.0 + 4_000.0 * rng.uniform(-1, 1)
    anchor = start_price
    out = {
        name: np.zeros(n)
        for name in (
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
    }
    liq_records: list[tuple[int, int, float, float]] = []
    base_var = (0.0012 * scale) ** 2
    var = base_var
    last_return = 0.0
    price = start_price
    seed_positions(book, rng, price, rate_scale)

    for t in range(n):
        phase = _phase_at(phases, t / n)
        sigma = np.sqrt(var)
        shock = rng.standard_t(4) / np.sqrt(2.0)
        fundamental = sigma * (shock + phase.drift) - phase.anchor * np.log(price / anchor)
        var = min(0.02 * base_var + 0.08 * last_return**2 + 0.90 * var, 100 * base_var)
        # Scheduled closes are market orders: closing longs sell, closing shorts buy.
        closing = book.remove(book.view("live_plan") <= t, t, liquidated=False)
        close_buy = float(book.qty[closing][book.side[closing] < 0].sum())
        close_sell = float(book.qty[closing][book.side[closing] > 0].sum())
        # New positions are taker orders too.
        n_long = rng.poisson(phase.long_rate * rate_scale)
        n_short = rng.poisson(phase.short_rate * rate_scale)
        long_qty = rng.lognormal(np.log(12.0), 0.9, n_long)
        short_qty = rng.lognormal(np.log(12.0), 0.9, n_short)
        noise_buy, noise_sell = rng.gamma(4.0, 60.0 * rate_scale, 2)
        buys = close_buy + long_qty.sum() + noise_buy
        sells = close_sell + short_qty.sum() + noise_sell
        open_ = price
        drift_end = open_ * np.exp(fundamental + impact * (buys - sells) / depth)
        wick = np.abs(rng.normal(0, sigma * 0.8, 2))
        high = max(open_, drift_end) * np.exp(wick[0])
        low = min(open_, drift_end) * np.exp(-wick[1])
        # Cascades: forced orders push the extreme further until no more positions are reached.
        forced = {1: 0.0, -1: 0.0}
        forced_usd = {1: 0.0, -1: 0.0}
        for _ in range(100):
            long_liq, short_liq = book.view("live_long_liq"), book.view("live_short_liq")
            if long_liq.max(initial=-np.inf) < low and short_liq.min(initial=np.inf) > high:
                break
            hit = book.remove((long_liq >= low) | (short_liq <= high), t, liquidated=True)
            # A position whose price the open already gapped through is filled at the bar's edge.
            fill = np.minimum(np.maximum(book.liq[hit], low), high)
            usd = book.qty[hit] * fill
            liq_records.extend(zip([t] * len(hit), book.side[hit].tolist(), fill.tolist(), usd.tolist(), strict=True))
            pushed = {}
            for side in (1, -1):
                mine = book.side[hit] == side
                pushed[side] = float(book.qty[hit][mine].sum())
                forced[side] += pushed[side]
                forced_usd[side] += float(usd[mine].sum())
            low *= np.exp(-forced_impact * pushed[1] / depth)
            high *= np.exp(forced_impact * pushed[-1] / depth)
        close = drift_end * np.exp(forced_impact * 0.6 * (forced[-1] - forced[1]) / depth)
        close = float(min(max(close, low), high))
        # Positions open at prices inside the bar, and live for a planned time (shorter when more leveraged).
        for side, qty, mult in ((1, long_qty, phase.long_lev), (-1, short_qty, phase.short_lev)):
            if len(qty) == 0:
                continue
            lev = _draw_leverage(rng, len(qty), mult)
            entry = low + (high - low) * rng.uniform(0.25, 0.75, len(qty))
            entry = np.minimum(np.maximum(entry, low), high)
            life = np.maximum(1, (rng.lognormal(np.log(400.0), 0.8, len(qty)) * np.sqrt(10 / lev) / rate_scale))
            book.add(side, qty, entry, lev, t, life.astype(np.int64))
        long_open, short_open = book.open_total[1], book.open_total[-1]
        out["open"][t], out["high"][t], out["low"][t], out["close"][t] = open_, high, low, close
        out["volume"][t] = buys + sells + forced[1] + forced[-1]
        out["taker_buy"][t] = buys + forced[-1]
        out["oi"][t] = max(long_open, short_open)
        crowding = (long_open - short_open) / max(long_open + short_open, 1e-9)
        premium = 0.0001 + 0.0008 * crowding + 0.05 * (close / open_ - 1)
        out["funding"][t] = float(min(max(premium, -0.003), 0.003))
        out["ls_ratio"][t] = book.open_count[1] / max(book.open_count[-1], 1)
        out["liq_long"][t], out["liq_short"][t] = forced_usd[1], forced_usd[-1]
        last_return = np.log(close / open_)
        price = close
        anchor = anchor if phase.anchor else close  # after a trend phase the range re-anchors where price went

    index = pd.date_range(DEFAULT_START, periods=n, freq=step)
    frame = pd.DataFrame(
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
    label = scenario.replace("_", " ")
    market = Market(
        frame,
        symbol,
        step,
        f"Simulator · {label} · seed {seed}",
        ("Simulated market: every number comes from the built-in agent simulator, not an exchange.",),
    )
    count = book.count
    end = book.end_bar[:count].copy()
    end[book.open_idx] = n
    positions = pd.DataFrame(
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
    liquidations = pd.DataFrame(liq_records, columns=["bar", "side", "price", "notional_usd"])
    liquidations.insert(
        0, "time", index[liquidations["bar"].to_numpy()] if len(liquidations) else pd.DatetimeIndex([], tz="UTC")
    )
    liquidations["side"] = np.where(liquidations["side"] > 0, "long", "short")
    return Simulation(market, liquidations.drop(columns="bar"), positions, scenario, seed, STORIES[scenario])


def seed_positions(book: _Book, rng: np.random.Generator, price: float, rate_scale: float) -> None:
    """Positions already open before the first bar, so the book is not empty at the start (opened at bar 0)."""
    for side in (1, -1):
        count = int(300 * max(rate_scale, 0.2))
        qty = rng.lognormal(np.log(12.0), 0.9, count)
        lev = _draw_leverage(rng, count, 1.0)
        entry = price * np.exp(rng.normal(0, 0.01, count))
        life = np.maximum(1, rng.lognormal(np.log(200.0), 0.8, count) * np.sqrt(10 / lev) / rate_scale)
        book.add(side, qty, entry, lev, 0, life.astype(np.int64))
