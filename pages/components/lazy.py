"""Sections drawn only while open (lazy expanders and tabs): their widgets' values must outlive the runs that skip them.

Streamlit forgets a widget's value at the end of a run that did not draw it. Writing the value back through the
Session State API in such a run keeps it (Streamlit's documented way to keep widget state across pages), so a
closed section still counts: edited assumptions keep driving the map, scanner settings survive a tab switch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import streamlit as st


def keep_alive(keys: Iterable[str] | Mapping[str, object]) -> None:
    """Keep each key's current value for the next run although its widget is not drawn in this one."""
    for key in list(keys):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def section(label: str, draw: Callable[[], None], *, key: str, icon: str) -> None:
    """A collapsed expander whose contents, `draw()`, are sent only while it is open; opening or closing it reruns
    the page. It stays open when its label changes (a label may name what is inside, such as the settings in it)."""
    keep_alive([key])  # the expander's identity includes its label: a new label would start it closed again
    with st.expander(label, icon=icon, key=key, on_change="rerun") as box:
        if box.open:
            draw()


def reading(label: str, draw: Callable[[], None], *, key: str, icon: str) -> None:
    """A collapsed expander of reading matter whose contents are sent only while it is open; opening or closing it
    reruns only itself (a fragment), not the page's charts."""
    st.fragment(lambda: section(label, draw, key=key, icon=icon))()
