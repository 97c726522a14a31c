"""Sentiment page: which side is more exposed near price, by how much, and whether that has meant anything here."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from liqcore.analysis import Analysis
from liqcore.charts.heatmap import profile_chart
from liqcore.charts.sentiment import balance_gauge, balance_over_time
from liqcore.formatting import compact_usd
from liqcore.heatmap import Driver
from liqcore.sentiment import SentimentConfig, read
from liqcore.truth import compare_sentiment
from pages.components.cache import cached
from pages.components.chart_export import chart_with_png, spec_of
from pages.components.lazy import keep_alive, reading, section
from pages.components.session import current_analysis
from pages.components.truth import render_truth

PAGE_TITLE = "Sentiment"  # navigation: pages/components/page_list.py reads these three lines
PAGE_ICON = ":material/balance:"
PAGE_ORDER = 2

analysis: Analysis = current_analysis(__file__)

st.title("Sentiment: who is exposed?")
st.caption(
    "Shorts stacked just above price can be squeezed (forced buying); longs stacked below can cascade (forced "
    "selling). This page weighs the two sides of the **estimated** map near price."
)
if analysis.heatmap.driver is Driver.VOLUME_PROXY:
    st.warning(
        "No open interest in this data: the map, and so this balance, comes from a **volume proxy** (rougher).",
        icon=":material/warning:",
    )


def _gauge_spec(analysis: Analysis, config: SentimentConfig) -> dict:
    """The balance gauge's spec, built once per (analysis, settings): a rerun or a page switch neither rebuilds nor
    validates the page's charts (~0.3 s CPU for the three)."""
    now = cached(read, analysis, config).now
    balance, above, below = (float(now[name]) for name in ("balance", "above_usd", "below_usd"))
    return spec_of(balance_gauge(balance, config.threshold, above, below))


def _balance_spec(analysis: Analysis, config: SentimentConfig) -> dict:
    return spec_of(balance_over_time(cached(read, analysis, config).frame, config.threshold))


def _profile_spec(analysis: Analysis) -> dict:
    return spec_of(profile_chart(analysis.heatmap.profile(), "Cumulative exposure from price"))


# The settings' widget keys and defaults: the box draws its widgets only while open, and the values keep driving the
# page (and stay what the widgets show when reopened) while it is closed.
SETTINGS = {
    "snt_window": "pct",
    "snt_size_pct": 3.0,
    "snt_size_atr": 10.0,
    "snt_weighted": True,
    "snt_threshold": 0.2,
    "snt_horizon": 24,
}
SETTINGS_OPEN = "snt_settings_open"
keep_alive(SETTINGS)
for key, default in SETTINGS.items():
    st.session_state.setdefault(key, default)
state = st.session_state
window = state["snt_window"]
config = SentimentConfig(
    window=window,
    size=state[f"snt_size_{window}"],
    weighted=state["snt_weighted"],
    threshold=state["snt_threshold"],
    horizon=state["snt_horizon"],
)


def settings() -> None:
    """The window and thresholds' widgets (drawn only while their box is open)."""
    cols = st.columns(4)
    cols[0].radio(
        "Window",
        ["pct", "atr"],
        format_func={"pct": "± % of price", "atr": "± ATR"}.get,
        key="snt_window",
        horizontal=True,
    )
    cols[1].slider(
        "Window size" + (" (%)" if window == "pct" else " (× ATR)"), 0.5, 20.0, step=0.5, key=f"snt_size_{window}"
    )
    weight_help = "Triangular weight: full at the price, zero at the window's edge."
    cols[2].toggle("Nearer counts more", key="snt_weighted", help=weight_help)
    cols[3].slider("Label threshold", 0.05, 0.8, step=0.05, key="snt_threshold")
    st.slider("History check horizon (bars)", 4, 96, step=4, key="snt_horizon")


section(
    f"Window and thresholds: {config.describe_window()}, squeeze label beyond ±{config.threshold:g}, history "
    f"checked {config.horizon} bars ahead",
    settings,
    key=SETTINGS_OPEN,
    icon=":material/tune:",
)
horizon = config.horizon
result = cached(read, analysis, config, spinner="Checking the history…")
now = result.now

left, right = st.columns([2, 3])
with left:
    st.metric("Reading now (estimate)", now["label"], f"balance {now['balance']:+.2f}", delta_color="off")
    a, b = st.columns(2)
    a.metric("Shorts above, in window", compact_usd(now["above_usd"]))
    b.metric("Longs below, in window", compact_usd(now["below_usd"]))
    gauge = cached(_gauge_spec, analysis, config)
    chart_with_png(gauge, "Long/short balance near price (estimate)", analysis.label, "sentiment-balance-gauge")
    for _, top in result.nearest.iterrows():
        word = "above" if top["side"] == "short" else "below"
        st.caption(
            f"Nearest big {top['side']} cluster {word}: {top['price_low']:,.0f}–{top['price_high']:,.0f} USD "
            f"({top['distance_pct']:+.1f} %), ≈ {compact_usd(top['notional_usd'])} (estimate)"
        )
with right:
    chart_with_png(
        cached(_profile_spec, analysis),
        "Estimated exposure by price at the last bar",
        analysis.label,
        "sentiment-exposure-profile",
    )

st.subheader("Balance over time")
chart_with_png(
    cached(_balance_spec, analysis, config),
    "Long/short balance over time (estimate)",
    analysis.label,
    "sentiment-balance",
)


def _history_rows(table: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """The history check with a column per reading and a row per figure (six columns side by side were 573 px, a
    phone gives a table 358 px), each figure as text with its unit; "—" where a reading never occurred."""
    percent = lambda value: "—" if pd.isna(value) else f"{value:.1%}".replace("%", " %")  # noqa: E731
    rows = {
        "snapshots (n)": [f"{n:,}" for n in table["snapshots (n)"]],
        "heavier side first": [percent(v) for v in table["reached the heavier side first"]],
        "95 % interval": list(table["95% interval"]),
        "base rate": [percent(v) for v in table["base rate (all snapshots)"]],
        f"return, next {horizon} bars": [
            "—" if pd.isna(v) else f"{v:+.2f} %" for v in table["mean return over next bars"]
        ],
    }
    columns = {label: [values[i] for values in rows.values()] for i, label in enumerate(table["after a reading of"])}
    return pd.DataFrame({"after a reading of": list(rows), **columns})


st.subheader("Has the reading meant anything on this data?")
st.dataframe(
    _history_rows(result.table, horizon),
    hide_index=True,
    width="stretch",
    column_config={  # a column per reading, short headers with the full names as help: it fits a phone's width
        "after a reading of": st.column_config.TextColumn(width=140),
        **{
            label: st.column_config.TextColumn(label.removesuffix(" risk"), help=f"after a “{label}” reading", width=95)
            for label in result.table["after a reading of"]
        },
    },
)
st.info(result.verdict, icon=":material/fact_check:")
st.caption(
    f"“Reached the heavier side first”: within {horizon} bars, price moved {config.move_atr:g} × ATR toward the "
    "heavier side before moving as far the other way. Snapshots close together share their futures, so the "
    "intervals are optimistic. Each reading uses only earlier bars (the map's automatic bin height is set from the "
    "whole loaded range). Simulated and short samples prove little. Mean return over the next "
    f"{horizon} bars after any snapshot: {result.check.base_return_pct:+.2f} %."
)

reading(
    "How to read this",
    lambda: st.markdown(
        "- **Short-squeeze risk** (balance well above 0): most nearby exposure is shorts above price. A push up can "
        "force them to buy, which pushes price further — the map suggests *not shorting into* that band, and that a "
        "break above it can run.\n"
        "- **Long-squeeze risk** (balance well below 0): longs below are the fuel; a drop can cascade.\n"
        "- **Balanced**: neither side dominates near price; expect less forced flow either way.\n"
        "- The map is an estimate; the history check above says whether the reading has helped on *this* data. "
        "Nothing here is financial advice."
    ),
    key="snt_how_to_read",
    icon=":material/school:",
)

render_truth(analysis, compare_sentiment, config)
