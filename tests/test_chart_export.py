"""PNG export of the pages' charts: a real, full-width, non-blank image whose spec carries title, dataset and
"estimate"; the page helper hands the download button a callable that renders exactly that chart."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from liqcore import analyse, simulate
from liqcore.charts.heatmap import profile_chart
from liqcore.charts.volatility import pressure_chart
from liqcore.export import titled_spec
from liqcore.volatility import VolatilityConfig, forecast
from pages.components.chart_export import png_bytes, spec_of

WIDTH, SCALE = 1200, 2  # chart_png's defaults: a 1200-pixel-wide chart drawn at twice the resolution


@pytest.fixture(scope="module")
def small_analysis():
    return analyse(simulate("long_cascade", seed=2, bars=500))


def _image(png: bytes) -> np.ndarray:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _inked_share(pixels: np.ndarray) -> float:
    """Share of pixels that are not the white page."""
    return float((pixels.min(axis=2) < 235).mean())


def test_a_stacked_chart_fills_the_width_and_is_titled(small_analysis) -> None:
    """The volatility page's price-over-pressure stack: both charts get the width, not the stack's top."""
    result = forecast(small_analysis, VolatilityConfig(min_train=150))
    chart = pressure_chart(result.frame, small_analysis.market.bars["close"], result.relative_to)
    page = titled_spec(spec_of(chart), "Pressure over time", "Simulator · seed 2")
    assert [part["width"] for part in page["vconcat"]] == [WIDTH, WIDTH]
    assert page["title"]["text"] == "Pressure over time"
    assert page["title"]["subtitle"] == "Simulator · seed 2 · estimate"
    pixels = _image(png_bytes(chart, "Pressure over time", "Simulator · seed 2"))
    height, width, _ = pixels.shape
    assert WIDTH * SCALE <= width <= (WIDTH + 200) * SCALE  # the chart plus its axes and legend, at 2×
    assert height > 300 * SCALE  # two panels of 180 and 150 px, plus the title
    assert 0.02 < _inked_share(pixels) < 0.9  # drawn on, but not a flood
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50  # lines, axes, text: not a flat fill


def test_a_layered_chart_keeps_its_own_height_and_gets_the_width(small_analysis) -> None:
    chart = profile_chart(small_analysis.heatmap.profile(), "Profile", height=300)
    pixels = _image(png_bytes(chart, "Side profile (estimate)", "sim"))
    height, width, _ = pixels.shape
    assert WIDTH * SCALE <= width <= (WIDTH + 200) * SCALE
    assert 300 * SCALE <= height <= 480 * SCALE
    assert _inked_share(pixels) > 0.02


def test_the_page_helper_draws_the_chart_and_defers_its_png_to_the_click(monkeypatch) -> None:
    """A tiny page using `chart_with_png`: one chart, one PNG button, and the button's callable is the titled PNG."""
    registered = []
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        registered.append((file_name, mimetype, data_callable))
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    script = """
import altair as alt
import pandas as pd
from pages.components.chart_export import chart_with_png

chart = alt.Chart(pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})).mark_line().encode(x="x:Q", y="y:Q")
chart_with_png(chart, "A line", "My data", "my-line")
"""
    at = AppTest.from_string(script, default_timeout=60).run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 1
    [button] = at.get("download_button")
    assert button.proto.label == "Chart (PNG)"
    [(file_name, mimetype, render)] = registered
    assert (file_name, mimetype) == ("my-line.png", "image/png")
    pixels = _image(render())
    assert pixels.shape[1] >= WIDTH * SCALE and _inked_share(pixels) > 0.005


def test_the_map_png_is_made_once_per_view_at_one_and_a_half_times_without_the_hover_grid(small_analysis) -> None:
    from pages.components.heat_views import MAP_PNG_SCALE, MapView, map_png

    view = MapView("short", "linear", 0.0)
    png = map_png(small_analysis, view, "Liquidation heatmap (estimate)")
    pixels = _image(png)
    assert WIDTH * MAP_PNG_SCALE <= pixels.shape[1] <= (WIDTH + 200) * MAP_PNG_SCALE
    assert _inked_share(pixels) > 0.05
    assert map_png(small_analysis, view, "Liquidation heatmap (estimate)") is png  # cached: a second click is free
