"""Cached chart specs for the heatmap page: each is built once per (analysis, view) and reused on every rerun.

The map is built with Altair once per analysis; another side, scale or contrast swaps only its heat image and hover
grid into that spec (`liqcore.charts.heatmap.with_heat`). Its colour legends are drawn beside the chart
(`legend_html`), not in it, so the spec is the same for every view of one analysis but for two named datasets:
Streamlit's frontend then swaps those into the chart it has (Vega's `view.data`) instead of embedding the whole chart
again, which took most of a second per click. The PNG keeps its legends inside the image (`with_legends`).
Specs are kept as plain Vega-Lite dicts in the app's one bounded cache (`pages.components.cache.cached`), so a rerun
neither rebuilds the Altair chart nor validates it again; downloads are computed only when a button asks for them.
"""

from __future__ import annotations

import html
from typing import NamedTuple

import pandas as pd
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

from liqcore.analysis import Analysis
from liqcore.cells import bars_per_candle, candles, heat_cells, realised_liquidations
from liqcore.charts.heatmap import heatmap_chart, profile_chart, tier_split, with_heat, with_legends, without_hover
from liqcore.charts.lessons import moment_markers
from liqcore.charts.raster import HeatRaster, LegendRamp, heat_raster, legend_ramps
from liqcore.export import chart_png
from pages.components.cache import cached
from pages.components.chart_export import spec_of

MAP_PNG_SCALE = 1.5  # 1800 px wide: every band and label legible; 2× took 2.7× the CPU for a 1.1 MB file
HOVER_CELLS = 700  # the read-out grid: enough to point at a band, small enough to send (~50 KB)


class MapView(NamedTuple):
    """What the map's controls choose."""

    side: str
    scale: str
    threshold: float
    moments: tuple[tuple[pd.Timestamp, str], ...] = ()  # a lesson's key moments (time, label) to mark


def parse_time(text: str) -> pd.Timestamp:
    """A profile time from the URL (UTC)."""
    stamp = pd.Timestamp(text)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _heat_layers(analysis: Analysis, side: str, scale: str, threshold: float) -> tuple[HeatRaster, pd.DataFrame]:
    heatmap = analysis.heatmap
    raster = heat_raster(heatmap, side, scale, threshold)
    return raster, heat_cells(heatmap, side=side, scale=scale, threshold=threshold, max_marks=HOVER_CELLS)


def _layers(analysis: Analysis, view: MapView) -> tuple[HeatRaster, pd.DataFrame]:
    """The view's heat image and hover grid, made once per side, scale and contrast: a new analysis's base spec and
    its default view share them, and so do a view's map and its PNG."""
    return cached(_heat_layers, analysis, view.side, view.scale, view.threshold)


def _base_spec(analysis: Analysis, moments: tuple[tuple[pd.Timestamp, str], ...]) -> dict:
    """The whole chart (candles, realised liquidations, last price, `moments`) at the default view: built with Altair
    once per analysis; every other view only swaps its heat layers in (`with_heat`)."""
    heatmap, market = analysis.heatmap, analysis.market
    raster, hover = _layers(analysis, MapView("both", "log", 0.0))
    price = float(heatmap.close[-1])
    chart = heatmap_chart(raster, hover, candles(market), price, realised_liquidations(market), legends=False)
    if moments:
        chart = chart + moment_markers(pd.DataFrame(list(moments), columns=["time", "label"]))
    spec = spec_of(chart)
    # Pinned, so the frontend never picks another renderer (or drops ARIA) because a view's hover grid crossed its
    # row-count thresholds: that would change the spec and embed the chart again. Canvas: ~20 % less browser CPU per
    # control change than SVG here (no 700 invisible hover <path>s to diff).
    return {
        **spec,
        "usermeta": {"embedOptions": {"renderer": "canvas"}},
        "config": {**spec.get("config", {}), "aria": False},
    }


def map_spec(analysis: Analysis, view: MapView) -> dict:
    """The heatmap chart's spec for this view, its datasets as rows (what a still image is made from).

    Built on each call (its parts are cached): the page draws `chart_spec`, and keeping these rows in the cache as
    well cost a walk over every row to size them (~20 ms per new view) for a spec only a PNG export reads.
    """
    base = cached(_base_spec, analysis, view.moments)
    return with_heat(base, *_layers(analysis, view))


def _base_tables(analysis: Analysis, moments: tuple[tuple[pd.Timestamp, str], ...]) -> dict[str, bytes]:
    return {
        name: convert_anything_to_arrow_bytes(rows)
        for name, rows in cached(_base_spec, analysis, moments)["datasets"].items()
    }


def _chart_spec(analysis: Analysis, view: MapView) -> dict:
    spec, made = map_spec(analysis, view), cached(_base_tables, analysis, view.moments)
    tables = {name: made.get(name) or convert_anything_to_arrow_bytes(rows) for name, rows in spec["datasets"].items()}
    return {**spec, "datasets": tables}


def chart_spec(analysis: Analysis, view: MapView) -> dict:
    """`map_spec` as `st.vega_lite_chart` sends it: every dataset already Arrow IPC bytes, made once per view (and the
    candles' and the other marks' once per analysis); a shallow copy, as Streamlit moves the datasets out of it.

    Streamlit converts a spec's row lists to Arrow on every call (~700 hover rows, the candles and the realised
    liquidations: most of the server's work per control change) but passes bytes through as they are; these are made
    by its own converter, so the browser gets the very same tables.
    """
    return dict(cached(_chart_spec, analysis, view))


def still_spec(analysis: Analysis, view: MapView) -> dict:
    """The map of this view for a still image: its legends drawn in, the hover grid (pointer only) left out."""
    raster, _ = _layers(analysis, view)
    return with_legends(without_hover(map_spec(analysis, view)), raster, float(analysis.heatmap.close[-1]))


def _map_png(analysis: Analysis, view: MapView, title: str) -> bytes:
    return chart_png(still_spec(analysis, view), title, analysis.label, scale=MAP_PNG_SCALE)


def map_png(analysis: Analysis, view: MapView, title: str) -> bytes:
    """The map of this view as a titled PNG (without the hover grid), made once per view and title."""
    return cached(_map_png, analysis, view, title)


def legend_html(view: MapView) -> str:
    """The map's colour legends as HTML for `st.html`: one ramp per side shown (shorts first), wrapping on a phone.

    Drawn outside the chart so the chart's spec stays the same for every view (see the module docstring). Text takes
    the page's own colour and the ramp is the raster's opacity over the page, so it reads on light and dark alike.
    """
    ramps = "".join(_ramp_html(ramp) for ramp in legend_ramps(view.side, view.scale))
    return f'<div class="heat-legends" style="{_ROW}">{ramps}</div>'


_ROW = "display:flex;flex-wrap:wrap;gap:0.4rem 2rem;font-size:0.8rem;line-height:1.3;margin:0 0 0.2rem 0"
_RAMP_WIDTH = "10rem"


def _ramp_html(ramp: LegendRamp) -> str:
    gradient = ", ".join(f"{colour} {100 * at:.1f}%" for at, colour in ramp.stops)
    ticks = "".join(
        f'<span style="position:absolute;left:{100 * at:.1f}%;transform:translateX(-{100 * at:.0f}%)">'
        f"{html.escape(label)}</span>"
        for at, label in ramp.ticks
    )
    return (
        f'<div class="heat-legend" data-side="{html.escape(ramp.side)}">'
        f'<div style="font-weight:600">{html.escape(ramp.title)}</div>'
        f'<div style="width:{_RAMP_WIDTH};height:0.7rem;margin-top:0.15rem;border-radius:2px;'
        f'outline:1px solid rgba(128,128,128,0.35);background:linear-gradient(to right, {gradient})"></div>'
        f'<div style="position:relative;width:{_RAMP_WIDTH};height:1.2em;opacity:0.8">{ticks}</div>'
        "</div>"
    )


def _profile_spec(analysis: Analysis, at: pd.Timestamp, title: tuple[str, str], by_tier: bool) -> dict:
    tiers = tier_split(analysis.heatmap, at) if by_tier else None
    return spec_of(profile_chart(analysis.heatmap.profile(at), title[0], tiers=tiers, detail=title[1]))


def profile_spec(analysis: Analysis, at: pd.Timestamp, title: tuple[str, str], by_tier: bool = False) -> dict:
    """The side-profile chart's spec at `at`, titled (headline, detail), its bars split by leverage tier when
    `by_tier`."""
    return dict(cached(_profile_spec, analysis, at, title, by_tier))


def _cells(analysis: Analysis, view: MapView) -> pd.DataFrame:
    return heat_cells(analysis.heatmap, side=view.side, scale=view.scale, threshold=view.threshold)


def cells(analysis: Analysis, view: MapView) -> pd.DataFrame:
    """The map as rectangles (for the CSV download): neighbouring cells merged to at most ~8,000 rows."""
    return cached(_cells, analysis, view)


def pixel_note(analysis: Analysis) -> str:
    """What the picture holds, in words."""
    columns, bins = analysis.heatmap.long.shape
    market = analysis.market
    factor = bars_per_candle(market)
    span = _duration(factor * market.interval)
    candle = (
        f"each candle is one {span} bar"
        if factor == 1
        else f"each candle spans {factor} bars ({span}); a shorter window shown in the sidebar draws finer candles"
    )
    return f"Full resolution: {columns:,} snapshots × {bins:,} price bins in one image; {candle}."


def _duration(span: pd.Timedelta) -> str:
    """A bar's length as a trader writes it: 5 min, 4 h, 1 d (or seconds)."""
    seconds = int(span.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds / 60:.0f} min" if seconds > 600 else f"{seconds} s"
