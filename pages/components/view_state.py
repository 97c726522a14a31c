"""Bind the view-defining choices to the URL's query parameters, so a link reproduces the view.

On the first run of a session the link's query parameters are kept aside; each widget key is seeded from them once
(invalid values fall back to defaults), whenever its widget first appears — the sidebar's on the frame's first run,
a page's own controls when that page first runs. On every run the current choices are written back to the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st

_RESTORED = "_view_state_restored"
_LINK = "_view_state_link"


def _link() -> dict[str, str]:
    """The query parameters the session was opened with (kept before any publish rewrites the URL)."""
    if _LINK not in st.session_state:
        st.session_state[_LINK] = st.query_params.to_dict()
    return st.session_state[_LINK]


def restore(key: str, default: Any, parse: Callable[[str], Any] = str, allowed: Iterable[Any] | None = None) -> None:
    """Seed `st.session_state[key]` from the link's query parameter of the same name once per session."""
    link = _link()
    restored: set[str] = st.session_state.setdefault(_RESTORED, set())
    if key in restored:
        st.session_state.setdefault(key, default)
        return
    restored.add(key)
    raw = link.get(key)
    value = st.session_state.get(key, default)  # a value set before the widget first appears is kept
    if raw is not None:
        try:
            candidate = parse(raw)
        except (TypeError, ValueError):
            candidate = value
        if allowed is None or candidate in set(allowed):
            value = candidate
    st.session_state[key] = value


def publish(keys: Iterable[str], merge: bool = False) -> None:
    """Write the current value of each key present in session state to the URL.

    The frame publishes its keys and drops every other parameter; a page then adds its own with `merge=True`.
    """
    _link()
    wanted = {key: str(st.session_state[key]) for key in keys if key in st.session_state}
    if not merge:
        for key in list(st.query_params):
            if key not in wanted:
                del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
