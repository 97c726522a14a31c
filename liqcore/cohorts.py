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
from liqcore.brackets import TABLES, table_for_symbol
from liqcore.config import ModelConfig
from liqcore.errors import DataError
from liqcore.margin import liquidation_price
from liqcore.market import Market

MIN_SURVIVAL = 1e-9  # a bar that closes (almost) all open interest keeps this share, so logs stay finite


@dataclass(frozen=True, eq=False)
class ModelInputs:
    """Per-bar inputs of the cohort model.

    Cohorts of bar t are indexed (t, point p, tier k); arrays with a P×K tail hold one value per cohort.
    """

    times: pd.DatetimeIndex
    low: np.ndarray  # T
    high: np.ndarray  # T
    close: np.ndarray  # T
    opened: np.ndarray  # T: base units opened on each side in the bar (split over points and tiers)
    entry: np.ndarray  # T×P entry prices
    long_share: np.ndarray  # T×K share of a bar's long opening at each tier
    short_share: np.ndarray  # T×K
    long_liq: np.ndarray  # T×P×K liquidation prices of new long cohorts
    short_liq: np.ndarray  # T×P×K
    survive: np.ndarray  # T: pro-rata close factor applied to survivors in step 2 (1 = nothing closed)
    decay: np.ndarray  # T: decay factor of step 4
    declined: np.ndarray  # T: cumulative open-interest decline (base units), for oldest-first closing
    drop_bar: np.ndarray  # T: index of the bar at whose end a cohort born in bar t leaves the map (T = never)
    edges: np.ndarray  # B+1 price-bin edges
    tiers: tuple[float, ...]
    oldest_first: bool
    driver: str
    notes: tuple[str, ...]

    @property
    def points(self) -> int:
        return self.entry.shape[1]


def _open_interest(market: Market) -> np.ndarray | None:
    """Open interest in base units per bar, forward-filled; None when the market has none."""
    bars = market.bars
    if market.has("open_interest"):
        oi = bars["open_interest"]
    elif market.has("open_interest_usd"):
        oi = bars["open_interest_usd"] / bars["close"]
    else:
        return None
    return oi.ffill().to_numpy(dtype=float)


def _entry_prices(market: Market, config: ModelConfig) -> tuple[np.ndarray, str]:
    bars = market.bars
    low, high, close = (bars[c].to_numpy() for c in ("low", "high", "close"))
    typical = (high + low + close) / 3
    if config.entry_rule == "range":
        fractions = (np.arange(config.entry_points) + 0.5) / config.entry_points
        return low[:, None] + (high - low)[:, None] * fractions[None, :], "spread over the bar's range"
    if config.entry_rule == "vwap" and market.has("quote_volume") and market.has("volume"):
        with np.errstate(divide="ignore", invalid="ignore"):
            vwap = bars["quote_volume"].to_numpy() / bars["volume"].to_numpy()
        usable = np.isfinite(vwap) & (vwap >= low) & (vwap <= high)
        return np.where(usable, vwap, typical)[:, None], "bar VWAP (typical price where VWAP is unknown)"
    return typical[:, None], "typical price (high + low + close) / 3"


def _tier_shares(base: tuple[float, ...], tiers: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """Per-bar tier mix leaned by `tilt` in [−1, 1]: toward the leverage-weighted mix when positive (the crowd),
    toward the inverse-leverage-weighted mix when negative (its counterparties), the base mix at 0."""
    w = np.asarray(base, dtype=float)
    w = w / w.sum()
    heavy = w * tiers / (w * tiers).sum()
    light = w / tiers / (w / tiers).sum()
    up, down = np.clip(tilt, 0, 1)[:, None], np.clip(-tilt, 0, 1)[:, None]
    return (1 - up - down) * w[None, :] + up * heavy[None, :] + down * light[None, :]


def prepare(market: Market, config: ModelConfig) -> ModelInputs:
    """Turn a market and a config into the per-bar inputs of the cohort model."""
    bars = market.bars
    times = bars.index
    low, high, close = (bars[c].to_numpy(dtype=float) for c in ("low", "high", "close"))
    n = len(bars)
    notes: list[str] = []
    hours = np.diff(times.asi8, prepend=times.asi8[0] - market.interval.value) / 3.6e12

    oi = _open_interest(market)
    survive = np.ones(n)
    declined = np.zeros(n)
    half_life = config.decay_half_life_hours
    if oi is not None:
        driver = "open interest"
        previous = np.concatenate(([np.nan], oi[:-1]))
        change = oi - previous
        valid = np.isfinite(change)
        opened = np.where(valid & (change > 0), change, 0.0)
        decline = np.where(valid & (change < 0), -change, 0.0)
        declined = np.cumsum(decline)
        if config.close_rule == "pro_rata":
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(valid & (previous > 0), oi / previous, 1.0)
            survive = np.clip(ratio, MIN_SURVIVAL, 1.0)
        notes.append(
            "Map driven by open interest: each rise opens one long and one short cohort; falls close positions "
            + ("pro rata." if config.close_rule == "pro_rata" else "oldest first.")
        )
        notes.append(
            "Positions open before the first bar are unknown: the map fills in as open interest changes (warm-up)."
        )
    else:
        driver = "volume proxy"
        if not market.has("volume"):
            raise DataError(
                f"{market.symbol}: the data has prices but neither open interest nor volume, and the model needs one "
                "of them to know when positions open. Add an 'open_interest' or 'volume' column (most exchange "
                "exports and TradingView's include volume)."
            )
        opened = np.nan_to_num(bars["volume"].to_numpy(dtype=float)) * config.volume_proxy_share
        half_life = half_life or config.volume_proxy_half_life_hours
        notes.append(
            f"No open interest in this data: a volume proxy assumes {config.volume_proxy_share:.0%} of each bar's "
            "volume opens new positions. Treat the map as rougher than one driven by open interest."
        )
    decay = np.exp(-math.log(2) * hours / half_life) if half_life else np.ones(n)

    entry, entry_text = _entry_prices(market, config)
    notes.append(f"Entry price: {entry_text}.")
    tiers = np.asarray(config.leverage_tiers, dtype=float)
    if market.has("taker_buy_volume") and market.has("volume"):
        with np.errstate(divide="ignore", invalid="ignore"):
            buy_share = bars["taker_buy_volume"].to_numpy() / bars["volume"].to_numpy()
        buy_share = np.where(np.isfinite(buy_share), np.clip(buy_share, 0, 1), 0.5)
    else:
        buy_share = np.full(n, 0.5)
    lean = config.taker_tilt * (2 * buy_share - 1)
    if market.has("long_short_ratio"):
        ratio = bars["long_short_ratio"].ffill().to_numpy(dtype=float)
        long_accounts = np.where(np.isfinite(ratio) & (ratio > 0), ratio / (1 + ratio), 0.5)
        lean = lean + config.crowd_tilt * np.clip(4 * (long_accounts - 0.5), -1, 1)
        notes.append("Leverage mix leans toward the side most accounts are on (account long/short ratio).")
    lean = np.clip(lean, -1, 1)
    long_share = _tier_shares(config.long_weights, tiers, lean)
    short_share = _tier_shares(config.short_weights, tiers, -lean)

    table = table_for_symbol(market.symbol) if config.brackets == "auto" else TABLES[config.brackets]
    first = table.brackets[0]
    notes.append(
        f"Maintenance margin {first.mmr:.2%} ({table.name}, first bracket): a cohort stands for many small positions."
    )
    lev = tiers[None, None, :]
    long_liq = liquidation_price(entry[:, :, None], lev, "long", first.mmr, contract=config.contract)
    short_liq = liquidation_price(entry[:, :, None], lev, "short", first.mmr, contract=config.contract)

    if config.lookback_hours:
        limit = times + pd.Timedelta(hours=config.lookback_hours)
        drop_bar = np.searchsorted(times.asi8, limit.asi8, side="left")
    else:
        drop_bar = np.full(n, n)

    edges = price_edges(float(low.min()), float(high.max()), config.price_margin, config.bin_size, config.max_bins)
    return ModelInputs(
        times=times,
        low=low,
        high=high,
        close=close,
        opened=opened,
        entry=entry,
        long_share=long_share,
        short_share=short_share,
        long_liq=np.broadcast_to(long_liq, (n, entry.shape[1], len(tiers))),
        short_liq=np.broadcast_to(short_liq, (n, entry.shape[1], len(tiers))),
        survive=survive,
        decay=decay,
        declined=declined,
        drop_bar=drop_bar.astype(np.int64),
        edges=edges,
        tiers=tuple(config.leverage_tiers),
        oldest_first=oi is not None and config.close_rule == "oldest_first",
        driver=driver,
        notes=tuple(notes),
    )


def snapshot_bars(n_bars: int, columns: int | None) -> np.ndarray:
    """Bar positions of the snapshot columns: every bar, or `columns` evenly spaced ones ending at the last bar."""
    if columns is None or columns >= n_bars:
        return np.arange(n_bars)
    if columns < 1:
        raise ValueError("columns must be a positive integer or None")
    return np.unique(np.linspace(0, n_bars - 1, columns).round().astype(np.int64))
