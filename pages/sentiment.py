"""Sentiment page: which side is more exposed near price, by how much, and whether that has meant anything here."""

from __future__ import annotations

import streamlit as st

from liqcore.analysis import Analysis
from liqcore.charts.heatmap import profile_chart
from liqcore.charts.sentiment import balance_gauge, balance_over_time
from liqcore.formatting import compact_usd
from liqcore.heatmap import Driver
from liqcore.sentiment import SentimentConfig, read
from liqcore.truth import compare_sentiment
from pages.components.cache import cached
from pages.components.chart_export import chart_with_png
from pages.components.lazy import reading
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


with st.expander("Window and thresholds", icon=":material/tune:", expanded=False):
    cols = st.columns(4)
    window = cols[0].radio(
        "Window",
        ["pct", "atr"],
        format_func={"pct": "± % of price", "atr": "± ATR"}.get,
        key="snt_window",
        horizontal=True,
    )
    size = cols[1].slider(
        "Window size" + (" (%)" if window == "pct" else " (× ATR)"),
        0.5,
        20.0,
        3.0 if window == "pct" else 10.0,
        0.5,
        key=f"snt_size_{window}",
    )
    weighted = cols[2].toggle(
        "Nearer counts more",
        value=True,
        key="snt_weighted",
        help="Triangular weight: full at the price, zero at the window's edge.",
    )
    threshold = cols[3].slider("Label threshold", 0.05, 0.8, 0.2, 0.05, key="snt_threshold")
    horizon = st.slider("History check horizon (bars)", 4, 96, 24, 4, key="snt_horizon")

config = SentimentConfig(window=window, size=size, weighted=weighted, threshold=threshold, horizon=horizon)
result = cached(read, analysis, config, spinner="Checking the history…")
series, now = result.frame, result.now

left, right = st.columns([2, 3])
with left:
    st.metric("Reading now (estimate)", now["label"], f"balance {now['balance']:+.2f}", delta_color="off")
    a, b = st.columns(2)
    a.metric("Shorts above, in window", compact_usd(now["above_usd"]))
    b.metric("Longs below, in window", compact_usd(now["below_usd"]))
    gauge = balance_gauge(float(now["balance"]), threshold, float(now["above_usd"]), float(now["below_usd"]))
    chart_with_png(gauge, "Long/short balance near price (estimate)", analysis.label, "sentiment-balance-gauge")
    for _, top in result.nearest.iterrows():
        word = "above" if top["side"] == "short" else "below"
        st.caption(
            f"Nearest big {top['side']} cluster {word}: {top['price_low']:,.0f}–{top['price_high']:,.0f} USD "
            f"({top['distance_pct']:+.1f} %), ≈ {compact_usd(top['notional_usd'])} (estimate)"
        )
with right:
    chart_with_png(
        profile_chart(analysis.heatmap.profile(), "Cumulative exposure from price"),
        "Estimated exposure by price at the last bar",
        analysis.label,
        "sentiment-exposure-profile",
    )

st.subheader("Balance over time")
chart_with_png(
    balance_over_time(series, threshold), "Long/short balance over time (estimate)", analysis.label, "sentiment-balance"
)

st.subheader("Has the reading meant anything on this data?")
number = st.column_config.NumberColumn
st.dataframe(
    result.table.drop(columns="mean return, all snapshots"),  # one value for every row: said in the caption
    hide_index=True,
    width="stretch",
    column_config={  # short headers, the full names as help: the table fits the page
        "snapshots (n)": number("n", help="snapshots with this reading"),
        "reached the heavier side first": number(
            "heavier side first", help="reached the heavier side first", format="percent"
        ),
        "base rate (all snapshots)": number("base rate", help="base rate (all snapshots)", format="percent"),
        "mean return over next bars": number(
            f"return, next {horizon} bars", help=f"mean return over the next {horizon} bars", format="%+.2f %%"
        ),
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

render_truth(analysis, lambda pairs: compare_sentiment(pairs, config))
