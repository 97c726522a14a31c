"""Heatmap page: where leveraged positions would be liquidated, over time and at one moment."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from liqcore.analysis import Analysis
from liqcore.cells import SCALES, candles, heat_cells
from liqcore.charts.heatmap import heatmap_chart, occupied_range, profile_chart
from liqcore.charts.lessons import moment_markers
from liqcore.export import to_csv_safe
from liqcore.formatting import compact_usd
from liqcore.heatmap import Heatmap
from liqcore.market import Market
from liqcore.profile import find_clusters, notional_between
from pages.components.breakouts import render_breakout_scanner
from pages.components.lesson import render_scenario_lesson, render_start_here
from pages.components.session import current_analysis
from pages.components.venues import render_venue_split

analysis: Analysis = current_analysis(__file__)
heatmap = analysis.heatmap

st.title("Liquidation heatmap")
st.caption(
    "Bright bands are prices where the model estimates many leveraged positions would be force-liquidated: "
    "longs below price, shorts above. It is an **estimate** from open interest and an assumed leverage mix "
    f"(driven by **{heatmap.driver}**), not exchange data."
)
render_start_here()
moments = render_scenario_lesson(analysis, slider_key="hm_at")


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def _cells(key: str, _heatmap: Heatmap, side: str, scale: str, threshold: float) -> pd.DataFrame:
    return heat_cells(_heatmap, side=side, scale=scale, threshold=threshold)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _candles(key: str, _market: Market) -> pd.DataFrame:
    return candles(_market)


controls = st.columns([1.7, 1, 1.3])
side = (
    controls[0].segmented_control(
        "Show",
        ["both", "long", "short"],
        default="both",
        key="hm_side",
        format_func={"both": "Both sides", "long": "Longs (below)", "short": "Shorts (above)"}.get,
    )
    or "both"
)
scale = controls[1].selectbox(
    "Colour scale",
    SCALES,
    index=0,
    key="hm_scale",
    help="Linear makes only the biggest bands bright; log shows faint and bright bands together; percentile ranks "
    "cells against each other.",
)
threshold = controls[2].slider(
    "Hide cells fainter than",
    0.0,
    0.9,
    0.0,
    0.05,
    key="hm_threshold",
    format="%.2f",
    help="Contrast: cells below this intensity (0–1 on the chosen scale) are not drawn.",
)

cells = _cells(analysis.key, heatmap, side, scale, threshold)
theme = st.context.theme.type or "dark"
chart = heatmap_chart(cells, _candles(analysis.key, analysis.market), float(heatmap.close[-1]), theme=theme)
if moments is not None:
    chart = chart + moment_markers(moments)
st.altair_chart(chart, width="stretch")
st.caption(
    f"{len(cells):,} cells drawn (neighbouring snapshots and bins are merged to keep the chart fast). "
    "Drag to pan and scroll to zoom in time; hover a cell for its price range, USD and leverage mix."
)

st.subheader("The book at one moment")
times = list(heatmap.times)
at = st.select_slider(
    "Profile time (UTC)",
    options=times,
    value=times[-1],
    key="hm_at",
    format_func=lambda t: f"{t:%Y-%m-%d %H:%M}",
)
profile = heatmap.profile(at)
left, right = st.columns([3, 2])
show_truth = False
if analysis.is_simulated:
    show_truth = right.toggle(
        "Show the true book (answer key)",
        key="hm_truth",
        help="The simulator knows every trader's position. Compare it with the estimate on the left.",
    )
if show_truth:
    truth = analysis.simulation.book(at, price_edges=heatmap.price_edges)
    a, b = left.columns(2)
    shared = occupied_range(profile, truth)
    a.altair_chart(profile_chart(profile, "Estimated", price_range=shared), width="stretch")
    b.altair_chart(profile_chart(truth, "True book (simulator)", price_range=shared), width="stretch")
else:
    left.altair_chart(
        profile_chart(profile, f"Estimated side profile at {at:%Y-%m-%d %H:%M} UTC (dashed: cumulative)"),
        width="stretch",
    )

clusters = find_clusters(profile)
right.markdown(f"**Clusters at {at:%b %d %H:%M} UTC** · price {profile.price:,.1f} USD")
if clusters.empty:
    right.info("No clusters on the map at this time (the model may still be warming up).")
else:
    right.dataframe(
        clusters.assign(range=lambda c: c.apply(lambda r: f"{r.price_low:,.0f} – {r.price_high:,.0f}", axis=1))[
            ["range", "side", "notional_usd", "distance_pct"]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "range": st.column_config.TextColumn("Price range (USD)", width=125),
            "side": st.column_config.TextColumn("Side", width=55, help="Which positions would be liquidated"),
            "notional_usd": st.column_config.NumberColumn(
                "USD (est.)", format="compact", width=80, help="Estimated notional in the cluster"
            ),
            "distance_pct": st.column_config.NumberColumn(
                "Distance", format="%+.1f %%", width=75, help="From the price at the profile time"
            ),
        },
    )
last_price = float(heatmap.close[-1])
if st.session_state.get("hm_target_for") != last_price:  # new data: a target typed for another market is meaningless
    st.session_state["hm_target"] = round(last_price * 1.02, 1)
    st.session_state["hm_target_for"] = last_price
target = right.number_input(
    "If price reaches (USD)",
    step=float(round(profile.price * 0.005, 1)),
    key="hm_target",
    format="%.1f",
)
travel = notional_between(profile, profile.price, target)
who = "longs" if travel["side"] == "long" else "shorts"
right.metric(
    f"≈ {who} liquidated on the way (estimate)",
    compact_usd(travel["usd"]),
    delta=f"{100 * (target / profile.price - 1):+.2f} % from {profile.price:,.1f} USD",
    delta_color="off",
    help="Sum of the estimated notional between the price at the profile time and the target.",
)

downloads = st.columns(2)
downloads[0].download_button(
    "Download clusters (CSV)", to_csv_safe(clusters), "clusters.csv", "text/csv", icon=":material/download:"
)
downloads[1].download_button(
    "Download heat cells (CSV)", to_csv_safe(cells), "heat_cells.csv", "text/csv", icon=":material/download:"
)

with st.expander("How to read this map", icon=":material/school:"):
    st.markdown(
        "- **Bright band above price** → many shorts would be forced to buy there: a move up into it can accelerate "
        "(short squeeze) — or stall if the band is thin.\n"
        "- **Bright band below price** → many longs would be forced to sell there (long squeeze / cascade risk).\n"
        "- **Bands that end** where candles pass through them: those positions were liquidated (the estimate's "
        "implied liquidations).\n"
        "- A **breakout into a thin zone** has little forced flow behind it; one into a dense band has fuel.\n"
        "- The map is a model: it assumes a leverage mix and entry prices (see *Assumptions* in the sidebar). "
        "Nothing here is financial advice."
    )

render_venue_split(analysis)
render_breakout_scanner(analysis)
