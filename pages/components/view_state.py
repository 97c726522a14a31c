"""Bind the view-defining choices to the URL's query parameters, so a link reproduces the view.

On the first run of a session the link's query parameters are kept aside; each widget key is seeded from them once
(invalid values fall back to defaults), whenever its widget first appears — the sidebar's on the frame's first run,
a page's own controls when that page first runs. On every run the current choices are written back to the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st

from pages.components.text import plain

_RESTORED = "_view_state_restored"
_LINK = "_view_state_link"
_IGNORED = "_view_state_ignored"
_TOLD = "_view_state_told"
MAX_PARAMS = 40  # a link names a handful of choices; more are junk and are not read
MAX_VALUE_CHARS = 100  # no choice has a longer value
_PAGE_KEYS = "_view_state_page_keys"


def _link() -> dict[str, str]:
    """The query parameters the session was opened with (kept before any publish rewrites the URL), bounded: at most
    MAX_PARAMS of them, each value at most MAX_VALUE_CHARS long; the rest are ignored and reported."""
    if _LINK not in st.session_state:
        given = st.query_params.to_dict()
        kept = {k: v for k, v in list(given.items())[:MAX_PARAMS] if len(k) <= MAX_VALUE_CHARS}
        ignored = [k for k in given if k not in kept] + [k for k, v in kept.items() if len(v) > MAX_VALUE_CHARS]
        st.session_state[_LINK] = {k: v for k, v in kept.items() if len(v) <= MAX_VALUE_CHARS}
        st.session_state[_IGNORED] = ignored
    return st.session_state[_LINK]


def ignored() -> list[str]:
    """Names of the link's parameters that were not used: over the limits, or a value no widget accepts."""
    _link()
    return st.session_state[_IGNORED]


def restore(
    key: str,
    default: Any,
    parse: Callable[[str], Any] = str,
    allowed: Iterable[Any] | None = None,
    aliases: tuple[str, ...] = (),
) -> None:
    """Seed `st.session_state[key]` from the link's query parameter of the same name once per session.

    `aliases` are the parameter's former names, read when the link lacks the current one, so old share links still
    open their view (the next publish writes the current name).
    """
    link = _link()
    restored: set[str] = st.session_state.setdefault(_RESTORED, set())
    if key in restored:
        st.session_state.setdefault(key, default)
        return
    restored.add(key)
    name = next((name for name in (key, *aliases) if name in link), None)
    value = st.session_state.get(key, default)  # a value set before the widget first appears is kept
    if name is not None:
        try:
            candidate = parse(link[name])
            accepted = allowed is None or candidate in set(allowed)
        except (TypeError, ValueError, OverflowError):
            accepted = False
        if accepted:
            value = candidate
        else:
            st.session_state[_IGNORED].append(name)
    st.session_state[key] = value


def tell_ignored() -> None:
    """Once per session, say which link parameters were not used (the default view is shown for them)."""
    names = ignored()
    if names and not st.session_state.get(_TOLD):
        st.session_state[_TOLD] = True
        shown = ", ".join(plain(name[:30]) for name in names[:5]) + (
            f" and {len(names) - 5} more" if len(names) > 5 else ""
        )
        st.toast(f"Link parameter(s) not understood, defaults used: {shown}.", icon=":material/link_off:")


def publish(keys: Iterable[str], merge: bool = False) -> None:
    """Write the current value of each key present in session state to the URL.

    The frame publishes its keys and drops every other parameter except those a page published (`merge=True`):
    a page's view (say the heatmap's side and scale) stays in the link while the frame reruns and after a page
    switch, so the link still reproduces it.
    """
    _link()
    keys = list(keys)
    page_keys: set[str] = st.session_state.setdefault(_PAGE_KEYS, set())
    if merge:
        page_keys.update(keys)
    wanted = {key: str(st.session_state[key]) for key in keys if key in st.session_state}
    if not merge:
        kept = {key: st.query_params[key] for key in st.query_params if key in page_keys and key not in wanted}
        if any(key not in wanted and key not in kept for key in st.query_params):
            st.query_params.from_dict({**kept, **wanted})  # one update, not one per junk parameter
            return
    changed = {key: value for key, value in wanted.items() if st.query_params.get(key) != value}
    if changed:  # one message to the browser, not one per key: each makes the whole page render again
        st.query_params.update(changed)
