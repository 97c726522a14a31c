"""The Validation page's WHERE section: upload liquidation events and score where the map puts liquidations."""

from __future__ import annotations

import io

import streamlit as st

from liqcore.analysis import Analysis
from liqcore.errors import DataError
from liqcore.loaders.events import load_liquidations
from liqcore.where import WhereCheck, check
from pages.components.cache import cached
from pages.components.text import plain

FORMATS = (
    "Binance forceOrder recordings, Bybit liquidation stream, OKX liquidation orders, or a generic CSV with "
    "`time, side, price, size` (side = the position liquidated: long/short; size in coins, or a `usd` column)."
)


def score_upload(data: bytes, name: str, analysis: Analysis) -> WhereCheck:
    """Events file bytes → `load_liquidations` → `liqcore.where.check` (span mapped per bar, scored), cached."""
    stream = io.BytesIO(data)
    stream.name = name
    liquidations = load_liquidations(stream, symbol=analysis.market.symbol)
    return cached(check, analysis, liquidations, spinner="Estimating the map bar by bar…")


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
