"""The slow reference of the cohort model: one plain loop over bars, written to be read.

Every bar runs DESIGN.md §3 in order — consume, close, open, decay — on an explicit list of live cohorts. The fast
engine (`liqcore.engine`) must give the same map to 1e-9; the property tests compare the two on random markets.
"""

from __future__ import annotations

import numpy as np

from liqcore.cohorts import ModelInputs


class _Side:
    """Live cohorts of one side as parallel arrays."""

    def __init__(self, tiers: int) -> None:
        self.price = np.empty(0)  # liquidation price
        self.usd = np.empty(0)  # notional at entry, after closes and decay so far
        self.tier = np.empty(0, dtype=np.int64)
        self.born = np.empty(0, dtype=np.int64)
        self.queue_end = np.empty(0)  # place in the oldest-first queue (base units opened up to this cohort)
        self.tiers = tiers

    def keep(self, mask: np.ndarray) -> None:
        for name in ("price", "usd", "tier", "born", "queue_end"):
            setattr(self, name, getattr(self, name)[mask])

    def add(self, price: np.ndarray, usd: np.ndarray, tier: np.ndarray, born: int, queue_end: np.ndarray) -> None:
        self.price = np.concatenate((self.price, price))
        self.usd = np.concatenate((self.usd, usd))
        self.tier = np.concatenate((self.tier, tier))
        self.born = np.concatenate((self.born, np.full(len(price), born, dtype=np.int64)))
        self.queue_end = np.concatenate((self.queue_end, queue_end))


def run_reference(inputs: ModelInputs, snapshot_bars: np.ndarray) -> dict[str, np.ndarray]:
    """Evolve the book bar by bar; return per-tier heat at the snapshot bars and implied liquidations per bar."""
    n = len(inputs.times)
    k_tiers = len(inputs.tiers)
    edges = inputs.edges
    n_bins = len(edges) - 1
    is_snapshot = np.zeros(n, dtype=bool)
    is_snapshot[snapshot_bars] = True
    heat = {
        "long": np.zeros((k_tiers, len(snapshot_bars), n_bins)),
        "short": np.zeros((k_tiers, len(snapshot_bars), n_bins)),
    }
    implied = {"long": np.zeros(n), "short": np.zeros(n)}
    book = {"long": _Side(k_tiers), "short": _Side(k_tiers)}
    opened_before = {"long": 0.0, "short": 0.0}
    column = 0
    tier_index = np.tile(np.arange(k_tiers), inputs.points)

    for t in range(n):
        # 1. Consume: longs whose price the low reached, shorts whose price the high reached.
        for side, hit in (
            ("long", book["long"].price >= inputs.low[t]),
            ("short", book["short"].price <= inputs.high[t]),
        ):
            implied[side][t] = book[side].usd[hit].sum()
            book[side].keep(~hit)
        # 2. Close.
        for side in ("long", "short"):
            if inputs.oldest_first:
                book[side].keep(book[side].queue_end > inputs.declined[t])
            else:
                book[side].usd = book[side].usd * inputs.survive[t]
        # 3. Open one long and one short cohort per entry point and tier.
        for side, share, liq in (
            ("long", inputs.long_share, inputs.long_liq),
            ("short", inputs.short_share, inputs.short_liq),
        ):
            qty = (inputs.opened[t] * np.broadcast_to(share[t], (inputs.points, k_tiers)) / inputs.points).ravel()
            if inputs.opened[t] <= 0:
                continue
            usd = qty * np.repeat(inputs.entry[t], k_tiers)
            queue_end = opened_before[side] + np.cumsum(qty)
            opened_before[side] += qty.sum()
            book[side].add(liq[t].ravel(), usd, tier_index, t, queue_end)
        # 4. Decay, and drop cohorts older than the lookback.
        for side in ("long", "short"):
            book[side].usd = book[side].usd * inputs.decay[t]
            book[side].keep(inputs.drop_bar[book[side].born] > t)
        if is_snapshot[t]:
            for side in ("long", "short"):
                b = np.searchsorted(edges, book[side].price, side="right") - 1
                inside = (b >= 0) & (b < n_bins)
                np.add.at(heat[side][:, column, :], (book[side].tier[inside], b[inside]), book[side].usd[inside])
            column += 1
    return {
        "long_by_tier": heat["long"],
        "short_by_tier": heat["short"],
        "implied_long": implied["long"],
        "implied_short": implied["short"],
    }
