"""Bind the sidebar's view-defining choices to the URL's query parameters, so a link reproduces the view.

On the first run of a session the query parameters seed the widgets' session state (invalid values fall back to
defaults); on every run the current choices are written back to the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st

_RESTORED = "_view_state_restored"


def restore(key: str, default: Any, parse: Callable[[str], Any] = str, allowed: Iterable[Any] | None = None) -> None:
    """Seed `st.session_state[key]` from the query parameter of the same name once per session."""
    restored: set[str] = st.session_state.setdefault(_RESTORED, set())
    if key in restored:
        st.session_state.setdefault(key, default)
        return
    restored.add(key)
    raw = st.query_params.get(key)
    value = default
    if raw is not None:
        try:
            candidate = parse(raw)
        except (TypeError, ValueError):
            candidate = default
        if allowed is None or candidate in set(allowed):
            value = candidate
    st.session_state[key] = value


def publish(keys: Iterable[str]) -> None:
    """Write the current value of each key present in session state to the URL."""
    wanted = {key: str(st.session_state[key]) for key in keys if key in st.session_state}
    for key in list(st.query_params):
        if key not in wanted:
            del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
