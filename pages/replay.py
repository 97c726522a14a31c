"""Replay: the liquidation map played snapshot by snapshot, with the simulator's true book beside it when known."""

from __future__ import annotations

import streamlit as st

from liqcore.analysis import Analysis
from liqcore.cells import heat_cells
from liqcore.charts.heatmap import heatmap_chart
from liqcore.charts.raster import heat_raster
from liqcore.heatmap import Heatmap
from liqcore.replay import ReplayFrame, frame_at, snapshot_count, true_map
from pages.components.cache import cached
from pages.components.chart_export import chart_with_png
from pages.components.session import current_analysis
from pages.components.text import plain

TICK_SECONDS = 0.5  # one step of the replay while it plays
SPEEDS = (1, 2, 5)  # snapshots per tick
HOVER_CELLS = 300  # the picture is the raster; the hover grid only carries the read-out
MAP_HEIGHT = 380

analysis: Analysis = current_analysis(__file__)
count = snapshot_count(analysis)
truth = cached(true_map, analysis, spinner="Building the true book…") if analysis.is_simulated else None

if st.session_state.get("rp_for") != analysis.key:  # new data: start from the first snapshot, paused
    st.session_state.update(rp_for=analysis.key, rp_k=0, rp_playing=False)
st.session_state.setdefault("rp_speed", SPEEDS[0])


def _step(delta: int) -> None:
    st.session_state["rp_k"] = min(count - 1, max(0, st.session_state["rp_k"] + delta))


def _toggle_play() -> None:
    playing = not st.session_state["rp_playing"]
    if playing and st.session_state["rp_k"] >= count - 1:  # play from the start once the end was reached
        st.session_state["rp_k"] = 0
    st.session_state["rp_playing"] = playing


st.title("Replay")
st.caption(
    f"**{plain(analysis.label)}**, {count} snapshots. Press play and watch the estimated map build up bar by bar: "
    "bands appear as leveraged positions open (**longs below price, amber; shorts above, violet**) and vanish when "
    "price trades through them and liquidates them. Nothing after the current snapshot is drawn. The map is an "
    "**estimate**, not exchange data."
    + (
        " This is simulated data, so the simulator's **true book** plays beside it: compare where the estimate puts "
        "its bands with where the positions really were."
        if truth is not None
        else ""
    )
)

controls = st.columns([1, 1, 1.4, 3])
playing = st.session_state["rp_playing"]
controls[0].button(
    "Pause" if playing else "Play",
    key="rp_play",
    icon=":material/pause:" if playing else ":material/play_arrow:",
    on_click=_toggle_play,
    width="stretch",
    type="primary",
)
controls[1].button("Back", key="rp_back", icon=":material/skip_previous:", on_click=_step, args=(-1,), width="stretch")
controls[2].button("Forward", key="rp_forward", icon=":material/skip_next:", on_click=_step, args=(1,), width="stretch")
controls[3].segmented_control(
    "Speed",
    SPEEDS,
    key="rp_speed",
    required=True,
    format_func=lambda n: f"{n} per tick",
    help=f"Snapshots advanced every {TICK_SECONDS:g} s while playing.",
    label_visibility="collapsed",
)


def _map(heatmap: Heatmap, frame: ReplayFrame, title: str) -> None:
    st.markdown(f"**{title}**")
    chart = heatmap_chart(
        heat_raster(heatmap), heat_cells(heatmap, max_marks=HOVER_CELLS), frame.candles, frame.price, height=MAP_HEIGHT
    )
    estimate = "not an estimate" if frame.truth is heatmap else "estimate"
    png_title = f"{title} at {frame.time:%Y-%m-%d %H:%M} UTC ({estimate})"
    chart_with_png(chart, png_title, analysis.label, "replay-" + title.split()[0].lower())


@st.fragment(run_every=TICK_SECONDS if playing else None)
def replay_panel() -> None:
    """Only this panel reruns while playing; at the end it stops the clock with one full rerun."""
    if st.session_state["rp_playing"]:
        k = st.session_state["rp_k"] + st.session_state["rp_speed"]
        st.session_state["rp_k"] = min(k, count - 1)
        if k >= count - 1:
            st.session_state["rp_playing"] = False
            st.rerun(scope="app")
    st.select_slider(
        "Snapshot (UTC)",
        options=range(count),
        key="rp_k",
        format_func=lambda i: f"{analysis.heatmap.times[i]:%Y-%m-%d %H:%M}",
    )
    frame = frame_at(analysis, st.session_state["rp_k"], truth)
    st.caption(
        f"Snapshot {frame.index + 1} of {count} · **{frame.time:%Y-%m-%d %H:%M} UTC** · price {frame.price:,.1f} USD"
    )
    if frame.truth is None:
        _map(frame.estimate, frame, "Estimated map")
        return
    left, right = st.columns(2)  # stacked on narrow screens
    with left:
        _map(frame.estimate, frame, "Estimated map")
    with right:
        _map(frame.truth, frame, "True book (simulator)")


replay_panel()
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
