"""Cached estimation: turn the loaded data, the lookback and the model settings into one `Analysis`.

The model runs on a warm-up span before the window the user looks at (as much as the data has, up to one window
length), so positions opened before the window are already on the map; the heatmap is then cut to the window.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from liqcore.analysis import Analysis
from liqcore.config import ModelConfig
from liqcore.engine import estimate
from liqcore.errors import DataError
from liqcore.heatmap import Heatmap
from liqcore.market import Market
from pages.components.data_sources import LoadedData, lookback_span

SNAPSHOTS_IN_WINDOW = 300


@st.cache_resource(max_entries=24, ttl=3600, show_spinner="Estimating the liquidation map…")
def _estimate(key: str, _market: Market, _config: ModelConfig, window: pd.Timedelta | None) -> Heatmap:
    """Estimate on the window plus its warm-up and keep the window's snapshots."""
    if window is None or window >= _market.end - _market.start:
        return estimate(_market, _config, columns=min(len(_market), SNAPSHOTS_IN_WINDOW))
    warm = _market.tail(2 * window)
    start = _market.end - window
    share = (warm.end - warm.start) / window
    heatmap = estimate(warm, _config, columns=min(len(warm), int(SNAPSHOTS_IN_WINDOW * share)))
    return heatmap.since(start)


def build_analysis(loaded: LoadedData, lookback: str, config: ModelConfig) -> Analysis:
    """The Analysis every page reads: market cut to the lookback, heatmap, truth when simulated."""
    window = None if lookback == "all" else lookback_span(lookback)
    key = f"{loaded.key}|{lookback}|{config!r}"
    heatmap = _estimate(key, loaded.market, config, window)
    market = loaded.market if window is None else loaded.market.tail(window)
    return Analysis(market=market, heatmap=heatmap, key=key, label=loaded.label, simulation=loaded.simulation)


def build_analysis_or_stop(loaded: LoadedData, lookback: str, config: ModelConfig) -> Analysis:
    """`build_analysis`, or an error box and a stopped run when the model cannot map this data (e.g. prices only)."""
    try:
        return build_analysis(loaded, lookback, config)
    except DataError as error:
        st.error(f"{loaded.label}: {error}", icon=":material/error:")
        st.stop()
