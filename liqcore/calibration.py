"""`calibrate`: fit a few model assumptions to a market's realised liquidations, walk-forward.

Fitted assumptions (a small stated grid, 27 candidates around the given config):

- `turnover_per_hour` ∈ {0, 3 %, 10 %} — how much hidden churn refills crossed levels;
- `entry_width` ∈ {25 %, 50 %, 100 %} of the bar's range (2 entry prices) — where in the bar positions open;
- leverage-mix shape: tier weights ∝ leverage^a, a ∈ {−1, −0.5, 0} — how much of the crowd sits at high leverage.

Score: the mean over both sides of the partial rank correlation of implied with realised liquidations given the
candle's size (what the map adds beyond the candle). Walk-forward: the scored bars are cut into `blocks` + 1 equal
blocks; for each block after the first, the candidate with the best score on all bars before it is chosen and scored
on that block. The model is causal (a bar's implied liquidations use only earlier bars), so each candidate is
estimated once. Deterministic; a year of hourly bars takes seconds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from liqcore.config import ModelConfig
from liqcore.engine import estimate
from liqcore.errors import DataError
from liqcore.market import Market, format_interval
from liqcore.stats import spearman
from liqcore.validation import (
    SIDES,
    default_warmup,
    excursion,
    has_realised,
    on_realised_periods,
    partial_rank_correlation,
)

TURNOVER = (0.0, 0.03, 0.1)
ENTRY_WIDTH = (0.25, 0.5, 1.0)
LEVERAGE_SHAPE = (-1.0, -0.5, 0.0)


@dataclass(frozen=True)
class Calibration:
    """The fitted config, out-of-sample scores beside the uncalibrated config and the candle, and the blocks."""

    config: ModelConfig  # fitted on all scored bars (use it from now on)
    base: ModelConfig
    fitted: dict[str, float]  # the fitted assumptions, by name
    blocks: pd.DataFrame  # per out-of-sample block: start, end, bars, chosen assumptions, scores
    calibrated_partial: float  # mean over blocks and sides of the out-of-sample partial ρ
    preset_partial: float  # same for the uncalibrated config
    calibrated_rho: float  # mean out-of-sample map ρ of the calibrated choice
    preset_rho: float
    candle_rho: float  # the candle's own ρ on the same blocks
    span: str  # the data span it was fitted on, for labels ("2026-05-21 → 2026-06-08")
    verdict: str


def _candidates(base: ModelConfig) -> list[tuple[dict[str, float], ModelConfig]]:
    tiers = np.asarray(base.leverage_tiers, dtype=float)
    out = []
    for turnover, width, shape in itertools.product(TURNOVER, ENTRY_WIDTH, LEVERAGE_SHAPE):
        weights = tuple(float(w) for w in tiers**shape / (tiers**shape).sum())
        config = base.with_changes(
            turnover_per_hour=turnover,
            entry_rule="range",
            entry_points=2,
            entry_width=width,
            long_weights=weights,
            short_weights=weights,
        )
        out.append(({"turnover_per_hour": turnover, "entry_width": width, "leverage_shape": shape}, config))
    return out


def _side_arrays(market: Market, implied: pd.DataFrame, warmup: int) -> dict[str, tuple[np.ndarray, ...]]:
    out = {}
    for side in SIDES:
        out[side] = (
            implied[f"{side}_usd"].to_numpy()[warmup:],
            market.bars[f"liq_{side}_usd"].to_numpy()[warmup:],
            excursion(market, side)[warmup:],
        )
    return out


def _implied_arrays(market: Market, config: ModelConfig, warmup: int) -> dict[str, tuple[np.ndarray, ...]]:
    """One candidate's implied, realised and candle arrays per side, on the realised liquidations' own periods."""
    scored, implied, _ = on_realised_periods(market, estimate(market, config, columns=2).implied)
    return _side_arrays(scored, implied, warmup)


def _score(arrays: dict[str, tuple[np.ndarray, ...]], part: slice) -> tuple[float, float, float]:
    """Mean over sides of partial ρ, map ρ and candle ρ on the bars in `part` (NaN rows left out)."""
    partial, rho, candle = [], [], []
    for implied, realised, move in arrays.values():
        i, r, m = implied[part], realised[part], move[part]
        keep = np.isfinite(i) & np.isfinite(r) & np.isfinite(m)
        partial.append(partial_rank_correlation(i[keep], r[keep], m[keep]))
        rho.append(spearman(i[keep], r[keep]))
        candle.append(spearman(m[keep], r[keep]))
    return float(np.mean(partial)), float(np.mean(rho)), float(np.mean(candle))


def calibrate(
    market: Market,
    config: ModelConfig | None = None,
    blocks: int = 4,
    progress: Callable[[float, str], None] | None = None,
) -> Calibration:
    """Fit turnover, entry width and leverage-mix shape to the market's realised liquidations, walk-forward."""
    if not has_realised(market):
        raise DataError(
            f"{market.symbol}: this data has no realised liquidations (liq_long_usd / liq_short_usd), so there is "
            "nothing to calibrate against. Load a file with them (e.g. CoinGlass liquidation history merged with "
            "your candles)."
        )
    base = config or ModelConfig()
    scored, _, period_bars = on_realised_periods(market, pd.DataFrame(columns=["long_usd", "short_usd"], dtype=float))
    warmup = default_warmup(scored)
    n = len(scored) - warmup
    if n < 30 * (blocks + 1):
        raise DataError(f"{market.symbol}: {n} bars after warm-up are too few to calibrate in {blocks + 1} blocks.")
    candidates = _candidates(base)
    arrays = []
    for k, (_, candidate) in enumerate(candidates):
        if progress:
            progress(k / (len(candidates) + 1), f"estimating candidate {k + 1} of {len(candidates)}")
        arrays.append(_implied_arrays(market, candidate, warmup))
    preset_arrays = _implied_arrays(market, base, warmup)
    cuts = np.linspace(0, n, blocks + 2).round().astype(int)
    rows = []
    for b in range(1, blocks + 1):
        past, test = slice(0, cuts[b]), slice(cuts[b], cuts[b + 1])
        best = int(np.nanargmax([_score(a, past)[0] for a in arrays]))
        partial, rho, candle = _score(arrays[best], test)
        preset_partial, preset_rho, _ = _score(preset_arrays, test)
        index = scored.bars.index[warmup:]
        rows.append(
            {
                "start": index[cuts[b]],
                "end": index[cuts[b + 1] - 1],
                "bars": int(cuts[b + 1] - cuts[b]),
                **candidates[best][0],
                "calibrated partial ρ": partial,
                "preset partial ρ": preset_partial,
                "calibrated map ρ": rho,
                "preset map ρ": preset_rho,
                "candle ρ": candle,
            }
        )
    table = pd.DataFrame(rows)
    final = int(np.nanargmax([_score(a, slice(0, n))[0] for a in arrays]))
    if progress:
        progress(1.0, "done")
    cal, pre = float(table["calibrated partial ρ"].mean()), float(table["preset partial ρ"].mean())
    tested = int(table["bars"].sum())
    if math.isfinite(cal) and cal > pre:
        verdict = (
            f"Calibrating helps out of sample: partial ρ given the candle {cal:.2f} vs {pre:.2f} for the uncalibrated "
            f"model ({blocks} blocks, {tested:,} bars never used to choose the assumptions they were scored with)."
        )
    else:
        verdict = (
            f"Calibrating does not help out of sample: partial ρ {cal:.2f} vs {pre:.2f} uncalibrated ({blocks} blocks, "
            f"{tested:,} bars); keep the preset."
        )
    if period_bars > 1:
        verdict += f" Bars are {format_interval(scored.interval)} periods, the realised liquidations' own."
    start, end = scored.bars.index[warmup], scored.bars.index[-1]
    return Calibration(
        config=candidates[final][1],
        base=base,
        fitted=candidates[final][0],
        blocks=table,
        calibrated_partial=cal,
        preset_partial=pre,
        calibrated_rho=float(table["calibrated map ρ"].mean()),
        preset_rho=float(table["preset map ρ"].mean()),
        candle_rho=float(table["candle ρ"].mean()),
        span=f"{start:%Y-%m-%d} → {end:%Y-%m-%d}",
        verdict=verdict,
    )
