"""Volatility: does liquidation pressure near price help forecast how far price will travel?

Pressure at a bar = estimated liquidation notional within reach (±k × ATR(14) of the close), relative to open
interest (USD) — or, for a volume-proxy heatmap, to the median of its own recent past. Density ("hidden pressure") =
share of that notional held by the fullest fifth of the bins in reach (1 = stacked in a few bins, 0.2 = spread
evenly): stacked clusters close together can fire together.

Forecast target: the realised log range over the next H bars, log(max high / min low). Two models, fitted by least
squares on an expanding window (refit every `refit` bars) using only samples whose whole target window is already
past — so no forecast sees the future:

- **baseline** (HAR on log range): log y ~ 1 + log mean range over the last 1, H and 4H bars;
- **augmented**: the baseline plus log(1 + pressure scaled) and density.

Both are scored on the same held-out bars (every forecast is out of sample) by MAE of log range and QLIKE, and
the augmented/baseline ratio says whether the map helped on this data.

Usage::

    result = lc.volatility.forecast(analysis, VolatilityConfig(horizon=12, reach_atr=3))   # or analysis.volatility()
    result.verdict; result.table; result.frame; result.expected_move(analysis.market.last_price)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from liqcore.heatmap import Driver, Heatmap
from liqcore.indicators import atr, log_range
from liqcore.market import Market
from liqcore.stats import past_quantiles

if TYPE_CHECKING:
    from liqcore.analysis import Analysis

REGIMES = ("calm", "elevated", "high")


class PressureBasis(StrEnum):
    """What pressure is measured against (reads as these words in text)."""

    OPEN_INTEREST = "open interest"
    OWN_PAST = "its own past median"


NO_DIFFERENCE_PCT = 1.0  # error changes within this many percent are reported as no difference


@dataclass(frozen=True)
class VolatilityConfig:
    """Forecast horizon (bars), reach (× ATR), warm-up and refit cadence (bars)."""

    horizon: int = 12
    reach_atr: float = 3.0
    min_train: int = 300
    refit: int = 50


def pressure(heatmap: Heatmap, market: Market, reach_atr: float = 3.0, history: int = 500) -> pd.DataFrame:
    """Per bar: estimated liquidation notional within reach of the close, by side, its pressure and density.

    Each bar reads the latest heatmap snapshot at or before it (never a later one) and counts the longs resting in
    [close − k·ATR, close) and the shorts in (close, close + k·ATR], with the bar's own close and ATR(14).

    Pressure = notional within reach / open interest (USD) when the heatmap was driven by open interest; otherwise
    (``Driver.VOLUME_PROXY``) / the median of the same notional over the previous `history` bars, so 1 means
    "as usual". ``pressure_long`` and ``pressure_short`` share the denominator and add up to ``pressure``.

    Density ("hidden pressure") = share of the notional in reach held by the fullest fifth of the bins in reach
    (at least one bin): 1 when it is stacked in a few adjacent price levels that can fire together, 0.2 when it is
    spread evenly. 0 when nothing is in reach.
    """
    bars = market.bars
    column = heatmap.times.searchsorted(bars.index, side="right") - 1
    has_snapshot = column >= 0
    close = bars["close"].to_numpy()
    reach = atr(market).to_numpy() * reach_atr
    centers = heatmap.centers
    # What a bar reads depends only on its snapshot and on which bins are in reach below and above its close, so
    # each distinct (snapshot, bins in reach) is computed once: a few thousand instead of every bar of a long history.
    long_from = np.searchsorted(centers, close - reach, side="left")  # longs: bins [long_from, long_to)
    long_to = np.searchsorted(centers, close, side="left")
    short_from = np.searchsorted(centers, close, side="right")  # shorts: bins [short_from, short_to)
    short_to = np.searchsorted(centers, close + reach, side="right")
    snapshot = np.clip(column, 0, None)
    span = len(centers) + 1  # short_from is long_to, or one more when the close sits on a bin centre
    in_reach = ((long_from * span + long_to) * 2 + (short_from - long_to)) * span + short_to
    in_reach = np.unique(in_reach, return_inverse=True)[1]
    _, first, which = np.unique(snapshot * (in_reach.max() + 1) + in_reach, return_index=True, return_inverse=True)
    reads = np.column_stack((snapshot, long_from, long_to, short_from, short_to))[first]
    long_near, short_near, density = (values[which] for values in _near(heatmap, reads))
    frame = pd.DataFrame(
        {
            "long_near_usd": long_near,
            "short_near_usd": short_near,
            "near_usd": long_near + short_near,
            "density": density,
        },
        index=bars.index,
    )
    frame[~has_snapshot] = np.nan
    if pressure_basis(heatmap, market) is PressureBasis.OPEN_INTEREST:
        denominator = _open_interest_usd(market).ffill()
    else:
        denominator = frame["near_usd"].rolling(history, min_periods=1).median().shift(1)
    denominator = denominator.where(denominator > 0)
    frame["pressure_long"] = frame["long_near_usd"] / denominator
    frame["pressure_short"] = frame["short_near_usd"] / denominator
    frame["pressure"] = frame["near_usd"] / denominator
    return frame


def _near(heatmap: Heatmap, reads: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Long and short USD in reach and the density, for rows (snapshot, first long bin, end of long bins, first short
    bin, end of short bins) of bin positions."""
    bins = np.arange(len(heatmap.centers))[None, :]
    long_near = np.zeros(len(reads))
    short_near = np.zeros(len(reads))
    density = np.zeros(len(reads))
    for chunk in np.array_split(np.arange(len(reads)), max(1, len(reads) // 2000)):
        rows, long_from, long_to, short_from, short_to = reads[chunk].T[:, :, None]
        below = (bins >= long_from) & (bins < long_to)
        above = (bins >= short_from) & (bins < short_to)
        longs = heatmap.long[rows[:, 0]] * below
        shorts = heatmap.short[rows[:, 0]] * above
        near = longs + shorts
        total = near.sum(axis=1)
        top_count = np.maximum((below | above).sum(axis=1) // 5, 1)
        top_sum = np.cumsum(np.sort(near, axis=1)[:, ::-1], axis=1)[np.arange(len(chunk)), top_count - 1]
        long_near[chunk] = longs.sum(axis=1)
        short_near[chunk] = shorts.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            density[chunk] = np.where(total > 0, top_sum / total, 0.0)
    return long_near, short_near, density


def pressure_basis(heatmap: Heatmap, market: Market) -> PressureBasis:
    """What `pressure` is relative to: open interest when it drove the map and is in the data, else its own past."""
    if heatmap.driver is Driver.OPEN_INTEREST and _open_interest_usd(market) is not None:
        return PressureBasis.OPEN_INTEREST
    return PressureBasis.OWN_PAST


def _open_interest_usd(market: Market) -> pd.Series | None:
    if market.has("open_interest_usd"):
        return market.bars["open_interest_usd"]
    if market.has("open_interest"):
        return market.bars["open_interest"] * market.bars["close"]
    return None


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
    """log-range forecasts; each refit sees only samples whose target window ended before the fit time.

    The refit at bar s is the least-squares fit on every usable sample i < s − H. Its normal equations XᵀX and Xᵀy
    are running sums, so they grow by one block of samples per refit instead of being rebuilt from every earlier
    bar (linear in the bars; refitting by `lstsq` on the whole past each time took minutes on 100k bars). The
    solution is the pseudo-inverse one, as `lstsq` gives, with singular directions below 1e-12 of the largest
    dropped (a constant feature).
    """
    x = features.to_numpy()
    y = np.log(target.to_numpy())
    n, k = x.shape
    out = np.full(n, np.nan)
    starts = np.arange(config.min_train, n, config.refit)
    if not len(starts):
        return pd.Series(out, index=features.index)
    usable = np.isfinite(y) & np.isfinite(x).all(axis=1)
    known_until = np.clip(starts - horizon, 0, None)  # samples [0, known_until) are known at each refit
    gram, moment = _normal_equations(np.where(usable[:, None], x, 0.0), np.where(usable, y, 0.0), known_until)
    count = np.concatenate(([0], np.cumsum(usable)))[known_until]
    fitted = count >= 30
    coef = np.full((len(starts), k), np.nan)
    if fitted.any():
        coef[fitted] = (np.linalg.pinv(gram[fitted], rcond=1e-12, hermitian=True) @ moment[fitted][:, :, None])[..., 0]
    refit_of_bar = (np.arange(config.min_train, n) - config.min_train) // config.refit
    out[config.min_train :] = np.einsum("ij,ij->i", x[config.min_train :], coef[refit_of_bar])
    return pd.Series(out, index=features.index)


def _normal_equations(x: np.ndarray, y: np.ndarray, until: np.ndarray, chunk: int = 50_000) -> tuple[np.ndarray, ...]:
    """XᵀX and Xᵀy of the rows before each of the ascending positions `until`: running sums, a chunk at a time."""
    k = x.shape[1]
    gram, moment = np.zeros((len(until), k, k)), np.zeros((len(until), k))
    running_gram, running_moment = np.zeros((k, k)), np.zeros(k)
    for low in range(0, len(x), chunk):
        block, block_y = x[low : low + chunk], y[low : low + chunk]
        cum_gram = running_gram + np.cumsum(block[:, :, None] * block[:, None, :], axis=0)
        cum_moment = running_moment + np.cumsum(block * block_y[:, None], axis=0)
        inside = (until > low) & (until <= low + len(block))
        gram[inside], moment[inside] = cum_gram[until[inside] - low - 1], cum_moment[until[inside] - low - 1]
        running_gram, running_moment = cum_gram[-1], cum_moment[-1]
    return gram, moment


@dataclass(frozen=True)
class ForecastResult:
    """What a fitted `VolatilityModel` returns: per-bar forecasts, realised values, out-of-sample scores.

    ``frame`` holds per bar: ``realised``, ``baseline``, ``augmented`` (all log of the H-bar log range), ``regime``,
    and the pressure columns. Scores use only bars where both forecasts and the outcome exist.
    """

    frame: pd.DataFrame
    n: int  # scored bars (both forecasts and the realised value known)
    n_independent: int  # non-overlapping H-bar windows among them (neighbouring windows overlap and share errors)
    mae_baseline: float
    mae_augmented: float
    qlike_baseline: float
    qlike_augmented: float
    horizon: int
    relative_to: PressureBasis
    config: VolatilityConfig

    @property
    def mae_ratio(self) -> float:
        """Augmented / baseline MAE (below 1: the map helped)."""
        return self.mae_augmented / self.mae_baseline if self.mae_baseline else float("nan")

    @property
    def qlike_ratio(self) -> float:
        """Augmented / baseline QLIKE (below 1: the map helped)."""
        return self.qlike_augmented / self.qlike_baseline if self.qlike_baseline else float("nan")

    @property
    def improvement_pct(self) -> float:
        """Percent reduction of the MAE by adding the map (negative: the map made it worse)."""
        return 100 * (1 - self.mae_ratio)

    @property
    def verdict(self) -> str:
        """One plain sentence: did the map improve the forecast here, by how much, on how many bars.

        Each error measure counts as better or worse only beyond ±1 %; a verdict either way needs one measure to
        move that way and the other not to move against it.
        """
        if self.n < 50:
            return f"Too few scored bars to judge (n = {self.n})."
        mae, qlike = self.improvement_pct, 100 * (1 - self.qlike_ratio)
        sample = f"n = {self.n} scored bars, {self.n_independent} non-overlapping {self.horizon}-bar windows"
        changes = f"MAE of log range {_change(mae)}, QLIKE {_change(qlike)} with the map"
        better = [m > NO_DIFFERENCE_PCT for m in (mae, qlike)]
        worse = [m < -NO_DIFFERENCE_PCT for m in (mae, qlike)]
        if any(better) and any(worse):
            return f"No clear edge: the two error measures disagree; {changes} ({sample})."
        if any(better):
            return f"The map improved the forecast on this data: {changes} ({sample})."
        if any(worse):
            return f"The map made the forecast worse on this data: {changes} ({sample})."
        return f"No edge found: the map did not improve the forecast on this data; {changes} ({sample})."

    @property
    def table(self) -> pd.DataFrame:
        """The scoring table the page shows."""
        return pd.DataFrame(
            {
                "model": ["baseline (HAR on range)", "baseline + map pressure"],
                "MAE, log range": [self.mae_baseline, self.mae_augmented],
                "QLIKE": [self.qlike_baseline, self.qlike_augmented],
                "scored bars (n)": [self.n, self.n],
                "non-overlapping windows": [self.n_independent, self.n_independent],
            }
        )

    def expected_move(self, price: float, model: str = "augmented") -> tuple[float, float]:
        """The latest forecast of the next H bars' high–low range as ± half of it around `price`: (USD, %)."""
        latest = self.frame[model].dropna()
        if latest.empty:
            return float("nan"), float("nan")
        expected_range = np.exp(float(latest.iloc[-1]))  # the forecast is of log(log range)
        half = (np.exp(expected_range) - 1) / 2
        return price * half, 100 * half


def _qlike(realised: np.ndarray, forecast: np.ndarray) -> float:
    ratio = np.exp(2 * (realised - forecast))  # variance proxy ratio: range² / forecast²
    return float(np.mean(ratio - np.log(ratio) - 1))


@dataclass(frozen=True)
class VolatilityModel:
    """Configured once, fitted on an analysis (its market and map), returns a `ForecastResult` (the `arch` pattern)."""

    config: VolatilityConfig = VolatilityConfig()

    def fit(self, analysis: Analysis) -> ForecastResult:
        """Fit baseline and augmented forecasts on an expanding window and score them out of sample."""
        config = self.config
        heatmap, market = analysis.heatmap, analysis.market
        press = pressure(heatmap, market, config.reach_atr)
        target = realised_log_range(market, config.horizon)
        baseline = _expanding_forecast(_features(market, config.horizon, None), target, config.horizon, config)
        augmented = _expanding_forecast(_features(market, config.horizon, press), target, config.horizon, config)
        frame = pd.DataFrame({"realised": np.log(target), "baseline": baseline, "augmented": augmented})
        frame = frame.join(press[["pressure", "pressure_long", "pressure_short", "density"]])
        frame["regime"] = regimes(frame["augmented"])
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
            relative_to=pressure_basis(heatmap, market),
            config=config,
        )


def regimes(forecast_series: pd.Series, min_history: int = 20) -> pd.Series:
    """calm / elevated / high: the forecast against the terciles of its own earlier values ("" until known)."""
    low, high = past_quantiles(forecast_series, (1 / 3, 2 / 3), min_history)
    labels = np.select(
        [forecast_series <= low, forecast_series <= high, forecast_series > high], list(REGIMES), default=""
    )
    return pd.Series(labels, index=forecast_series.index, name="regime")


def forecast(analysis: Analysis, config: VolatilityConfig | None = None) -> ForecastResult:
    """Shortcut for ``VolatilityModel(config).fit(analysis)``."""
    return VolatilityModel(config or VolatilityConfig()).fit(analysis)


def _change(improvement_pct: float) -> str:
    """`2.1` → "2.1 % lower"; `-1.5` → "1.5 % higher" (errors: lower is better)."""
    return f"{abs(improvement_pct):.1f} % {'lower' if improvement_pct >= 0 else 'higher'}"
