"""The slow reference of the cohort model: plain loops over bars, written to be read.

`reference_inputs` prepares each bar's cohorts on its own, from the market and the config one bar at a time (OI
change, turnover, entry prices, leverage lean, liquidation prices by the isolated-margin formula), and
`run_reference` runs DESIGN.md §3 in order — consume, close and turn over, open (liquidating at once what the rest of
the bar reaches), decay — on an explicit list of live
cohorts. The fast engine (`liqcore.cohorts.prepare` + `liqcore.engine.run_fast`) must give the same map to 1e-9; the
property tests compare the two on random markets, so a slip in either preparation shows up too.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from liqcore.bins import price_edges
from liqcore.cohorts import ModelInputs, maintenance_rate
from liqcore.config import ModelConfig
from liqcore.heatmap import Driver
from liqcore.market import Market


def _liquidation_price(entry: float, leverage: float, side: str, mmr: float, contract: str) -> float:
    """Isolated liquidation price of one small position (DESIGN.md §3; no maintenance amount)."""
    inv = 1.0 / leverage
    if contract == "linear":
        return entry * (1 - inv) / (1 - mmr) if side == "long" else entry * (1 + inv) / (1 + mmr)
    return entry * (1 + mmr) / (1 + inv) if side == "long" else entry * (1 - mmr) / (1 - inv)


def _tier_mix(weights: tuple[float, ...], tiers: tuple[float, ...], lean: float) -> list[float]:
    """One bar's tier shares: the base mix, leaned toward leverage-weighted (lean > 0) or inverse-leverage-weighted."""
    total = sum(weights)
    base = [w / total for w in weights]
    heavy_total = sum(w * lev for w, lev in zip(base, tiers, strict=True))
    light_total = sum(w / lev for w, lev in zip(base, tiers, strict=True))
    up, down = min(max(lean, 0.0), 1.0), min(max(-lean, 0.0), 1.0)
    return [
        (1 - up - down) * w + up * w * lev / heavy_total + down * (w / lev) / light_total
        for w, lev in zip(base, tiers, strict=True)
    ]


def _column(market: Market, name: str) -> list[float] | None:
    return market.bars[name].tolist() if market.has(name) else None


def reference_inputs(market: Market, config: ModelConfig) -> ModelInputs:
    """The model's per-bar inputs, prepared one bar at a time (independent of `liqcore.cohorts.prepare`)."""
    bars = market.bars
    times = bars.index
    n = len(bars)
    opens, low, high, close = (bars[c].tolist() for c in ("open", "low", "high", "close"))
    volume, quote = _column(market, "volume"), _column(market, "quote_volume")
    taker, ratio = _column(market, "taker_buy_volume"), _column(market, "long_short_ratio")
    oi_base, oi_usd = _column(market, "open_interest"), _column(market, "open_interest_usd")
    has_oi = oi_base is not None or oi_usd is not None
    half_life = (
        config.decay_half_life_hours
        if has_oi
        else (config.decay_half_life_hours or config.volume_proxy_half_life_hours)
    )
    mmr, _ = maintenance_rate(market, config)
    rule = config.entry
    k = len(config.leverage_tiers)
    opened, survive, turnover, declined, decay = (np.zeros(n) for _ in range(5))
    flush_low, squeeze_high = np.full(n, np.inf), np.full(n, -np.inf)
    entry = np.zeros((n, rule.points))
    long_share, short_share = np.zeros((n, k)), np.zeros((n, k))
    long_liq, short_liq = np.zeros((n, rule.points, k)), np.zeros((n, rule.points, k))
    last_oi, last_ratio, total_decline = math.nan, math.nan, 0.0
    for t in range(n):
        hours = (market.interval if t == 0 else times[t] - times[t - 1]) / pd.Timedelta(hours=1)
        # What opens and closes.
        survive[t] = 1.0
        if has_oi:
            raw = oi_base[t] if oi_base is not None else oi_usd[t] / close[t]
            oi = raw if math.isfinite(raw) else last_oi
            if math.isfinite(oi) and math.isfinite(last_oi):
                share = 1 - math.exp(hours * math.log1p(-config.turnover_per_hour))
                turnover[t] = share
                opened[t] = max(oi - last_oi, 0.0) + share * min(oi, last_oi)
                total_decline += max(last_oi - oi, 0.0)
                survive[t] = config.closing.survival(np.array([oi]), np.array([last_oi]), np.array([True]))[0]
            last_oi = oi
        else:
            opened[t] = (volume[t] if math.isfinite(volume[t]) else 0.0) * config.volume_proxy_share
        declined[t] = total_decline
        decay[t] = 0.5 ** (hours / half_life) if half_life else 1.0
        # At which prices.
        typical = (high[t] + low[t] + close[t]) / 3
        vwap = quote[t] / volume[t] if quote is not None and volume is not None and volume[t] else math.nan
        entry[t] = rule.prices(low[t], high[t], typical, vwap)
        # How far the rest of the bar moves against its new positions: up bars go open → low → high → close.
        if config.same_bar_liquidations:
            closes_up = close[t] >= opens[t]
            flush_low[t] = close[t] if closes_up else low[t]
            squeeze_high[t] = high[t] if closes_up else close[t]
        # With which leverage: takers and the crowded side of accounts lean toward higher leverage.
        buy = 0.5
        if taker is not None and volume is not None and volume[t] and math.isfinite(taker[t] / volume[t]):
            buy = min(max(taker[t] / volume[t], 0.0), 1.0)
        lean = config.taker_tilt * (2 * buy - 1)
        if ratio is not None:
            last_ratio = ratio[t] if math.isfinite(ratio[t]) else last_ratio
            accounts = last_ratio / (1 + last_ratio) if math.isfinite(last_ratio) and last_ratio > 0 else 0.5
            lean += config.crowd_tilt * min(max(4 * (accounts - 0.5), -1.0), 1.0)
        lean = min(max(lean, -1.0), 1.0)
        long_share[t] = _tier_mix(config.long_weights, config.leverage_tiers, lean)
        short_share[t] = _tier_mix(config.short_weights, config.leverage_tiers, -lean)
        # Liquidated where.
        for p, price in enumerate(entry[t]):
            for j, lev in enumerate(config.leverage_tiers):
                long_liq[t, p, j] = _liquidation_price(float(price), lev, "long", mmr, config.contract)
                short_liq[t, p, j] = _liquidation_price(float(price), lev, "short", mmr, config.contract)
    drop_bar = np.full(n, n, dtype=np.int64)
    if config.max_age_hours:
        for b in range(n):
            later = [t for t in range(b, n) if times[t] >= times[b] + pd.Timedelta(hours=config.max_age_hours)]
            drop_bar[b] = later[0] if later else n
    return ModelInputs(
        times=times,
        low=np.array(low),
        high=np.array(high),
        close=np.array(close),
        opened=opened,
        entry=entry,
        long_share=long_share,
        short_share=short_share,
        long_liq=long_liq,
        short_liq=short_liq,
        flush_low=flush_low,
        squeeze_high=squeeze_high,
        survive=survive,
        turnover=turnover,
        decay=decay,
        declined=declined,
        drop_bar=drop_bar,
        edges=price_edges(min(low), max(high), config.price_margin, config.bin_size, config.max_bins),
        tiers=tuple(config.leverage_tiers),
        closing=config.closing,
        driver=Driver.OPEN_INTEREST if has_oi else Driver.VOLUME_PROXY,
        notes=(),
    )


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
        # 2. Close what the net decline closes (by the closing rule), then the turnover share of what is left.
        for side in ("long", "short"):
            book[side].keep(inputs.closing.still_open(book[side].queue_end, inputs.declined[t]))
            book[side].usd = book[side].usd * inputs.survive[t] * (1 - inputs.turnover[t])
        # 3. Open one long and one short cohort per entry point and tier; those whose price the rest of the bar
        #    reaches are liquidated in it and never join the book.
        for side, share, liq, dies in (
            ("long", inputs.long_share, inputs.long_liq, inputs.long_liq[t].ravel() >= inputs.flush_low[t]),
            ("short", inputs.short_share, inputs.short_liq, inputs.short_liq[t].ravel() <= inputs.squeeze_high[t]),
        ):
            qty = (inputs.opened[t] * np.broadcast_to(share[t], (inputs.points, k_tiers)) / inputs.points).ravel()
            if inputs.opened[t] <= 0:
                continue
            usd = qty * np.repeat(inputs.entry[t], k_tiers)
            queue_end = opened_before[side] + np.cumsum(qty)
            opened_before[side] += qty.sum()
            implied[side][t] += usd[dies].sum()
            live = ~dies
            book[side].add(liq[t].ravel()[live], usd[live], tier_index[live], t, queue_end[live])
        # 4. Decay, and drop cohorts older than the age limit.
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
