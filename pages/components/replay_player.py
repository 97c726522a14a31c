"""The replay player: the map played in the browser from one precomputed tape, with no server round trip per frame.

Why in the browser: a rerun per frame (new chart specs, a new Vega view each time) drew under one frame per second
on a loaded machine. The tape (`liqcore.replay.replay_tape`) holds each map once as a raster over the whole window
and the candles; the player draws frame k by clipping the raster at snapshot k + 1 on a canvas, so the axes never
move and a frame costs a few milliseconds. It opens on the latest snapshot (the first is an empty map, which reads as
broken) and Play from there starts at the first. It records the time of every frame it draws in `window.replayStats` so
a browser test can measure the frame rate.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from liqcore.charts.heatmap import DOWN, PRICE_COLOUR, UP

TEMPLATE = Path(__file__).with_name("replay_player.html")
SPEEDS = (2, 5, 10, 20)  # snapshots per second
DEFAULT_SPEED = 5
PANEL_HEIGHT = 300  # px per map
CONTROLS_HEIGHT = 124  # buttons, slider and the status line (wrapped to three rows on a phone)
THEMES = {
    "light": {"text": "#31333f", "grid": "rgba(49,51,63,0.12)", "grid_strong": "rgba(49,51,63,0.3)"},
    "dark": {"text": "#fafafa", "grid": "rgba(250,250,250,0.12)", "grid_strong": "rgba(250,250,250,0.3)"},
}


def _theme() -> str:
    kind = getattr(getattr(st.context, "theme", None), "type", None)
    return kind if kind in THEMES else "light"


def player_html(tape: dict, theme: str = "light") -> str:
    """The player page for `tape` in the `theme` ("light" or "dark") colours."""
    colours = THEMES[theme]
    style = {
        "open_at": len(tape["times"]) - 1,  # the latest snapshot: the first one is an empty map
        "speeds": list(SPEEDS),
        "default_speed": DEFAULT_SPEED,
        "panel_height": PANEL_HEIGHT,
        "text": colours["text"],
        "grid": colours["grid"],
        "up": UP,
        "down": DOWN,
        "price": PRICE_COLOUR,
        "marker": "#22c55e",
    }
    # "</" never reaches the page inside the script, so no value can close the script element early.
    as_script = lambda value: json.dumps(value).replace("</", "<\\/")  # noqa: E731
    return (
        TEMPLATE.read_text(encoding="utf-8")
        .replace("__SCHEME__", theme)
        .replace("__TEXT__", colours["text"])
        .replace("__GRID_STRONG__", colours["grid_strong"])
        .replace("__TAPE__", as_script(tape))
        .replace("__STYLE__", as_script(style))
    )


def player_height(tape: dict) -> int:
    """The iframe's height: the controls and one panel (title, map, time axis) per map."""
    return CONTROLS_HEIGHT + len(tape["maps"]) * (PANEL_HEIGHT + 22 + 24) + 8


def render_player(tape: dict) -> None:
    """The player at full width, in the page's theme."""
    components.html(player_html(tape, _theme()), height=player_height(tape))
