"""A finite order book for the simulator: market orders walk it, use it up, and it refills between bars.

Why: a liquidation is a forced market order, and what turns a cluster of them into a cascade is that the book cannot
absorb them for free. Each BTC sold uses up bids; with fewer bids left, the next BTC moves price further. So the
same forced quantity moves price further when it arrives in one burst (a dense cluster) than spread over time,
and a book hit by a cascade is thinner for the next few bars.

Model: each side holds `depth_btc_per_pct` BTC per 1 % of price when full. An order of q BTC against a side whose
remaining share is a moves the log price by q / (depth · a) percent and uses up q / `pool_btc` of the side (never
below `floor`). Between bars each side recovers the used-up share with a half-life of `refill_half_life_bars`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class OrderBookDepth:
    """Both sides of a finite order book (see the module docstring); `bid` and `ask` are the remaining shares."""

    depth_btc_per_pct: float
    pool_btc: float
    floor: float
    refill_half_life_bars: float
    bid: float = field(default=1.0)
    ask: float = field(default=1.0)

    def walk(self, qty_btc: float) -> float:
        """Log-price move of a market order (qty > 0 buys through the asks, < 0 sells through the bids).

        The move is integrated over the order so splitting it into pieces gives the same total: while the side's
        share falls linearly from a to a − q/pool, the move is depth-weighted: ∫ dq / (depth·a(q)).
        """
        if qty_btc == 0:
            return 0.0
        side = "ask" if qty_btc > 0 else "bid"
        remaining = getattr(self, side)
        qty = abs(qty_btc)
        floor_at = max(0.0, (remaining - self.floor) * self.pool_btc)  # BTC until the side hits its floor
        thinning = min(qty, floor_at)
        after = remaining - thinning / self.pool_btc
        pct = 0.0
        if thinning > 0:
            pct += self.pool_btc / self.depth_btc_per_pct * math.log(remaining / after)
        pct += (qty - thinning) / (self.depth_btc_per_pct * self.floor)
        setattr(self, side, after if thinning > 0 else remaining)
        return math.copysign(pct / 100.0, qty_btc)

    def refill(self) -> None:
        """One bar of recovery: each side gets back part of the share it had used up."""
        keep = 0.5 ** (1.0 / self.refill_half_life_bars)
        self.bid = 1.0 - (1.0 - self.bid) * keep
        self.ask = 1.0 - (1.0 - self.ask) * keep
