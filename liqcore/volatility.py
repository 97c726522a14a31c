"""Volatility: does liquidation pressure near price help forecast how far price will travel?

Pressure at a bar = estimated liquidation notional within reach (±k × ATR(14) of the close), relative to open
interest (USD) — or, without open interest, to the median of its own past. Density = share of that notional held by
the fullest fifth of the bins in reach (1 = stacked in a few bins, 0.2 = spread evenly): stacked clusters can fire
together.

Forecast target: the realised log range over the next H bars, log(max high / min low). Two models, fitted by least
squares on an expanding window (refit every `refit` bars) using only samples whose whole target window is already
past — so no forecast sees the future:

- **baseline** (HAR on log range): log y ~ 1 + log mean range over the last 1, H and 4H bars;
- **augmented**: the baseline plus log(1 + pressure scaled) and density.

Both are scored on the same held-out bars (every forecast is out of sample) by MAE of log range and QLIKE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from liqcore.heatmap import Heatmap
from liqcore.indicators import atr, log_range
from liqcore.market import Market

REGIMES = ("calm", "elevated", "high")


@dataclass(frozen=True)
class VolatilityConfig:
    """Forecast horizon (bars), reach (× ATR), warm-up and refit cadence (bars)."""

    horizon: int = 12
    reach_atr: float = 3.0
    min_train: int = 300
    refit: int = 50


def pressure(heatmap: Heatmap, market: Market, reach_atr: float = 3.0) -> pd.DataFrame:
    """Per bar (from the latest snapshot at or before it): notional within reach by side, pressure and density."""
    centers = heatmap.centers[None, :]
    price = heatmap.close[:, None]
    reach = (atr(market).reindex(heatmap.times, method="ffill").to_numpy() * reach_atr)[:, None]
    below = (centers < price) & (centers >= price - reach)
    above = (centers > price) & (centers <= price + reach)
    long_near = heatmap.long * below
    short_near = heatmap.short * above
    near = long_near + short_near
    total = near.sum(axis=1)
    top = np.sort(near, axis=1)[:, ::-1]
    bins_in_reach = np.maximum((below | above).sum(axis=1), 1)
    top_count = np.maximum(bins_in_reach // 5, 1)
    cumulative = np.cumsum(top, axis=1)
    top_sum = cumulative[np.arange(len(top)), top_count - 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        density = np.where(total > 0, top_sum / total, 0.0)
    snapshots = pd.DataFrame(
        {
            "long_near_usd": long_near.sum(axis=1),
            "short_near_usd": short_near.sum(axis=1),
            "near_usd": total,
            "density": density,
        },
        index=heatmap.times,
    )
    per_bar = snapshots.reindex(market.bars.index, method="ffill")
    bars = market.bars
    if market.has("open_interest_usd") or market.has("open_interest"):
        oi_usd = bars["open_interest_usd"] if market.has("open_interest_usd") else bars["open_interest"] * bars["close"]
        per_bar["pressure"] = per_bar["near_usd"] / oi_usd.ffill()
        per_bar.attrs["relative_to"] = "open interest"
    else:
        past = per_bar["near_usd"].expanding(min_periods=1).median().shift(1)
        per_bar["pressure"] = per_bar["near_usd"] / past
        per_bar.attrs["relative_to"] = "its own past median"
    return per_bar


def realised_log_range(market: Market, horizon: int) -> pd.Series:
    """log(max high / min low) over bars t+1 … t+H (NaN where the window runs past the data)."""
    high = market.bars["high"][::-1].rolling(horizon, min_periods=horizon).max()[::-1].shift(-1)
    low = market.bars["low"][::-1].rolling(horizon, min_periods=horizon).min()[::-1].shift(-1)
    return np.log(high / low).rename("realised")


def _features(market: Market, horizon: int, press: pd.DataFrame | None) -> pd.DataFrame:
    lr = log_range(market).clip(lower=1e-6)
    feats = pd.DataFrame(
        {
            "one": 1.0,
            "r1": np.log(lr),
            "rh": np.log(lr.rolling(horizon, min_periods=1).mean()),
            "r4h": np.log(lr.rolling(4 * horizon, min_periods=1).mean()),
        },
        index=market.bars.index,
    )
    if press is not None:
        scaled = press["pressure"].replace([np.inf, -np.inf], np.nan).fillna(0.0)
        feats["pressure"] = np.log1p(100 * scaled.clip(lower=0))
        feats["density"] = press["density"].fillna(0.0)
    return feats


def _expanding_forecast(features: pd.DataFrame, target: pd.Series, horizon: int, config: VolatilityConfig) -> pd.Series:
    """log-range forecasts; each refit sees only samples whose target window ended before the fit time."""
    x = features.to_numpy()
    y = np.log(target.to_numpy())
    n = len(x)
    out = np.full(n, np.nan)
    for start in range(config.min_train, n, config.refit):
        known = np.arange(0, start - horizon)
        known = known[np.isfinite(y[known]) & np.isfinite(x[known]).all(axis=1)]
        if len(known) < 30:
            continue
        coef, *_ = np.linalg.lstsq(x[known], y[known], rcond=None)
        stop = min(start + config.refit, n)
        out[start:stop] = x[start:stop] @ coef
    return pd.Series(out, index=features.index)


@dataclass(frozen=True)
class ForecastResult:
    """Forecasts, realised values, scores and the current reading."""

    frame: pd.DataFrame  # per bar: realised, baseline, augmented (log range), regime, pressure, density
    n: int  # scored bars (both forecasts and the realised value known)
    n_independent: int  # non-overlapping windows among them
    mae_baseline: float
    mae_augmented: float
    qlike_baseline: float
    qlike_augmented: float
    horizon: int
    relative_to: str

    @property
    def mae_ratio(self) -> float:
        return self.mae_augmented / self.mae_baseline if self.mae_baseline else float("nan")

    @property
    def qlike_ratio(self) -> float:
        return self.qlike_augmented / self.qlike_baseline if self.qlike_baseline else float("nan")

    def verdict(self) -> str:
        if self.n < 50:
            return f"Too few scored bars to judge (n = {self.n})."
        change = 100 * (1 - self.mae_ratio)
        word = "improved" if change > 0 else "did not improve"
        return (
            f"The map {word} the volatility forecast on this data: error {abs(change):.1f} % "
            f"{'lower' if change > 0 else 'higher'} than plain volatility (MAE of log range; "
            f"QLIKE ratio {self.qlike_ratio:.2f}; n = {self.n} bars, ≈ {self.n_independent} independent windows)."
        )

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "model": ["baseline (HAR on range)", "baseline + map pressure"],
                "MAE, log range": [self.mae_baseline, self.mae_augmented],
                "QLIKE": [self.qlike_baseline, self.qlike_augmented],
                "scored bars (n)": [self.n, self.n],
            }
        )


def _qlike(realised: np.ndarray, forecast: np.ndarray) -> float:
    ratio = np.exp(2 * (realised - forecast))  # variance proxy ratio: range² / forecast²
    return float(np.mean(ratio - np.log(ratio) - 1))


def forecast(heatmap: Heatmap, market: Market, config: VolatilityConfig | None = None) -> ForecastResult:
    """Fit baseline and augmented forecasts on an expanding window and score them out of sample."""
    config = config or VolatilityConfig()
    press = pressure(heatmap, market, config.reach_atr)
    target = realised_log_range(market, config.horizon)
    baseline = _expanding_forecast(_features(market, config.horizon, None), target, config.horizon, config)
    augmented = _expanding_forecast(_features(market, config.horizon, press), target, config.horizon, config)
    frame = pd.DataFrame(
        {
            "realised": np.log(target),
            "baseline": baseline,
            "augmented": augmented,
            "pressure": press["pressure"],
            "density": press["density"],
        }
    )
    # Regimes from the forecast's own past quantiles (expanding, so no look-ahead).
    past = frame["augmented"].expanding(min_periods=20)
    low, high = past.quantile(1 / 3).shift(1), past.quantile(2 / 3).shift(1)
    frame["regime"] = np.select(
        [frame["augmented"] <= low, frame["augmented"] <= high, frame["augmented"] > high], list(REGIMES), default=""
    )
    scored = frame[["realised", "baseline", "augmented"]].dropna()
    r, b, a = (scored[c].to_numpy() for c in ("realised", "baseline", "augmented"))
    n = len(scored)
    return ForecastResult(
        frame=frame,
        n=n,
        n_independent=n // config.horizon,
        mae_baseline=float(np.mean(np.abs(r - b))) if n else float("nan"),
        mae_augmented=float(np.mean(np.abs(r - a))) if n else float("nan"),
        qlike_baseline=_qlike(r, b) if n else float("nan"),
        qlike_augmented=_qlike(r, a) if n else float("nan"),
        horizon=config.horizon,
        relative_to=press.attrs["relative_to"],
    )


def expected_move(result: ForecastResult, price: float) -> tuple[float, float]:
    """Latest forecast as ± half the expected high–low range: (USD, %)."""
    latest = result.frame["augmented"].dropna()
    if latest.empty:
        return float("nan"), float("nan")
    expected_range = np.exp(float(latest.iloc[-1]))  # the forecast is of log(log range)
    half = (np.exp(expected_range) - 1) / 2
    return price * half, 100 * half
