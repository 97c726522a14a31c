"""How well does the map match real liquidations? Scores with sample sizes, against a naive baseline.

Where a market carries realised liquidations (`liq_long_usd`, `liq_short_usd`) we compare, bar by bar and per side:

- **map**: rank correlation of the model's implied liquidations (`Heatmap.implied`) with the realised ones;
- **baseline**: the same for the candle's excursion alone (open→low for longs, open→high for shorts): big moves
  liquidate people whatever the map says, so a map must beat this to be worth anything;
- **partial**: rank correlation of map and realised given the baseline — what the map adds beyond the candle;
- **hybrid**: a least-squares blend of log map and excursion fitted on the first part of the bars and scored
  (rank correlation) on the rest, against the baseline scored on the same held-out bars.

Warm-up bars, while the map is still filling, are excluded and counted. For simulated markets the realised columns
are the simulator's true liquidations, and `location_score` also checks where the estimate puts the resting book.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from liqcore.heatmap import Heatmap
from liqcore.market import Market
from liqcore.profile import Profile
from liqcore.stats import average_ranks, pearson, spearman

SIDES = ("long", "short")


@dataclass(frozen=True)
class SideScore:
    """Scores of one side: rank correlations with their sample sizes."""

    side: str
    n: int  # bars scored after warm-up
    active: int  # of those, bars with realised liquidations > 0
    map_rho: float
    baseline_rho: float
    partial_rho: float
    n_test: int  # held-out bars of the hybrid
    hybrid_rho: float
    baseline_test_rho: float


@dataclass(frozen=True)
class ValidationReport:
    """Per-side scores, the warm-up excluded, and a plain-words verdict."""

    sides: tuple[SideScore, ...]
    warmup_bars: int
    train_share: float
    verdict: str

    def table(self) -> pd.DataFrame:
        """One row per side, columns a person can read."""
        rows = [
            {
                "side": s.side,
                "bars scored": s.n,
                "bars with liquidations": s.active,
                "map ρ": s.map_rho,
                "candle-only ρ": s.baseline_rho,
                "map given candle (partial ρ)": s.partial_rho,
                "held-out bars": s.n_test,
                "hybrid ρ (held out)": s.hybrid_rho,
                "candle-only ρ (held out)": s.baseline_test_rho,
            }
            for s in self.sides
        ]
        return pd.DataFrame(rows).set_index("side")


def has_realised(market: Market) -> bool:
    """True when the market carries realised liquidations for both sides."""
    return market.has("liq_long_usd") and market.has("liq_short_usd")


def excursion(market: Market, side: str) -> np.ndarray:
    """The candle-only baseline: how far the bar traded against the side, as a share of the open."""
    bars = market.bars
    if side == "long":
        return ((bars["open"] - bars["low"]) / bars["open"]).to_numpy()
    return ((bars["high"] - bars["open"]) / bars["open"]).to_numpy()


def default_warmup(market: Market) -> int:
    """Bars excluded while the map fills: one day of bars, at most a quarter of the data."""
    per_day = int(pd.Timedelta("1D") / market.interval)
    return max(1, min(per_day, len(market) // 4))


def partial_rank_correlation(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> float:
    """Rank correlation of x and y once the rank-linear part explained by z is removed from both."""
    return _partial(spearman(x, y), spearman(x, z), spearman(y, z))


def _partial(rxy: float, rxz: float, ryz: float) -> float:
    denominator = math.sqrt(max((1 - rxz**2) * (1 - ryz**2), 0.0))
    if not denominator or not all(map(math.isfinite, (rxy, rxz, ryz))):
        return float("nan")
    return (rxy - rxz * ryz) / denominator


def _hybrid(implied: np.ndarray, move: np.ndarray, realised: np.ndarray, split: int) -> tuple[float, float]:
    """Fit log realised ~ log map + excursion on bars before `split`; rank-score on the rest (hybrid, baseline)."""
    design = np.column_stack((np.ones_like(move), np.log1p(implied), move))
    target = np.log1p(realised)
    coef, *_ = np.linalg.lstsq(design[:split], target[:split], rcond=None)
    predicted = design[split:] @ coef
    held_out = average_ranks(realised[split:])  # ranked once for both scores (ranks dominate the cost)
    return pearson(average_ranks(predicted), held_out), pearson(average_ranks(move[split:]), held_out)


def score(market: Market, heatmap: Heatmap, warmup: int | None = None, train_share: float = 0.5) -> ValidationReport:
    """Score the map's implied liquidations against the market's realised ones (see the module docstring)."""
    if not has_realised(market):
        raise ValueError("this market has no realised liquidations (liq_long_usd, liq_short_usd) to score against")
    warmup = default_warmup(market) if warmup is None else warmup
    implied_all = heatmap.implied.reindex(market.bars.index).fillna(0.0)
    sides = []
    for side in SIDES:
        realised = market.bars[f"liq_{side}_usd"].to_numpy()[warmup:]
        implied = implied_all[f"{side}_usd"].to_numpy()[warmup:]
        move = excursion(market, side)[warmup:]
        keep = np.isfinite(realised) & np.isfinite(implied) & np.isfinite(move)
        realised, implied, move = realised[keep], implied[keep], move[keep]
        split = int(len(realised) * train_share)
        ranked_implied, ranked_realised, ranked_move = (average_ranks(v) for v in (implied, realised, move))
        map_rho, baseline_rho = pearson(ranked_implied, ranked_realised), pearson(ranked_move, ranked_realised)
        hybrid_rho, baseline_test = (
            _hybrid(implied, move, realised, split) if split >= 10 and len(realised) - split >= 10 else (np.nan,) * 2
        )
        sides.append(
            SideScore(
                side=side,
                n=len(realised),
                active=int((realised > 0).sum()),
                map_rho=map_rho,
                baseline_rho=baseline_rho,
                partial_rho=_partial(map_rho, pearson(ranked_implied, ranked_move), baseline_rho),
                n_test=len(realised) - split,
                hybrid_rho=float(hybrid_rho),
                baseline_test_rho=float(baseline_test),
            )
        )
    return ValidationReport(tuple(sides), warmup, train_share, _verdict(sides))


def _verdict(sides: list[SideScore]) -> str:
    """Plain words: does the map track realised liquidations better than the candle alone?"""
    parts = []
    for s in sides:
        if s.n < 30 or not math.isfinite(s.map_rho):
            parts.append(f"{s.side}s: too few bars to judge (n = {s.n})")
            continue
        # A partial correlation is meaningful against its standard error of about 1/sqrt(n).
        threshold = 2 / math.sqrt(s.n)
        if math.isfinite(s.partial_rho) and s.partial_rho > threshold:
            parts.append(f"{s.side}s: the map adds to the candle's size (partial ρ = {s.partial_rho:.2f}, n = {s.n})")
        else:
            parts.append(
                f"{s.side}s: the map tracks realised liquidations no better than the candle's size alone "
                f"(partial ρ = {s.partial_rho:.2f}, n = {s.n})"
            )
    return "; ".join(parts) + "."


@dataclass(frozen=True)
class LocationScore:
    """How much of one book's notional lies in the other's densest bins, against a distance-only baseline."""

    side: str
    snapshots: int
    truth_in_estimate_dense: float  # share of true notional inside the estimate's densest bins
    truth_in_nearest: float  # share of true notional inside as many bins nearest to price (the baseline)
    estimate_in_truth_dense: float  # share of estimated notional inside the truth's densest bins


def _dense_bins(values: np.ndarray, mass: float) -> np.ndarray:
    """Mask of the fewest bins holding `mass` of the total (densest first)."""
    order = np.argsort(values)[::-1]
    cumulative = np.cumsum(values[order])
    count = int(np.searchsorted(cumulative, mass * cumulative[-1])) + 1
    mask = np.zeros(len(values), dtype=bool)
    mask[order[:count]] = True
    return mask


def location_score(pairs: list[tuple[Profile, Profile]], mass: float = 0.5) -> tuple[LocationScore, ...]:
    """Compare (estimate, truth) profile pairs on the same bins, per side.

    For each pair and side: the estimate's densest bins holding `mass` of its notional; the share of the true notional
    that falls in them; the same share for as many bins nearest to the price on that side (what a trader guessing
    "liquidations sit close to price" would say); and the reverse share.
    """
    scores = []
    for side in SIDES:
        dense, nearest, reverse, used = [], [], [], 0
        for est, truth in pairs:
            e, t = getattr(est, side), getattr(truth, side)
            if e.sum() <= 0 or t.sum() <= 0:
                continue
            used += 1
            estimate_mask = _dense_bins(e, mass)
            dense.append(t[estimate_mask].sum() / t.sum())
            centers = est.centers
            on_side = centers < est.price if side == "long" else centers > est.price
            distance = np.where(on_side, np.abs(centers - est.price), np.inf)
            near_mask = np.zeros(len(e), dtype=bool)
            near_mask[np.argsort(distance)[: estimate_mask.sum()]] = True
            nearest.append(t[near_mask].sum() / t.sum())
            reverse.append(e[_dense_bins(t, mass)].sum() / e.sum())
        scores.append(
            LocationScore(
                side=side,
                snapshots=used,
                truth_in_estimate_dense=float(np.mean(dense)) if dense else float("nan"),
                truth_in_nearest=float(np.mean(nearest)) if nearest else float("nan"),
                estimate_in_truth_dense=float(np.mean(reverse)) if reverse else float("nan"),
            )
        )
    return tuple(scores)
