"""WHERE the map puts liquidations: against a file of liquidation events, and (simulated data) against the true book.

The events' span of candles (from `LEAD_IN` before the first event to the last, so the map has filled before it is
scored) is mapped bar by bar by `liqcore.analyse` under the analysis' model, then scored by
`liqcore.validation.where_score`. The Validation page (`analysis.where(events)`) and
`python -m liqcore.validate --events` both go through `score_span`, so they print the same score for the same files.
`against_truth` scores the shown map's snapshots against the simulator's true book on the same bins.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from liqcore.analysis import Analysis, analyse
from liqcore.config import ModelConfig
from liqcore.errors import DataError
from liqcore.loaders.events import Liquidations
from liqcore.market import Market
from liqcore.validation import BURN_IN_HOURS, LocationScore, WhereScore, location_score, where_score

LEAD_IN = pd.Timedelta("7D")  # bars before the first event, so the map has filled before it is scored
MIN_BARS = 48


@dataclass(frozen=True, eq=False)
class WhereCheck:
    """The events, the per-bar map of their span and the score of one against the other."""

    liquidations: Liquidations
    mapped: Analysis
    score: WhereScore

    @property
    def bars(self) -> int:
        """Bars of the candles the map was estimated on for the events' span (the lead-in included)."""
        return len(self.mapped.market)


def events_candles(history: Market, liquidations: Liquidations) -> Market:
    """The candles from `LEAD_IN` before the first event to the last one; DataError when they do not cover them."""
    events = liquidations.events.index
    bars = history.bars[(history.bars.index >= events[0] - LEAD_IN) & (history.bars.index <= events[-1])]
    if len(bars) < MIN_BARS:
        raise DataError(
            f"{liquidations.source}: the events run {events[0]:%Y-%m-%d %H:%M} → {events[-1]:%Y-%m-%d %H:%M} UTC, but "
            f"the loaded candles ({history.start:%Y-%m-%d} → {history.end:%Y-%m-%d}) cover {len(bars)} bars of that "
            f"span (at least {MIN_BARS} needed). Load candles that cover the events' span."
        )
    return Market(bars, history.symbol, source=history.source)


def score_span(
    history: Market, config: ModelConfig, liquidations: Liquidations, burn_in_hours: int = BURN_IN_HOURS
) -> WhereCheck:
    """Map the events' span of `history` bar by bar under `config` (the lead-in is its warm-up) and score it; the
    first `burn_in_hours` hours with events only start the distance baseline (fewer for a short recording)."""
    candles = events_candles(history, liquidations)
    mapped = analyse(candles, config, snapshots=len(candles))
    score = where_score(mapped.market, mapped.heatmap, liquidations.events, burn_in_hours=burn_in_hours)
    return WhereCheck(liquidations, mapped, score)


def check(analysis: Analysis, liquidations: Liquidations) -> WhereCheck:
    """`score_span` on the analysis' whole history under its model (the window shown does not limit the events)."""
    return score_span(analysis.history, analysis.config, liquidations)


def against_truth(analysis: Analysis, snapshots: int = 12) -> tuple[LocationScore, ...]:
    """Per side, how much true notional the map's densest bins hold, over about `snapshots` columns after the first
    quarter of the map (the warm-up); ValueError when the analysis has no simulation behind it."""
    heatmap, simulation = analysis.heatmap, analysis.simulation
    if simulation is None:
        raise ValueError("against_truth needs simulated data: only the simulator knows the true book")
    n = len(heatmap.times)
    columns = range(n // 4, n, max(1, n // snapshots))
    pairs = [(heatmap.profile(j), simulation.book(heatmap.times[j], price_edges=heatmap.price_edges)) for j in columns]
    return location_score(pairs)
