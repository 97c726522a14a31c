"""Heatmap page section "By venue": for a map aggregated over exchanges, which venue's positions make each cluster.

Shown only when the loaded market sums open interest over two or more venues. All numbers come from
`liqcore.venue_split`; this module lays them out.
"""

from __future__ import annotations

import streamlit as st

from liqcore.aggregate import summed_venues
from liqcore.analysis import Analysis
from liqcore.charts.venues import venue_profile_chart
from liqcore.exchanges.venues import VENUES
from liqcore.formatting import compact_usd
from liqcore.heatmap import Heatmap
from liqcore.profile import find_clusters
from liqcore.venue_split import split_by_venue
from pages.components.cache import cached
from pages.components.chart_export import chart_with_png

SPLIT_COLUMNS = 2  # first and last bar: the section reads the book at the last bar


def _label(venue: str) -> str:
    return VENUES[venue].short if venue in VENUES else venue


def has_venue_split(analysis: Analysis) -> bool:
    """Whether the map sums open interest over two or more venues, so the by-venue section has something to show."""
    return len(summed_venues(analysis.market)) >= 2


def render_venue_split(analysis: Analysis) -> None:
    """The by-venue section, or nothing for a single-venue market."""
    if not has_venue_split(analysis):
        return
    venues = summed_venues(analysis.market)
    st.subheader("By venue")
    names = ", ".join(_label(v) for v in venues)
    left_out = [v for v in analysis.market.venues if v not in venues]
    st.caption(
        f"This map sums open interest over **{names}**"
        + (
            f" (not {', '.join(_label(v) for v in left_out)}: too little coverage, see the data notes)"
            if left_out
            else ""
        )
        + ". Below, each venue's own open interest drives its own estimate on the same candles, at the last bar."
    )
    split = cached(
        split_by_venue,
        analysis.market,
        analysis.heatmap.config,
        columns=SPLIT_COLUMNS,
        spinner="Splitting the map by venue…",
    )
    heatmap: Heatmap = split.aggregate
    labels = {v: _label(v) for v in split.venues}
    profile = heatmap.profile()
    chart_col, table_col = st.columns([3, 2])
    chart_with_png(
        venue_profile_chart(split.profile_frame(), profile.price, labels),
        "Estimated liquidations by venue at the last bar",
        analysis.label,
        "venue-split-profile",
        chart_col,
    )
    clusters = find_clusters(profile)
    if clusters.empty:
        table_col.info("No clusters at the last bar (the model may still be warming up).")
    else:
        shares = split.cluster_shares(clusters)
        shares["range"] = [f"{r.price_low:,.0f} – {r.price_high:,.0f}" for r in shares.itertuples()]
        config = {
            "range": st.column_config.TextColumn("Price range (USD)"),
            "side": st.column_config.TextColumn("Side"),
            "notional_usd": st.column_config.NumberColumn("USD (est.)", format="compact"),
        }
        for v in split.venues:
            config[f"share_{v}"] = st.column_config.ProgressColumn(
                labels[v], format="percent", min_value=0.0, max_value=1.0, help=f"Share of the cluster on {labels[v]}"
            )
        table_col.dataframe(
            shares[["range", "side", "notional_usd", *(f"share_{v}" for v in split.venues)]],
            hide_index=True,
            width="stretch",
            column_config=config,
        )
    mismatch = split.mismatch()
    totals = ", ".join(
        f"{labels[v]} {compact_usd(m.long[-1].sum() + m.short[-1].sum())}" for v, m in split.maps.items()
    )
    if mismatch < 0.005:
        verdict = "The venue maps add up to the aggregate map (within 0.5 %)."
    else:
        verdict = (
            f"The venue maps differ from the aggregate by {mismatch:.0%} of its total: where one venue adds positions "
            "while another closes, the aggregate nets them and the venue maps do not."
        )
    table_col.caption(
        f"Estimated resting liquidations by venue (model estimate, window shown, no warm-up before it): {totals}. "
        + verdict
    )
