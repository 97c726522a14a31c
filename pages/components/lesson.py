"""Guidance for learners: the "start here" path on the first visit, and the simulator scenario's lesson with "show me".

All text comes from `liqcore.scenarios` (the scenario objects and `START_HERE`); this module only lays it out: each
is a collapsed expander with a telling label, so on a 1440×900 desktop and a 390 px phone the map stays on the first
screen (opened in full they pushed it below the fold). Both render their contents only while open: they sit above the
map, and the browser draws the map only after every element before it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from liqcore.analysis import Analysis
from liqcore.scenarios import START_HERE
from pages.components.lazy import keep_alive

WALKTHROUGH_PAGE = "pages/walkthrough.py"
SEEN_KEY = "start_here_done"
SHOW_KEY = "lesson_show_me"


def render_start_here() -> None:
    """Three short steps explaining the map, offered until the learner dismisses them (once per session)."""
    if st.session_state.get(SEEN_KEY):
        return
    with st.expander(
        "Start here: the map in three steps", icon=":material/flag:", key="start_here", on_change="rerun"
    ) as box:
        if not box.open:
            return
        for number, (title, text) in enumerate(START_HERE, start=1):
            st.markdown(f"**{number}. {title}**  \n{text}")
        left, right = st.columns([1, 2])
        left.button(
            "Got it",
            key="start_here_ok",
            icon=":material/check:",
            on_click=lambda: st.session_state.update({SEEN_KEY: True}),
        )
        try:
            right.page_link(WALKTHROUGH_PAGE, label="Open the trade walkthrough", icon=":material/school:")
        except StreamlitPageNotFoundError:  # the page was run on its own, outside the app's navigation
            right.markdown(":material/school: *Trade walkthrough* in the menu")


def _jump(moments: pd.DataFrame, slider_key: str, times: pd.DatetimeIndex) -> None:
    """When "show me" turns on, move the profile-time slider to the first key moment's snapshot."""
    if st.session_state.get(SHOW_KEY) and len(moments):
        pos = int(times.searchsorted(moments["time"].iloc[0], side="right")) - 1
        st.session_state[slider_key] = times[max(pos, 0)]


def render_scenario_lesson(analysis: Analysis, slider_key: str) -> pd.DataFrame | None:
    """The loaded scenario's lesson, and its key moments inside the map's window when "show me" is on (else None)."""
    if not analysis.is_simulated:
        return None
    sim = analysis.simulation
    guide = sim.guide
    times = analysis.heatmap.times
    moments = sim.key_moments()
    visible = moments[(moments["time"] >= times[0]) & (moments["time"] <= times[-1])]
    shown = bool(st.session_state.get(SHOW_KEY)) and not visible.empty
    with st.expander(
        f"Lesson · {guide.title}: what to watch, and show me",
        icon=":material/school:",
        key="scenario_lesson",
        on_change="rerun",
    ) as box:
        if not box.open:
            keep_alive([SHOW_KEY])  # closing the lesson keeps its moments marked on the map
            return visible if shown else None
        st.markdown(guide.story)
        st.markdown(f"**What to watch.** {guide.watch}  \n**Where on the chart.** {guide.where}")
        st.toggle(
            "Show me the key moment" + ("s" if len(moments) > 1 else ""),
            key=SHOW_KEY,
            on_change=_jump,
            args=(visible, slider_key, times),
            help="Marks the moment on the map and moves the book below to it.",
        )
        if len(visible) < len(moments):
            missing = ", ".join(moments.loc[~moments.index.isin(visible.index), "label"])
            st.caption(f"Outside the window shown: {missing}. Choose *All* as the window in the sidebar to see it.")
        if shown:
            st.caption(
                "Marked on the map: "
                + " · ".join(
                    f"**{row.label}** {row.time:%b %d %H:%M} UTC at {row.price:,.0f} USD"
                    for row in visible.itertuples()
                )
            )
        with st.expander("What this simulator has, and what it leaves out", icon=":material/science:"):
            st.markdown("**Has:**\n" + "\n".join(f"- {text}" for text in guide.mechanisms))
            st.markdown("**Leaves out:**\n" + "\n".join(f"- {text}" for text in guide.missing_mechanisms))
    return visible if shown else None


def render_guides(analysis: Analysis, slider_key: str) -> pd.DataFrame | None:
    """ "Start here" and the scenario's lesson side by side (either alone at full width); returns the lesson's
    marked moments, as `render_scenario_lesson` does."""
    start_here = not st.session_state.get(SEEN_KEY)
    if start_here and analysis.is_simulated:
        left, right = st.columns(2)
        with left:
            render_start_here()
        with right:
            return render_scenario_lesson(analysis, slider_key)
    if start_here:
        render_start_here()
    return render_scenario_lesson(analysis, slider_key)
