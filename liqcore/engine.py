"""The fast cohort engine and `estimate`, the model's entry point.

The reference (`liqcore.reference`) walks bar by bar. This engine gets the same map without a per-bar loop:

1. **Deaths at once.** A long cohort born in bar b dies in the first later bar whose low reaches its price (a short:
   whose high does). That first-passage time is found for all cohorts together by a descent over a sparse table of
   running minima (maxima): O(log T) vectorised steps. Oldest-first closes and the age limit are first-passage times
   on monotone sequences (`searchsorted`). A cohort's end is the earliest of the three; it counts as liquidated when
   the price death comes first (consumption runs before closing in a bar).
2. **Survival as one curve.** Pro-rata closes, turnover and decay scale every live cohort alike, so they form one
   cumulative log-survival G(t); a cohort's notional at the end of bar t is ``v_b · exp(G(t) − G(b))``.
3. **Heat by a short recurrence over snapshot columns.** ``H_j = H_{j−1} · exp(G(c_j) − G(c_{j−1})) + births_j −
   deaths_j``, where births and deaths are scattered at their value at that column (exponents ≤ 0, so no
   cancellation of huge numbers). The loop runs over columns (≤ a few hundred), not bars.

Cohorts go through steps 1 and 3 a chunk of birth bars at a time (`CHUNK_COHORTS`): the work is the same, but the
temporaries stay small, which on a year of minute bars with several entry points is about twice as fast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from liqcore.cohorts import ModelInputs, prepare, snapshot_bars
from liqcore.config import ModelConfig
from liqcore.heatmap import Heatmap
from liqcore.market import Market
from liqcore.reference import reference_inputs, run_reference

CHUNK_COHORTS = 1 << 18  # cohorts evolved at a time: temporaries stay in cache and peak memory stays bounded


def _sparse_table(values: np.ndarray, reduce: np.ufunc, sentinel: float) -> list[np.ndarray]:
    """table[k][i] = reduce(values[i : min(i + 2**k, T)]), plus one `sentinel` slot at T that never lets a search move
    on, so positions at or past the end need no masking. Each level is written in place (no padded copies)."""
    n = len(values)
    first = np.empty(n + 1)
    first[:n], first[n] = values, sentinel
    table = [first]
    span = 1
    while span < n:
        prev, level = table[-1], np.empty(n + 1)
        reduce(prev[: n - span], prev[span:n], out=level[: n - span])
        level[n - span :] = prev[n - span :]  # windows cut by the end: the last slots and the sentinel carry over
        table.append(level)
        span *= 2
    return table


def first_passage(
    levels: list[np.ndarray], start: np.ndarray, price: np.ndarray, below: bool, horizon: int | None = None
) -> np.ndarray:
    """For each cohort, the first bar ≥ start where the low ≤ price (below=True) or the high ≥ price; T if never.

    `levels` is the sparse table (with its sentinel slot) of running minima of lows (below=True) or maxima of highs;
    a gather clipped to the sentinel slot reads positions past the end as "stop here". With a `horizon`, only the
    levels needed to look that many bars ahead are descended: a passage further away comes back as some bar at least
    `horizon` bars after the start (not necessarily the passage), which callers treat as "not within the horizon".
    """
    n = len(levels[0]) - 1
    pos = start.astype(np.int64)
    top = len(levels) if horizon is None else min(len(levels), max(1, int(horizon).bit_length()))
    for k in range(top - 1, -1, -1):
        block = levels[k].take(pos, mode="clip")
        pos += (block > price if below else block < price) << k
    return np.minimum(pos, n, out=pos)


def _side_cohorts(
    inputs: ModelInputs, share: np.ndarray, liq: np.ndarray, bars: np.ndarray, queue_start: float
) -> dict[str, np.ndarray]:
    """Flatten one side's new cohorts of some birth bars: birth bar, liquidation price, tier, notional, and place in
    the closing queue (base units opened up to and including the cohort, counted from `queue_start`)."""
    _, points, k_tiers = liq.shape
    qty = (inputs.opened[bars, None, None] * share[bars, None, :] / points * np.ones((1, points, 1))).reshape(-1)
    queue_end = np.cumsum(np.concatenate(([queue_start], qty)))[1:]
    usd = qty * np.repeat(inputs.entry[bars], k_tiers, axis=1).reshape(-1)
    return {
        "born": np.repeat(bars, points * k_tiers),
        "price": liq[bars].reshape(-1),
        "tier": np.tile(np.arange(k_tiers), len(bars) * points),
        "usd": usd,
        "queue_end": queue_end,
    }


class _SideTotals:
    """Running sums of one side over cohort chunks: implied liquidations per bar, heat births and deaths per cell; and
    what every chunk asks the same: the first snapshot column at or after each bar (looked up instead of searched per
    cohort), whether the same-bar rule is on, and how far ahead a first passage can still matter."""

    def __init__(self, inputs: ModelInputs, columns: np.ndarray, cells: int) -> None:
        n_bars = len(inputs.times)
        self.column_at = np.searchsorted(columns, np.arange(n_bars + 1), side="left")  # first column at or after a bar
        self.same_bar = inputs.same_bar
        # Bars from a cohort's first bar of life to one past its drop bar: a first passage further away never counts.
        self.horizon = int((inputs.drop_bar - np.arange(n_bars)).max()) + 1 if n_bars else 1
        self.implied = np.zeros(n_bars)
        self.births = np.zeros(cells)
        self.deaths = np.zeros(cells)


def _same_bar(
    cohorts: dict[str, np.ndarray], reach: np.ndarray, below: bool, implied: np.ndarray
) -> dict[str, np.ndarray]:
    """Liquidate at once (at their opening notional) the cohorts whose price the rest of their birth bar reaches, and
    return the others: they join the book."""
    price, born = cohorts["price"], cohorts["born"]
    dies = price >= reach[born] if below else price <= reach[born]
    if not dies.any():
        return cohorts
    implied += np.bincount(born[dies], weights=cohorts["usd"][dies], minlength=len(implied))
    return {name: values[~dies] for name, values in cohorts.items()}


def _add_cohorts(
    inputs: ModelInputs,
    cohorts: dict[str, np.ndarray],
    levels: list[np.ndarray],
    below: bool,
    log_g: np.ndarray,
    columns: np.ndarray,
    totals: _SideTotals,
) -> None:
    """Find each cohort's end and add its liquidation (if it is liquidated) and its heat birth and death."""
    n = len(inputs.times)
    if totals.same_bar:
        cohorts = _same_bar(cohorts, inputs.flush_low if below else inputs.squeeze_high, below, totals.implied)
    born = cohorts["born"]
    # A cohort leaves the map at its drop bar, so its first passage is only needed up to there: a passage found no
    # earlier than `horizon` bars after the start lies past the drop bar and `end` below never equals it.
    death = first_passage(levels, born + 1, cohorts["price"], below, totals.horizon)
    end = np.minimum(death, inputs.drop_bar[born])
    closed = inputs.closing.closing_bar(cohorts["queue_end"], born, inputs.declined)
    if closed is not None:
        end = np.minimum(end, closed)
    liquidated = (death == end) & (death < n)

    # Value at the end of the birth bar already includes that bar's decay.
    value = cohorts["usd"] * inputs.decay[born]
    totals.implied += np.bincount(
        death[liquidated],
        weights=value[liquidated] * np.exp(log_g[death[liquidated] - 1] - log_g[born[liquidated]]),
        minlength=n,
    )

    edges = inputs.edges
    n_bins = len(edges) - 1
    n_cols = len(columns)
    bins = np.searchsorted(edges, cohorts["price"], side="right") - 1
    first_col = totals.column_at[born]
    last_col = totals.column_at[end]  # first column at or after the cohort's end
    drawn = (bins >= 0) & (bins < n_bins) & (first_col < last_col)
    col_bar = np.append(columns, columns[-1])
    cell = cohorts["tier"][drawn] * (n_cols * n_bins) + bins[drawn]
    log_born = log_g[born[drawn]]
    start_col = first_col[drawn]
    totals.births += np.bincount(
        cell + start_col * n_bins,
        weights=value[drawn] * np.exp(log_g[col_bar[start_col]] - log_born),
        minlength=len(totals.births),
    )
    stop_col = last_col[drawn]
    ends_inside = stop_col < n_cols
    totals.deaths += np.bincount(
        (cell + stop_col * n_bins)[ends_inside],
        weights=(value[drawn] * np.exp(log_g[col_bar[stop_col]] - log_born))[ends_inside],
        minlength=len(totals.deaths),
    )


def _evolve_side(
    inputs: ModelInputs,
    share: np.ndarray,
    liq: np.ndarray,
    levels: list[np.ndarray],
    below: bool,
    log_g: np.ndarray,
    columns: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-tier heat (K×C×B) and implied liquidations per bar (T) for one side, cohorts taken a chunk at a time."""
    _, points, k_tiers = liq.shape
    n_cols, n_bins = len(columns), len(inputs.edges) - 1
    totals = _SideTotals(inputs, columns, k_tiers * n_cols * n_bins)
    birth_bars = np.flatnonzero(inputs.opened > 0)
    bars_per_chunk = max(1, CHUNK_COHORTS // (points * k_tiers))
    queue_start = 0.0
    for first in range(0, len(birth_bars), bars_per_chunk):
        cohorts = _side_cohorts(inputs, share, liq, birth_bars[first : first + bars_per_chunk], queue_start)
        queue_start = float(cohorts["queue_end"][-1])
        _add_cohorts(inputs, cohorts, levels, below, log_g, columns, totals)
    births = totals.births.reshape(k_tiers, n_cols, n_bins)
    deaths = totals.deaths.reshape(k_tiers, n_cols, n_bins)
    step = np.exp(np.diff(log_g[columns], prepend=log_g[columns[0]]))
    heat = np.empty((k_tiers, n_cols, n_bins))
    running = np.zeros((k_tiers, n_bins))
    for j in range(n_cols):
        running = running * step[j] + births[:, j] - deaths[:, j]
        np.maximum(running, 0.0, out=running)
        heat[:, j] = running
    return heat, totals.implied


def run_fast(inputs: ModelInputs, columns: np.ndarray) -> dict[str, np.ndarray]:
    """The vectorised engine: same outputs as `liqcore.reference.run_reference`."""
    # Closes and turnover (step 2) and decay (step 4) of bar u scale every cohort alive through u; a cohort born in
    # bar b sees b's decay but not b's close, so its value at the end of bar t is v·decay_b·exp(G(t) − G(b)).
    log_g = np.cumsum(np.log(inputs.survive) + np.log1p(-inputs.turnover) + np.log(inputs.decay))
    lows = _sparse_table(inputs.low, np.minimum, -np.inf)
    highs = _sparse_table(inputs.high, np.maximum, np.inf)
    out: dict[str, np.ndarray] = {}
    for side, share, liq, levels, below in (
        ("long", inputs.long_share, inputs.long_liq, lows, True),
        ("short", inputs.short_share, inputs.short_liq, highs, False),
    ):
        heat, implied = _evolve_side(inputs, share, liq, levels, below, log_g, columns)
        out[f"{side}_by_tier"] = heat
        out[f"implied_{side}"] = implied
    return out


def estimate(
    market: Market, config: ModelConfig | None = None, columns: int | None = None, engine: str = "fast"
) -> Heatmap:
    """Estimate the liquidation heatmap of a market.

    Parameters
    ----------
    market
        The bars (with open interest when known; otherwise the volume proxy is used and said so).
    config
        Model assumptions; `ModelConfig()` (the balanced preset) when None.
    columns
        None keeps one snapshot per bar; an integer asks for that many evenly spaced snapshots (always including the
        last bar). `.implied` is per bar either way.
    engine
        "fast" (vectorised, the default) or "reference" (per-bar preparation and per-bar loop; slow, for checking).
    """
    config = config or ModelConfig()
    inputs = prepare(market, config)
    cols = snapshot_bars(len(inputs.times), columns)
    if engine == "fast":
        result = run_fast(inputs, cols)
    elif engine == "reference":
        result = run_reference(reference_inputs(market, config), cols)
    else:
        raise ValueError(f"engine must be 'fast' or 'reference', got {engine!r}")
    long_by_tier, short_by_tier = result["long_by_tier"], result["short_by_tier"]
    implied = pd.DataFrame(
        {"long_usd": result["implied_long"], "short_usd": result["implied_short"]}, index=inputs.times
    )
    return Heatmap(
        times=inputs.times[cols],
        price_edges=inputs.edges,
        long=long_by_tier.sum(axis=0),
        short=short_by_tier.sum(axis=0),
        implied=implied,
        close=inputs.close[cols],
        config=config,
        driver=inputs.driver,
        notes=inputs.notes,
        long_by_tier=long_by_tier,
        short_by_tier=short_by_tier,
    )
