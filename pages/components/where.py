"""The Validation page's WHERE section: upload liquidation events and score where the map puts liquidations."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from liqcore.analysis import Analysis
from liqcore.engine import estimate
from liqcore.errors import DataError
from liqcore.loaders.events import Liquidations, load_liquidations
from liqcore.market import Market
from liqcore.validation import WhereScore, where_score
from pages.components.cache import cached
from pages.components.text import plain

LEAD_IN = pd.Timedelta("7D")  # bars before the first event, so the map has filled before it is scored
MIN_BARS = 48
FORMATS = (
    "Binance forceOrder recordings, Bybit liquidation stream, OKX liquidation orders, or a generic CSV with "
    "`time, side, price, size` (side = the position liquidated: long/short; size in coins, or a `usd` column)."
)


@dataclass(frozen=True)
class WhereResult:
    """The loaded events and their score against the current analysis' model."""

    liquidations: Liquidations
    score: WhereScore
    bars: int  # bars of the candles the map was estimated on for the events' span


def _scored_market(history: Market, liquidations: Liquidations) -> Market:
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


def score_upload(data: bytes, name: str, analysis: Analysis) -> WhereResult:
    """Events file bytes → `load_liquidations` → `where_score` against a per-bar map under the analysis' model."""
    stream = io.BytesIO(data)
    stream.name = name
    liquidations = load_liquidations(stream, symbol=analysis.market.symbol)
    market = _scored_market(analysis.history, liquidations)
    heatmap = cached(estimate, market, analysis.config, spinner="Estimating the map bar by bar…")
    return WhereResult(liquidations, where_score(market, heatmap, liquidations.events), len(market))


def render(analysis: Analysis) -> None:
    """Instructions, the uploader, and the score table with its sizes and verdict (or the file's error)."""
    st.subheader("Where: does the map put liquidations at the right prices?")
    st.caption(
        "Upload liquidation events (one row per liquidation) for the loaded instrument. Each hour's events are scored "
        "against the map as of the hour before: against a baseline that only knows how far from price liquidations "
        f"happened before. Formats: {FORMATS}"
    )
    upload = st.file_uploader(
        "Liquidation-event files", type=["csv", "gz", "zip", "parquet"], key="where_upload", accept_multiple_files=False
    )
    if upload is None:
        return
    try:
        result = score_upload(upload.getvalue(), upload.name, analysis)
    except DataError as error:
        st.error(plain(error), icon=":material/error:")
        return
    score = result.score
    for note in result.liquidations.notes:
        st.caption(plain(note))
    st.dataframe(
        score.table().reset_index(),
        hide_index=True,
        width="stretch",
        column_config={
            "in densest 10 %": st.column_config.NumberColumn(format="percent"),
            "bits per USD": st.column_config.NumberColumn(format="%.3f"),
            "gain vs distance (bits)": st.column_config.NumberColumn(format="%+.3f"),
        },
    )
    st.caption(
        f"{score.hours:,} hours and {score.events:,} events (${score.usd:,.0f}) scored over {result.bars:,} bars, bins "
        f"within ±{score.window:.0%} of price; the first {score.burn_in_hours} hours with events only start the "
        "distance baseline. 90 % bootstrap intervals over hours. "
        "Share of the map's densest decile minus the baseline's: "
        f"{score.dense_map - score.dense_distance:+.1%} ({score.dense_interval[0]:+.1%} … "
        f"{score.dense_interval[1]:+.1%})."
    )
    st.info(score.verdict, icon=":material/fact_check:")
