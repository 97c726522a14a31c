"""Truth versus estimate: each analysis run twice, on the simulator's true book and on the estimated map, over seeds.

Why: on one simulated run a learner sees "no edge found" and cannot tell whether the idea is wrong, the estimate is
wrong, or the sample is too small. Running the same reading and the same history check on the true book (what a
perfect map would show) and on the estimate, over several seeds of the same scenario, separates the three: the
true book's numbers say whether the idea has an edge in this market; the estimate's say how much of it the map keeps;
the spread over seeds says how much is noise.

The true book is put in the estimate's shape (`true_heatmap`: same snapshot times and price bins, the simulator's
resting liquidation notional at each snapshot, the true liquidations per bar as its implied ones), so every
analysis runs on it unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from liqcore.analysis import Analysis, analyse
from liqcore.breakouts import BreakoutConfig, scan
from liqcore.config import ModelConfig
from liqcore.heatmap import Heatmap
from liqcore.market import Market
from liqcore.sentiment import SentimentConfig, read
from liqcore.simulator import Simulation, simulate
from liqcore.validation import score
from liqcore.volatility import VolatilityConfig, forecast

TRUTH_SEEDS = 5  # seeds per comparison: about 10–20 s of simulation and analysis per scenario on one core
TRUTH_SNAPSHOTS = 200
TRUE_BOOK_NOTE = "The simulator's true position book, not an estimate."
_T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


@dataclass(frozen=True, eq=False)
class SeedPair:
    """One seed of a scenario: the analysis of its estimated map, and the same analysis on the true book."""

    seed: int
    estimate: Analysis
    truth: Analysis

    @property
    def market(self) -> Market:
        return self.estimate.market


def true_heatmap(sim: Simulation, heatmap: Heatmap) -> Heatmap:
    """The simulator's true book at each of `heatmap`'s snapshots, on its price bins, as a `Heatmap`.

    Each column holds the USD (at entry) of positions open at the close of that snapshot's bar, binned by their
    liquidation price; `implied` is the true liquidations per bar.
    """
    pos = sim.positions
    bars = sim.market.bars.index.searchsorted(heatmap.times)
    edges = heatmap.price_edges
    bins = np.searchsorted(edges, pos["liq"].to_numpy(), side="right") - 1
    inside = (bins >= 0) & (bins < len(edges) - 1)
    notional = (pos["qty"] * pos["entry"]).to_numpy()
    opened, ended = pos["open_bar"].to_numpy(), pos["end_bar"].to_numpy()
    is_long = pos["side"].to_numpy() == "long"
    grids = {side: np.zeros((len(bars), len(edges) - 1)) for side in ("long", "short")}
    for j, bar in enumerate(bars):
        alive = inside & (opened <= bar) & (ended > bar)
        for side, mine in (("long", is_long), ("short", ~is_long)):
            mask = alive & mine
            grids[side][j] = np.bincount(bins[mask], weights=notional[mask], minlength=len(edges) - 1)
    realised = sim.market.bars.loc[heatmap.implied.index]
    implied = pd.DataFrame(
        {"long_usd": realised["liq_long_usd"].to_numpy(), "short_usd": realised["liq_short_usd"].to_numpy()},
        index=heatmap.implied.index,
    )
    return replace(
        heatmap,
        long=grids["long"],
        short=grids["short"],
        implied=implied,
        notes=(TRUE_BOOK_NOTE,),
        long_by_tier=None,
        short_by_tier=None,
    )


def pair_seed(sim: Simulation, config: ModelConfig) -> SeedPair:
    """One simulated seed's estimated map (whole series, `TRUTH_SNAPSHOTS` columns) and its true book.

    Apart from the simulation because that does not depend on the model and is most of the cost (~1 s CPU per
    two-week seed against ~0.1 s for this): a model change can map the same simulations again."""
    estimated = analyse(sim, config, snapshots=TRUTH_SNAPSHOTS)
    truth = replace(estimated, heatmap=true_heatmap(sim, estimated.heatmap), key=estimated.key + "|true book")
    return SeedPair(sim.seed, estimated, truth)


def seed_pairs(scenario: str, config: ModelConfig, seeds: tuple[int, ...], bars: int | None = None) -> list[SeedPair]:
    """Simulate each seed (`bars` long, default two weeks) and pair its estimated map with its true book."""
    return [pair_seed(simulate(scenario, seed=seed, bars=bars), config) for seed in seeds]


def comparison_seeds(seed: int, count: int = TRUTH_SEEDS) -> tuple[int, ...]:
    """The loaded seed and the next `count − 1`, so the learner's own run is one of them."""
    return tuple(seed + k for k in range(count))


@dataclass(frozen=True)
class Comparison:
    """One reading on the true book and on the estimate: per-seed values, mean and 95 % interval over seeds.

    `table` has one row per map ("true book", "estimate"): seeds, mean, low, high, and the per-seed values;
    `metric` says what the number is and which sign means the idea works.
    """

    reading: str
    metric: str
    unit: str
    table: pd.DataFrame
    verdict: str


def mean_interval(values: list[float]) -> tuple[float, float, float, int]:
    """Mean and 95 % t-interval over seeds (finite values only): mean, low, high, n."""
    finite = np.array([v for v in values if math.isfinite(v)], dtype=float)
    n = len(finite)
    if n == 0:
        return (math.nan, math.nan, math.nan, 0)
    mean = float(finite.mean())
    if n == 1:
        return (mean, math.nan, math.nan, 1)
    half = _T_975.get(n - 1, 1.96) * float(finite.std(ddof=1)) / math.sqrt(n)
    return (mean, mean - half, mean + half, n)


def _describe(name: str, mean: float, low: float, high: float, unit: str) -> str:
    if not math.isfinite(mean):
        return f"the {name} gives no value (too few events)"
    if not math.isfinite(low):
        return f"the {name} gives {mean:+.2f}{unit} (one seed only, no interval)"
    where = "above 0" if low > 0 else ("below 0" if high < 0 else "an interval that includes 0")
    return f"the {name} gives {mean:+.2f}{unit} (95 % interval {low:+.2f} to {high:+.2f}, {where})"


def _comparison(reading: str, metric: str, unit: str, pairs: list[SeedPair], value: Callable) -> Comparison:
    rows, stats = [], {}
    for name, pick in (("true book", lambda p: p.truth), ("estimate", lambda p: p.estimate)):
        values = [float(value(pick(p))) for p in pairs]
        mean, low, high, n = mean_interval(values)
        stats[name] = (mean, low, high)
        rows.append(
            {"map": name, "seeds": n, "mean": mean, "low": low, "high": high}
            | {f"seed {p.seed}": v for p, v in zip(pairs, values, strict=True)}
        )
    truth, est = stats["true book"], stats["estimate"]
    if math.isfinite(truth[1]) and truth[1] <= 0 <= truth[2]:
        lead = "Even the true book shows no clear edge for this reading here: "
    elif math.isfinite(truth[1]) and truth[1] > 0:
        lead = "With a perfect map the reading works in this market: "
    elif math.isfinite(truth[2]) and truth[2] < 0:
        lead = "With a perfect map the reading points the wrong way in this market: "
    else:
        lead = ""
    kept = ""
    if math.isfinite(truth[0]) and math.isfinite(est[0]) and truth[0] > 0:
        share = 100 * est[0] / truth[0]
        kept = (
            f" The estimate keeps about {share:.0f} % of the true book's value."
            if share > 0
            else " The estimate keeps none of it: on the estimated map the reading points the other way."
        )
    verdict = (
        f"{lead}{_describe('true book', *truth, unit)}; {_describe('estimate', *est, unit)}, over {len(pairs)} "
        f"seeds.{kept}"
    )
    return Comparison(reading, metric, unit, pd.DataFrame(rows), verdict)


def sentiment_edge(analysis: Analysis, config: SentimentConfig) -> float:
    """Percentage points by which labelled snapshots reached the heavier side first more often than all snapshots
    (pooled over both labels, weighted by their counts); nan without labelled snapshots."""
    check = read(analysis, config).check
    rows = [r for r in check.rows if r.n and r.label != "balanced"]
    n = sum(r.n for r in rows)
    return 100 * sum(r.n * (r.rate - r.base_rate) for r in rows) / n if n else math.nan


def compare_sentiment(pairs: list[SeedPair], config: SentimentConfig) -> Comparison:
    """The squeeze reading's history check on the true book and on the estimate."""
    return _comparison(
        "sentiment",
        "hit rate after a squeeze-risk reading minus the base rate (reached the heavier side first within "
        f"{config.horizon} bars); above 0 means the reading pointed the right way",
        " pp",
        pairs,
        lambda analysis: sentiment_edge(analysis, config),
    )


def compare_volatility(pairs: list[SeedPair], config: VolatilityConfig) -> Comparison:
    """How much the map's pressure improves the range forecast, with the true book and with the estimate."""
    return _comparison(
        "volatility",
        f"forecast error (MAE of the log {config.horizon}-bar range) lower with the map than without, in %; above 0 "
        "means the map helped",
        " %",
        pairs,
        lambda analysis: forecast(analysis, config).improvement_pct,
    )


def fakeout_edge(analysis: Analysis, config: BreakoutConfig) -> float:
    """Fakeout rate of thin breakouts minus that of dense ones, in percentage points (nan without both kinds)."""
    table = scan(analysis, config).table.set_index("zone")
    if not {"thin", "dense"} <= set(table.index) or not (table.loc[["thin", "dense"], "n"] > 0).all():
        return math.nan
    return 100 * float(table.loc["thin", "fakeout_rate"] - table.loc["dense", "fakeout_rate"])


def compare_fakeouts(pairs: list[SeedPair], config: BreakoutConfig) -> Comparison:
    """Do breakouts into thin zones fail more often than into dense ones — by the true book and by the estimate?"""
    return _comparison(
        "fakeouts",
        "fakeout rate of breakouts into thin zones minus into dense zones, in percentage points; above 0 means "
        "thin breakouts failed more often, as the idea says",
        " pp",
        pairs,
        lambda analysis: fakeout_edge(analysis, config),
    )


def validation_rho(analysis: Analysis) -> float:
    """Mean over both sides of the partial rank correlation of implied with true liquidations, given the candle."""
    values = [s.partial_rho for s in score(analysis.market, analysis.heatmap).sides if math.isfinite(s.partial_rho)]
    return float(np.mean(values)) if values else math.nan


def compare_validation(pairs: list[SeedPair]) -> Comparison:
    """How well each map's liquidations per bar match the true ones beyond what the candle's size explains."""
    return _comparison(
        "validation",
        "partial rank correlation of the map's liquidations per bar with the true ones, given the candle's "
        "excursion (mean of longs and shorts); 1 is perfect, 0 adds nothing to the candle",
        "",
        pairs,
        validation_rho,
    )
