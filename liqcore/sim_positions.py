"""The simulator's record of every trader position, with compact copies of the open ones for the per-bar checks.

Why a separate buffer of open positions: each bar asks "whose liquidation price did the bar reach?" and "whose
planned close is due?". Reading short contiguous arrays of the open positions answers that without gathering from
the whole history, so a bar costs a few vector operations whatever the history's length.
"""

from __future__ import annotations

import numpy as np

from liqcore.brackets import BINANCE_BTCUSDT, brackets_for_notional

_INITIAL_LIVE_SLOTS = 1024
_NEVER = np.iinfo(np.int64).max


def bracketed_liquidation(
    sign: np.ndarray, entry: np.ndarray, leverage: np.ndarray, qty: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Leverage allowed and isolated liquidation price, with each position's own Binance BTCUSDT bracket.

    `sign` is +1 for longs, −1 for shorts. A large position cannot use more leverage than its bracket allows (e.g.
    20x above 12M USD); without that cap its liquidation price would sit beyond its entry. The formula is the one
    of `liqcore.margin.liquidation_price`, written for both sides at once:
    P = (E(1 − s/L) − s·c/Q) / (1 − s·m).
    """
    mmr, amount, max_leverage = brackets_for_notional(BINANCE_BTCUSDT, qty * entry)
    leverage = np.minimum(leverage, max_leverage)
    price = (entry * (1 - sign / leverage) - sign * amount / qty) / (1 - sign * mmr)
    return leverage, price


class PositionBook:
    """Growing arrays of every position ever opened, plus the open ones in `live_*` buffers.

    The first `used` slots of the `live_*` buffers hold positions in opening order: their index into the full
    arrays, side, quantity, liquidation price (as a long trigger and a short trigger, the other side at ∓inf) and
    planned close bar. A closed slot is disarmed (triggers at ∓inf, no planned close) and the buffers are compacted
    once closed slots outnumber open ones, so a close costs a few writes.
    """

    _FIELDS = ("side", "qty", "entry", "lev", "liq", "open_bar", "end_bar", "liquidated")
    _LIVE = ("live_idx", "live_side", "live_qty", "live_long_liq", "live_short_liq", "live_plan", "live_open")

    def __init__(self, capacity: int) -> None:
        self.side = np.zeros(capacity, dtype=np.int8)  # +1 long, -1 short
        self.qty = np.zeros(capacity)
        self.entry = np.zeros(capacity)
        self.lev = np.zeros(capacity)
        self.liq = np.zeros(capacity)
        self.open_bar = np.zeros(capacity, dtype=np.int64)
        self.end_bar = np.zeros(capacity, dtype=np.int64)
        self.liquidated = np.zeros(capacity, dtype=bool)
        self.count = 0
        self.used = 0
        self.live_idx = np.zeros(_INITIAL_LIVE_SLOTS, dtype=np.int64)
        self.live_side = np.zeros(_INITIAL_LIVE_SLOTS, dtype=np.int8)
        self.live_qty = np.zeros(_INITIAL_LIVE_SLOTS)
        self.live_long_liq = np.zeros(_INITIAL_LIVE_SLOTS)  # open longs' liquidation price, -inf elsewhere
        self.live_short_liq = np.zeros(_INITIAL_LIVE_SLOTS)  # open shorts' liquidation price, +inf elsewhere
        self.live_plan = np.zeros(_INITIAL_LIVE_SLOTS, dtype=np.int64)
        self.live_open = np.zeros(_INITIAL_LIVE_SLOTS, dtype=bool)
        self.open_qty = {1: 0.0, -1: 0.0}  # open quantity per side (BTC)
        self.open_count = {1: 0, -1: 0}  # number of open positions per side

    @property
    def open_idx(self) -> np.ndarray:
        """Indices (into the full arrays) of the positions still open."""
        return self.live_idx[: self.used][self.live_open[: self.used]]

    def _grow(self, names: tuple[str, ...], needed: int) -> None:
        for name in names:
            old = getattr(self, name)
            setattr(self, name, np.concatenate((old, np.zeros_like(old, shape=max(len(old), needed)))))

    def add(
        self,
        side: np.ndarray,
        qty: np.ndarray,
        entry: np.ndarray,
        lev: np.ndarray,
        bar: int,
        plan_close: np.ndarray,
        longs: int,
        long_qty: float,
    ) -> None:
        """Open positions in `bar`, the `longs` longs (their quantity summed: `long_qty`) before the shorts; each
        closes at its `plan_close` bar unless liquidated first. The caller passes the count and sum it already has
        (the simulator draws every bar's longs first), so a bar pays for no second mask and sum."""
        k = len(qty)
        if k == 0:
            return
        if self.count + k > len(self.qty):
            self._grow(self._FIELDS, k)
        if self.used + k > len(self.live_idx):
            self._grow(self._LIVE, k)
        lev, liq = bracketed_liquidation(side, entry, lev, qty)
        sl = slice(self.count, self.count + k)
        self.side[sl], self.qty[sl], self.entry[sl], self.lev[sl], self.liq[sl] = side, qty, entry, lev, liq
        self.open_bar[sl] = bar
        u, split, end = self.used, self.used + longs, self.used + k
        self.live_idx[u:end] = np.arange(self.count, self.count + k)
        self.live_side[u:end], self.live_qty[u:end], self.live_plan[u:end] = side, qty, plan_close
        self.live_long_liq[u:split], self.live_long_liq[split:end] = liq[:longs], -np.inf
        self.live_short_liq[u:split], self.live_short_liq[split:end] = np.inf, liq[longs:]
        self.live_open[u:end] = True
        self.open_qty[1] += long_qty
        self.open_qty[-1] += float(qty.sum()) - long_qty
        self.open_count[1] += longs
        self.open_count[-1] += k - longs
        self.count += k
        self.used += k

    def remove(self, slots: np.ndarray, bar: int, liquidated: bool) -> tuple[np.ndarray, float, float]:
        """Close the open positions in the given live `slots`; return their indices, in opening order, and the BTC
        of longs and of shorts among them (the forced or closing flow the caller walks through the book)."""
        idx = self.live_idx[slots]
        if len(idx) == 0:
            return idx, 0.0, 0.0
        self.end_bar[idx] = bar
        self.liquidated[idx] = liquidated
        is_long = self.live_side[slots] > 0
        qty = self.live_qty[slots]
        long_qty, long_count = float(qty[is_long].sum()), int(np.count_nonzero(is_long))
        short_qty = float(qty[~is_long].sum())
        self.open_qty[1] -= long_qty
        self.open_qty[-1] -= float(qty.sum()) - long_qty
        self.open_count[1] -= long_count
        self.open_count[-1] -= len(idx) - long_count
        self.live_long_liq[slots], self.live_short_liq[slots] = -np.inf, np.inf
        self.live_plan[slots], self.live_open[slots] = _NEVER, False
        still_open = self.open_count[1] + self.open_count[-1]
        if self.used - still_open > max(still_open, 512):
            keep = self.live_open[: self.used].copy()
            for name in self._LIVE:
                buffer = getattr(self, name)
                buffer[:still_open] = buffer[: self.used][keep]
            self.used = still_open
        return idx, long_qty, short_qty
