"""What the cohort model needs from a market, prepared once for both implementations (fast and reference).

Per bar: how much opens (ΔOI, or the volume proxy), at which entry prices, with which leverage mix per side, the
liquidation price of each new cohort, and the survival factors of the close and decay steps. Keeping this in one
place means the fast engine and the slow reference differ only in how they evolve the book, which is what the
equivalence tests check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from liqcore.bins import price_edges
from liqcore.brackets import bracket_table, small_position_bracket
from liqcore.closing import ClosingRule
from liqcore.config import ModelConfig
from liqcore.errors import DataError
from liqcore.heatmap import Driver
from liqcore.margin import liquidation_price
from liqcore.market import Market


@dataclass(frozen=True, eq=False)
class ModelInputs:
    """Per-bar inputs of the cohort model.

    Cohorts of bar t are indexed (t, point p, tier k); arrays with a P×K tail hold one value per cohort.
    """

    times: pd.DatetimeIndex
    low: np.ndarray  # T
    high: np.ndarray  # T
    close: np.ndarray  # T
    opened: np.ndarray  # T: base units opened on each side in the bar (net rise + turnover reopened)
    entry: np.ndarray  # T×P entry prices
    long_share: np.ndarray  # T×K share of a bar's long opening at each tier
    short_share: np.ndarray  # T×K
    long_liq: np.ndarray  # T×P×K liquidation prices of new long cohorts
    short_liq: np.ndarray  # T×P×K
    flush_low: np.ndarray  # T: lowest price after the bar's high; new longs liquidated at or above it die in their bar
    squeeze_high: np.ndarray  # T: highest price after the bar's low; new shorts liquidated at or below it die in it
    survive: np.ndarray  # T: net-decline close factor applied to survivors in step 2 (1 = nothing closed)
    turnover: np.ndarray  # T: share of survivors that turns over (closes pro rata, reopens in `opened`) in step 2
    decay: np.ndarray  # T: decay factor of step 4
    declined: np.ndarray  # T: cumulative open-interest decline (base units), for queue closing rules
    drop_bar: np.ndarray  # T: index of the bar at whose end a cohort born in bar t leaves the map (T = never)
    edges: np.ndarray  # B+1 price-bin edges
    tiers: tuple[float, ...]
    closing: ClosingRule
    driver: Driver
    notes: tuple[str, ...]

    @property
    def points(self) -> int:
        return self.entry.shape[1]

    @property
    def same_bar(self) -> bool:
        """True when some new cohort can die in its own bar (the same-bar rule is on)."""
        return bool(np.isfinite(self.flush_low).any() or np.isfinite(self.squeeze_high).any())


@dataclass(frozen=True)
class Flows:
    """What opens and closes in each bar, in base units per side, and the half-life that applies."""

    driver: Driver
    opened: np.ndarray
    survive: np.ndarray
    turnover: np.ndarray
    declined: np.ndarray
    half_life: float | None
    notes: tuple[str, ...]


def bar_hours(market: Market) -> np.ndarray:
    """Length of each bar in hours (the first bar: the market's interval; after a gap: the time since the last)."""
    times = market.bars.index
    return np.diff(times.asi8, prepend=times.asi8[0] - market.interval.value) / 3.6e12


def turnover_share(config: ModelConfig, hours: np.ndarray) -> np.ndarray:
    """Share of positions turned over in a bar of `hours` at the configured hourly rate (compounded)."""
    return 1.0 - (1.0 - config.turnover_per_hour) ** hours


def open_interest(market: Market) -> np.ndarray | None:
    """Open interest in base units per bar, forward-filled; None when the market has none."""
    bars = market.bars
    if market.has("open_interest"):
        oi = bars["open_interest"]
    elif market.has("open_interest_usd"):
        oi = bars["open_interest_usd"] / bars["close"]
    else:
        return None
    return oi.ffill().to_numpy(dtype=float)


def _oi_flows(oi: np.ndarray, config: ModelConfig, hours: np.ndarray) -> Flows:
    """Rises open, falls close by the closing rule, and a turnover share closes and reopens on top."""
    previous = np.concatenate(([np.nan], oi[:-1]))
    change = oi - previous
    valid = np.isfinite(change)
    rise = np.where(valid & (change > 0), change, 0.0)
    decline = np.where(valid & (change < 0), -change, 0.0)
    turnover = np.where(valid, turnover_share(config, hours), 0.0)
    reopened = turnover * np.where(valid, np.minimum(oi, previous), 0.0)
    rule = config.closing
    notes = [
        f"Map driven by open interest: each rise opens one long and one short cohort; falls close positions "
        f"({rule.words}).",
        "Positions open before the first bar are unknown: the map fills in as open interest changes (warm-up).",
    ]
    if config.turnover_per_hour:
        notes.append(
            f"Turnover: {config.turnover_per_hour:.1%} of positions per hour close pro rata and reopen at the bar's "
            "entry prices, so levels price has crossed fill again."
        )
    return Flows(
        driver=Driver.OPEN_INTEREST,
        opened=rise + reopened,
        survive=rule.survival(oi, previous, valid),
        turnover=turnover,
        declined=np.cumsum(decline),
        half_life=config.decay_half_life_hours,
        notes=tuple(notes),
    )


def _volume_proxy_flows(market: Market, config: ModelConfig) -> Flows:
    """Without open interest, a share of volume opens positions and positions fade (turnover has no OI to act on)."""
    if not market.has("volume"):
        raise DataError(
            f"{market.symbol}: the data has prices but neither open interest nor volume, and the model needs one "
            "of them to know when positions open. Add an 'open_interest' or 'volume' column (most exchange "
            "exports and TradingView's include volume)."
        )
    n = len(market)
    opened = np.nan_to_num(market.bars["volume"].to_numpy(dtype=float)) * config.volume_proxy_share
    note = (
        f"No open interest in this data: a volume proxy assumes {config.volume_proxy_share:.0%} of each bar's "
        "volume opens new positions. Treat the map as rougher than one driven by open interest."
    )
    return Flows(
        driver=Driver.VOLUME_PROXY,
        opened=opened,
        survive=np.ones(n),
        turnover=np.zeros(n),
        declined=np.zeros(n),
        half_life=config.decay_half_life_hours or config.volume_proxy_half_life_hours,
        notes=(note,),
    )


def flows(market: Market, config: ModelConfig) -> Flows:
    """Step 1 of preparation: what opens and closes per bar, from open interest or else the volume proxy."""
    oi = open_interest(market)
    if oi is None:
        return _volume_proxy_flows(market, config)
    return _oi_flows(oi, config, bar_hours(market))


def vwap(market: Market) -> np.ndarray:
    """Bar VWAP (quote volume / volume), NaN where the data cannot give it."""
    if not (market.has("quote_volume") and market.has("volume")):
        return np.full(len(market), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return market.bars["quote_volume"].to_numpy(dtype=float) / market.bars["volume"].to_numpy(dtype=float)


def taker_buy_share(market: Market) -> np.ndarray:
    """Share of each bar's volume bought by takers (0.5 where unknown)."""
    if not (market.has("taker_buy_volume") and market.has("volume")):
        return np.full(len(market), 0.5)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = market.bars["taker_buy_volume"].to_numpy() / market.bars["volume"].to_numpy()
    return np.where(np.isfinite(share), np.clip(share, 0, 1), 0.5)


def long_accounts_share(market: Market) -> np.ndarray | None:
    """Share of accounts that are long, from the long/short account ratio (None when the data has none)."""
    if not market.has("long_short_ratio"):
        return None
    ratio = market.bars["long_short_ratio"].ffill().to_numpy(dtype=float)
    return np.where(np.isfinite(ratio) & (ratio > 0), ratio / (1 + ratio), 0.5)


def _tier_shares(base: tuple[float, ...], tiers: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """Per-bar tier mix leaned by `tilt` in [−1, 1]: toward the leverage-weighted mix when positive (the crowd),
    toward the inverse-leverage-weighted mix when negative (its counterparties), the base mix at 0."""
    w = np.asarray(base, dtype=float)
    w = w / w.sum()
    heavy = w * tiers / (w * tiers).sum()
    light = w / tiers / (w / tiers).sum()
    up, down = np.clip(tilt, 0, 1)[:, None], np.clip(-tilt, 0, 1)[:, None]
    return (1 - up - down) * w[None, :] + up * heavy[None, :] + down * light[None, :]


def leverage_mix(market: Market, config: ModelConfig) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Step 3: per-bar tier shares of each side, leaned by taker flow and the crowded side of accounts."""
    lean = config.taker_tilt * (2 * taker_buy_share(market) - 1)
    notes: tuple[str, ...] = ()
    accounts = long_accounts_share(market)
    if accounts is not None:
        lean = lean + config.crowd_tilt * np.clip(4 * (accounts - 0.5), -1, 1)
        notes = ("Leverage mix leans toward the side most accounts are on (account long/short ratio).",)
    lean = np.clip(lean, -1, 1)
    tiers = np.asarray(config.leverage_tiers, dtype=float)
    return _tier_shares(config.long_weights, tiers, lean), _tier_shares(config.short_weights, tiers, -lean), notes


def maintenance_rate(market: Market, config: ModelConfig) -> tuple[float, str]:
    """The first bracket's maintenance-margin rate (a cohort stands for many small positions), and a note."""
    first = small_position_bracket(market.symbol, config.brackets)
    table = bracket_table(market.symbol, config.brackets).name
    return first.mmr, (
        f"Maintenance margin {first.mmr:.2%} ({table}, first bracket): a cohort stands for many small positions."
    )


def drop_bars(times: pd.DatetimeIndex, max_age_hours: float | None) -> np.ndarray:
    """Step 5: for each birth bar, the bar at whose end its cohorts leave the map (T = never)."""
    if not max_age_hours:
        return np.full(len(times), len(times), dtype=np.int64)
    limit = times + pd.Timedelta(hours=max_age_hours)
    return np.searchsorted(times.asi8, limit.asi8, side="left").astype(np.int64)


def decay_factors(hours: np.ndarray, half_life: float | None) -> np.ndarray:
    """Per-bar decay factor for a half-life in hours (1 = no decay)."""
    return np.exp(-math.log(2) * hours / half_life) if half_life else np.ones(len(hours))


def same_bar_reach(bars: pd.DataFrame, enabled: bool) -> tuple[np.ndarray, np.ndarray]:
    """Step 4b: how far each bar moves after a new position could have opened, per side (lowest price after the high
    for longs, highest after the low for shorts). A bar that closes up is read as open → low → high → close, one that
    closes down as open → high → low → close. Disabled: (+inf, −inf), so no cohort dies in its own bar."""
    n = len(bars)
    if not enabled:
        return np.full(n, np.inf), np.full(n, -np.inf)
    low, high, close = (bars[c].to_numpy(dtype=float) for c in ("low", "high", "close"))
    up = close >= bars["open"].to_numpy(dtype=float)
    return np.where(up, close, low), np.where(up, high, close)


def prepare(market: Market, config: ModelConfig) -> ModelInputs:
    """Turn a market and a config into the per-bar inputs of the cohort model, step by step."""
    bars = market.bars
    low, high, close = (bars[c].to_numpy(dtype=float) for c in ("low", "high", "close"))
    n = len(bars)
    flow = flows(market, config)  # 1. what opens and closes
    bar_vwap = vwap(market)  # 2. at which prices
    entry = config.entry.prices(low, high, (high + low + close) / 3, bar_vwap)
    long_share, short_share, mix_notes = leverage_mix(market, config)  # 3. with which leverage
    mmr, margin_note = maintenance_rate(market, config)  # 4. liquidated where
    tiers = np.asarray(config.leverage_tiers, dtype=float)
    lev = tiers[None, None, :]
    long_liq = liquidation_price(entry[:, :, None], lev, "long", mmr, contract=config.contract)
    short_liq = liquidation_price(entry[:, :, None], lev, "short", mmr, contract=config.contract)
    flush_low, squeeze_high = same_bar_reach(bars, config.same_bar_liquidations)
    has_vwap = bool(np.isfinite(bar_vwap).any())
    notes = (*flow.notes, f"Entry price: {config.entry.note(has_vwap)}.", *mix_notes, margin_note)
    edges = price_edges(float(low.min()), float(high.max()), config.price_margin, config.bin_size, config.max_bins)
    return ModelInputs(
        times=bars.index,
        low=low,
        high=high,
        close=close,
        opened=flow.opened,
        entry=entry,
        long_share=long_share,
        short_share=short_share,
        long_liq=np.broadcast_to(long_liq, (n, entry.shape[1], len(tiers))),
        short_liq=np.broadcast_to(short_liq, (n, entry.shape[1], len(tiers))),
        flush_low=flush_low,
        squeeze_high=squeeze_high,
        survive=flow.survive,
        turnover=flow.turnover,
        decay=decay_factors(bar_hours(market), flow.half_life),  # 5. how positions fade and leave
        declined=flow.declined,
        drop_bar=drop_bars(bars.index, config.max_age_hours),
        edges=edges,
        tiers=tuple(config.leverage_tiers),
        closing=config.closing,
        driver=flow.driver,
        notes=notes,
    )


def snapshot_bars(n_bars: int, columns: int | None) -> np.ndarray:
    """Bar positions of the snapshot columns: every bar, or `columns` evenly spaced ones ending at the last bar."""
    if columns is None or columns >= n_bars:
        return np.arange(n_bars)
    if columns < 1:
        raise ValueError("columns must be a positive integer or None")
    return np.unique(np.linspace(0, n_bars - 1, columns).round().astype(np.int64))
