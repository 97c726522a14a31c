"""Replay: the liquidation map played snapshot by snapshot, with the simulator's true book beside it when known."""

from __future__ import annotations

import streamlit as st

from liqcore.analysis import Analysis
from liqcore.cells import heat_cells
from liqcore.charts.heatmap import heatmap_chart
from liqcore.charts.raster import heat_raster
from liqcore.replay import ReplayFrame, frame_at, replay_tape, snapshot_count, true_map
from pages.components import view_state
from pages.components.cache import cached
from pages.components.chart_export import chart_with_png, spec_of
from pages.components.heat_views import parse_time
from pages.components.replay_player import render_player
from pages.components.session import current_analysis
from pages.components.text import plain

PAGE_TITLE = "Replay"  # navigation: pages/components/page_list.py reads these three lines
PAGE_ICON = ":material/play_circle:"
PAGE_ORDER = 6

HOVER_CELLS = 300  # the picture is the raster; the hover grid only carries the read-out
MAP_HEIGHT = 560  # px for the whole chart: its legends, time axis and title take ~250, the rest is the plot
VIEW_KEYS = ("rp_at",)  # the inspected snapshot's time is part of the share link

analysis: Analysis = current_analysis(__file__)
count = snapshot_count(analysis)
truth = cached(true_map, analysis, spinner="Building the true book…") if analysis.is_simulated else None
tape = cached(replay_tape, analysis, spinner="Preparing the replay…")

times = list(analysis.heatmap.times)
# The page opens on the latest snapshot, where the map has built up (the first one is an empty map), unless the link
# names one; new data opens on its own latest snapshot.
view_state.restore("rp_at", times[-1], parse=parse_time, allowed=times)
if st.session_state.get("rp_for") not in (None, analysis.key) or st.session_state["rp_at"] not in times:
    st.session_state["rp_at"] = times[-1]
st.session_state["rp_for"] = analysis.key


def _step(delta: int) -> None:
    index = times.index(st.session_state["rp_at"]) + delta
    st.session_state["rp_at"] = times[min(count - 1, max(0, index))]


st.title("Replay")
st.caption(
    f"**{plain(analysis.label)}**, {count} snapshots. The player opens on the **latest snapshot**, the map as it "
    "stands at the end of the window; press play to watch the estimated map build up bar by bar from the first: "
    "bands appear as leveraged positions open (**longs below price, amber; shorts above, violet**) and vanish when "
    "price trades through them and liquidates them. Nothing after the current snapshot is drawn; the dotted green "
    "line is the snapshot's time and the blue dashed line its price. The map is an **estimate**, not exchange data."
    + (
        " This is simulated data, so the simulator's **true book** plays beneath it on the same axes: compare where "
        "the estimate puts its bands with where the positions really were."
        if truth is not None
        else ""
    )
)
render_player(tape)
st.caption(
    "The replay plays in your browser: every frame is drawn there from maps computed once, one colour scale for the "
    "whole window, so a band keeps its brightness as it plays. Speed is in snapshots per second."
)
st.markdown(
    "**What to look for.** A band that starts at a candle is where positions were opened with leverage; it ends "
    "where a later candle reaches it (those positions were liquidated) or where traders closed them. Step back and "
    "forward around a sharp move to see which bands it consumed."
    + (
        " On the simulator, bands the estimate draws but the truth lacks are the model's guesses gone wrong; bands "
        "only the truth has are positions the estimate missed."
        if truth is not None
        else ""
    )
)


def _map_spec(analysis: Analysis, index: int, true_book: bool) -> dict:
    """The inspected snapshot's map (or, with `true_book`, the simulator's true book) as a spec: built once per
    (analysis, snapshot, map), so a rerun that keeps the snapshot (a page switch back, say) builds no chart (~0.5 s
    CPU per map)."""
    frame = frame_at(analysis, index, cached(true_map, analysis) if true_book else None)
    heatmap = frame.truth if true_book else frame.estimate
    chart = heatmap_chart(
        heat_raster(heatmap), heat_cells(heatmap, max_marks=HOVER_CELLS), frame.candles, frame.price, height=MAP_HEIGHT
    )
    return spec_of(chart)


def _map(frame: ReplayFrame, true_book: bool) -> None:
    title = "True book (simulator)" if true_book else "Estimated map"
    st.markdown(f"**{title}**")
    estimate = "not an estimate" if true_book else "estimate"
    png_title = f"{title} at {frame.time:%Y-%m-%d %H:%M} UTC ({estimate})"
    spec = cached(_map_spec, analysis, frame.index, true_book)
    chart_with_png(spec, png_title, analysis.label, "replay-" + title.split()[0].lower())


st.subheader("Inspect one snapshot")
st.caption(
    "The map as it stood at one snapshot (the latest until you pick another), with the read-out on hover and a PNG "
    "of it. The share link keeps the snapshot you pick."
)
controls = st.columns([1, 1, 5], vertical_alignment="bottom")
controls[0].button("Back", key="rp_back", icon=":material/skip_previous:", on_click=_step, args=(-1,), width="stretch")
controls[1].button("Forward", key="rp_forward", icon=":material/skip_next:", on_click=_step, args=(1,), width="stretch")
controls[2].select_slider("Snapshot (UTC)", options=times, key="rp_at", format_func=lambda t: f"{t:%Y-%m-%d %H:%M}")
frame = frame_at(analysis, times.index(st.session_state["rp_at"]), truth)
moment = " (the latest)" if frame.index == count - 1 else ""
st.caption(
    f"Snapshot {frame.index + 1} of {count}{moment} · **{frame.time:%Y-%m-%d %H:%M} UTC** · "
    f"price {frame.price:,.1f} USD"
)
view_state.publish(VIEW_KEYS, merge=True)
if frame.truth is None:
    _map(frame, true_book=False)
else:
    left, right = st.columns(2)  # stacked on narrow screens
    with left:
        _map(frame, true_book=False)
    with right:
        _map(frame, true_book=True)
