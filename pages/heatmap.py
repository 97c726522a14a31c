"""Heatmap page: where leveraged positions would be liquidated, over time and at one moment.

The map comes first; below it one section at a time (the book at one moment, by venue, the fakeout scanner, how to
read the map), chosen by a control recorded in the share link. Only the chosen section is rendered: the browser
draws the map only after every element of the run, so each element below it delays the map on a first visit.
Each part is a fragment: a control reruns only its own part, so changing the profile time or the "if price
reaches" box never rebuilds or resends the map, and the map's own controls do not redo the section below. The "if
price reaches" box is a fragment of its own inside the profile's, so a typed target does not resend the profile
chart and the clusters table either.
"""

from __future__ import annotations

import streamlit as st

from liqcore.analysis import Analysis
from liqcore.cells import SCALES
from liqcore.charts.heatmap import occupied_range, profile_chart
from liqcore.export import to_csv_safe
from liqcore.formatting import compact_usd
from liqcore.profile import find_clusters, notional_between
from pages.components import heat_views, view_state
from pages.components.breakouts import SCANNER_KEYS, render_breakout_scanner
from pages.components.chart_export import chart_with_png, png_download
from pages.components.lazy import keep_alive
from pages.components.lesson import render_guides
from pages.components.session import current_analysis
from pages.components.venues import has_venue_split, render_venue_split

PAGE_TITLE = "Heatmap"  # navigation: pages/components/page_list.py reads these three lines
PAGE_ICON = ":material/local_fire_department:"
PAGE_ORDER = 1

analysis: Analysis = current_analysis(__file__)
heatmap = analysis.heatmap
SIDES = {"both": "Both sides", "long": "Longs (below)", "short": "Shorts (above)"}
VIEW_KEYS = ["hm_side", "hm_scale", "hm_threshold", "hm_at", "hm_section"]
SECTIONS = {
    "book": "The book at one moment",
    "venues": "By venue",
    "scanner": "Fakeout scanner",
    "guide": "How to read this map",
}
SECTION_KEYS = {"book": ["hm_at", "hm_truth", "hm_by_tier", "hm_target"], "scanner": SCANNER_KEYS}

st.title("Liquidation heatmap")
st.caption(
    "Prices where leveraged positions would be force-liquidated: **longs (amber) below price, shorts (violet) "
    f"above**, denser is more opaque. An **estimate** (driven by **{heatmap.driver}** and an assumed leverage mix), "
    "not exchange data."
)
moments = render_guides(analysis, slider_key="hm_at")
marked = () if moments is None else tuple(zip(moments["time"], moments["label"], strict=True))

view_state.restore("hm_side", "both", allowed=SIDES)
view_state.restore("hm_scale", "log", allowed=SCALES)
view_state.restore("hm_threshold", 0.0, parse=float, allowed=[round(0.05 * i, 2) for i in range(19)])


MAP_DEFAULTS = {"hm_side": "both", "hm_scale": "log", "hm_threshold": 0.0}


@st.fragment
def map_section() -> None:
    """The map, its legends, its three controls and its downloads: a control reruns only this.

    Every element here is sent and drawn again on each control change (most of the browser's time per click), so
    the part holds only what a control changes: nothing wraps the map to put it above its controls (the view is
    read from the controls' state, which Streamlit sets before the run), the controls and the buttons sit in one
    row container each instead of columns (a block per column), and the caption lives outside the part.
    """
    for key, default in MAP_DEFAULTS.items():
        # Streamlit drops a widget's state in a run that did not draw it (while an upload is being replaced, say):
        # the view falls back to its default instead of a required control reading "nothing" and the map failing.
        if st.session_state.get(key) is None:
            st.session_state[key] = default
    state = st.session_state
    view = heat_views.MapView(state["hm_side"], state["hm_scale"], round(float(state["hm_threshold"]), 2), marked)
    # the legends sit outside the chart, so the chart's spec is the same for every side, scale and contrast: the
    # browser swaps the new image and hover rows into the chart it has instead of drawing it anew
    st.html(heat_views.legend_html(view))
    spec = heat_views.chart_spec(analysis, view)
    st.vega_lite_chart(spec, width="stretch")
    with st.container(horizontal=True, gap="medium", vertical_alignment="bottom"):
        st.segmented_control("Show", list(SIDES), key="hm_side", required=True, format_func=SIDES.get)
        st.selectbox(
            "Colour scale",
            SCALES,
            key="hm_scale",
            width=170,
            help="Linear: opacity is the share of the densest cell, so only the biggest bands stand out. Log: three "
            "decades below the densest cell, faint and dense bands together. Percentile: each cell's rank among all "
            "cells, inked mostly for the top ranks.",
        )
        st.slider(
            "Hide cells fainter than",
            0.0,
            0.9,
            step=0.05,
            key="hm_threshold",
            format="%.2f",
            help="Contrast: cells below this intensity (0–1 on the chosen scale) are not drawn.",
        )
    with st.container(horizontal=True, gap="small"):
        title = "Liquidation heatmap (estimate)"
        render = lambda: heat_views.map_png(analysis, view, title)  # noqa: E731 (made when the button is pressed)
        png_download("Map (PNG)", spec, "liquidation-heatmap.png", title, analysis.label, "hm_png", render)
        st.download_button(
            "Heat cells (CSV)",
            lambda: to_csv_safe(heat_views.cells(analysis, view)),
            "heat_cells.csv",
            "text/csv",
            icon=":material/download:",
            on_click="ignore",
        )
    view_state.publish(VIEW_KEYS, merge=True)


map_section()
st.caption(  # the same for every view of the map, so it is not part of the map's fragment
    f"{heat_views.pixel_note(analysis)} Scroll or drag to zoom and pan time; hold **Shift** to zoom and pan price; "
    "double-click to reset. Point at (or tap) a band for its price range, USD and leverage mix."
)


@st.fragment
def profile_section() -> None:
    st.subheader("The book at one moment")
    times = list(heatmap.times)
    view_state.restore("hm_at", times[-1], parse=heat_views.parse_time, allowed=times)
    if st.session_state["hm_at"] not in times:
        st.session_state["hm_at"] = times[-1]
    at = st.select_slider("Profile time (UTC)", options=times, key="hm_at", format_func=lambda t: f"{t:%Y-%m-%d %H:%M}")
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
        when = f"{at:%Y-%m-%d %H:%M} UTC"
        estimated = profile_chart(profile, "Estimated", price_range=shared)
        chart_with_png(estimated, f"Estimated side profile at {when}", analysis.label, "profile-estimated", a)
        true_book = profile_chart(truth, "True book (simulator)", price_range=shared)
        true_title = f"True book at {when} (simulator, not an estimate)"
        chart_with_png(true_book, true_title, analysis.label, "profile-true", b)
    else:
        title = f"Estimated side profile at {at:%Y-%m-%d %H:%M} UTC (dashed: cumulative)"  # the PNG's
        shown = ("Estimated side profile", f"at {at:%Y-%m-%d %H:%M} UTC")  # the top axis names the dashed curves
        spec = heat_views.profile_spec(analysis, at, shown, by_tier=st.session_state.get("hm_by_tier", False))
        left.vega_lite_chart(spec, width="stretch")
        with left:
            buttons = st.columns([1, 1.4])
            with buttons[0]:
                png_download("Profile (PNG)", spec, "liquidation-profile.png", title, analysis.label, "hm_profile_png")
            buttons[1].toggle(
                "Colour by leverage",
                key="hm_by_tier",
                help="Split each bar into the leverage tiers of the assumed mix (low leverage nearest the axis).",
                disabled=analysis.heatmap.long_by_tier is None,
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
                    "Distance", format="%+.1f %%", width=75, help="From the price at the profile time; click to sort"
                ),
            },
        )
    with right:  # its own fragment: typing a target reruns only the box and its read-out
        st.fragment(_target_readout)(profile)
    right.download_button(
        "Clusters (CSV)",
        lambda: to_csv_safe(clusters),
        "clusters.csv",
        "text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    view_state.publish(VIEW_KEYS, merge=True)


def _target_readout(profile) -> None:
    """'If price reaches' with a positive, sensible range, and the notional liquidated on the way there."""
    last_price = float(heatmap.close[-1])
    if st.session_state.get("hm_target_for") != last_price:  # new data: a target typed for another market is void
        st.session_state["hm_target"] = round(last_price * 1.02, 1)
        st.session_state["hm_target_for"] = last_price
    low, high = float(heatmap.price_edges[0]), float(heatmap.price_edges[-1])
    target = st.number_input(
        "If price reaches (USD)",
        min_value=round(max(low, 0.01), 2),
        max_value=round(high, 2),
        step=float(max(round(profile.price * 0.005, 1), 0.01)),
        key="hm_target",
        format="%.1f",
        help=f"A price on the map: {low:,.1f} to {high:,.1f} USD (beyond it the model holds no positions).",
    )
    travel = notional_between(profile, profile.price, target)
    who = "longs" if travel["side"] == "long" else "shorts"
    st.metric(
        f"≈ {who} liquidated on the way (estimate)",
        compact_usd(travel["usd"]),
        delta=f"{100 * (target / profile.price - 1):+.2f} % from {profile.price:,.1f} USD",
        delta_color="off",
        help="Sum of the estimated notional between the price at the profile time and the target.",
    )


def how_to_read() -> None:
    """What the colours and shapes on the map mean for a trade (one markdown element: each one costs a render)."""
    st.markdown(
        "- **Violet band above price** → many shorts would be forced to buy there: a move up into it can accelerate "
        "(short squeeze) — or stall if the band is thin.\n"
        "- **Amber band below price** → many longs would be forced to sell there (long squeeze / cascade risk).\n"
        "- **Bands that end** where candles pass through them: those positions were liquidated (the estimate's "
        "implied liquidations). **Triangles** mark liquidations the data itself reports, when it has them.\n"
        "- A **breakout into a thin zone** has little forced flow behind it; one into a dense band has fuel: the "
        "*Fakeout scanner* section counts how often each kind failed here.\n"
        "- The map is a model: it assumes a leverage mix and entry prices (see *Assumptions* in the sidebar). "
        "Nothing here is financial advice."
    )


@st.fragment
def sections_below() -> None:
    """The chosen section only; the others' control values are kept for when they are chosen again."""
    offered = {name: label for name, label in SECTIONS.items() if name != "venues" or has_venue_split(analysis)}
    view_state.restore("hm_section", "book", allowed=offered)
    if st.session_state.get("hm_section") not in offered:  # a link's "venues" on single-venue data, or a dropped state
        st.session_state["hm_section"] = "book"
    chosen = st.segmented_control(
        "Below the map", list(offered), key="hm_section", required=True, format_func=offered.get
    )
    keep_alive(key for name, keys in SECTION_KEYS.items() if name != chosen for key in keys)
    if chosen == "book":
        profile_section()
    elif chosen == "venues":
        render_venue_split(analysis)
    elif chosen == "scanner":
        st.fragment(render_breakout_scanner)(analysis)
    else:
        how_to_read()
    view_state.publish(VIEW_KEYS, merge=True)


sections_below()
