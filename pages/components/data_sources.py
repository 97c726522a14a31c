"""The sidebar's data-source section: pick a source, get a loaded market, pick the window shown, see what is loaded.

The *window* is the span of the latest bars the map shows (URL parameter `window`; links written before it was
named so say `lookback`, which is still read). It is not the model's cohort age (`ModelConfig.max_age_hours`) nor
a live fetch's span.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from liqcore.analysis import Analysis
from liqcore.durations import parse_duration
from liqcore.heatmap import Driver
from liqcore.market import Market, format_interval
from liqcore.simulator import SCENARIOS, Simulation, simulate
from pages.components import live, upload, view_state
from pages.components.cache import cached
from pages.components.text import plain

SOURCES = {
    "sim": "Simulator (built in)",
    "upload": "Upload CSV",
    "live": "Live exchange",
    "archive": "Binance archive",
}
SCENARIO_NAMES = {
    "range": "Range: two-sided book",
    "short_squeeze": "Short squeeze",
    "long_cascade": "Long cascade",
    "fakeout": "Fakeout",
}
WINDOWS = ("12h", "1d", "3d", "7d", "14d", "30d", "90d", "365d")


VIEW_KEYS = ["src", "scenario", "seed", "window"]
NO_DATA_HINT = (
    "Upload a CSV, or pick an exchange and press **Fetch**, in the sidebar to draw a liquidation heatmap of real "
    "data — or switch back to the built-in simulator."
)


def _simulator() -> Simulation:
    view_state.restore("scenario", "short_squeeze", allowed=SCENARIOS)
    view_state.restore("seed", 7, parse=int, allowed=range(0, 10_000))
    scenario = st.selectbox(
        "Scenario",
        SCENARIOS,
        key="scenario",
        format_func=lambda s: SCENARIO_NAMES.get(s, s),
        help="Each scenario sets up leveraged traders so one lesson plays out on the map.",
    )
    seed = st.number_input(
        "Seed",
        min_value=0,
        max_value=9_999,
        step=1,
        key="seed",
        help="Same seed, same market: change it to see another run of the scenario.",
    )
    return cached(simulate, scenario, seed=int(seed), spinner="Simulating the market…")


def choose_source(main: Any) -> Market | Simulation | None:
    """Render the source picker and its inputs; return the loaded market (or simulation), or None when none yet."""
    view_state.restore("src", "sim", allowed=SOURCES)
    source = st.radio("Data source", list(SOURCES), key="src", format_func=SOURCES.get, horizontal=False)
    if source == "sim":
        return _simulator()
    pickers = {"upload": lambda: upload.upload_source(main), "live": live.live_source, "archive": live.archive_source}
    return pickers[source]()


def _window_label(value: str, market: Market) -> str:
    if value == "all":
        return f"All ({_span_text(market.end - market.start)})"
    return value.replace("365d", "1y")


def choose_window(market: Market) -> str:
    """The windows the data allows (at least four bars, shorter than the data), plus all of it."""
    span = market.end - market.start
    options = [w for w in WINDOWS if 4 * market.interval <= parse_duration(w) < span]
    options.append("all")
    view_state.restore("window", "all", allowed=options, aliases=("lookback",))
    if st.session_state.get("window") not in options:
        st.session_state["window"] = "all"
    return st.selectbox(
        "Window shown",
        options,
        key="window",
        format_func=lambda v: _window_label(v, market),
        help="How much history the map shows. The model also warms up on the span before it.",
    )


def _span_text(span: pd.Timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.0f} hours"


def describe(analysis: Analysis) -> None:
    """What is loaded: dataset, span, interval, and what drove the map."""
    market = analysis.market
    st.caption(
        f"**{plain(analysis.label)}**  \n{plain(market.symbol)} · {format_interval(market.interval)} bars · "
        f"{len(market):,} bars  \n"
        f"{market.start:%Y-%m-%d %H:%M} → {market.end:%Y-%m-%d %H:%M} UTC"
    )
    if analysis.heatmap.driver is Driver.OPEN_INTEREST:
        st.caption(":material/check_circle: Map driven by **open interest** changes.")
    else:
        st.caption(":material/warning: No open interest in this data: map driven by a **volume proxy** (rougher).")
    notes = market.notes + analysis.heatmap.notes
    if notes:  # drawn only while open, as one list: on every page they were seven elements before its charts
        with st.expander(f"Data and model notes ({len(notes)})", key="notes_open", on_change="rerun") as box:
            if box.open:
                st.markdown("\n".join(f"- {plain(note)}" for note in notes))
