"""The heat layer as one raster image: every snapshot column × every price bin in one PNG, placed by its extents.

A browser draws one image as fast as it draws one rectangle, so the map keeps full resolution whatever the window shown,
where thousands of rect marks made every page slow. Colours are theme-independent: each side has one hue (longs
amber, shorts violet) and density sets the pixel's opacity, so faint cells fade into whatever the page background
is (dark or light) from the first paint, with no need to know the theme.

`heat_raster` builds the image from a `Heatmap`; `raster_layer` places it on an Altair chart, under candles or any
other layer that shares its time (UTC) and price (USD) axes — the heatmap page and the walkthrough replay use both.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
from dataclasses import dataclass
from typing import NamedTuple

import altair as alt
import numpy as np
import pandas as pd
from PIL import Image

from liqcore.cells import SCALES, intensity
from liqcore.heatmap import Heatmap

LONG_RGB, SHORT_RGB = (245, 138, 11), (157, 92, 246)
# Opacity = intensity ** gamma: a percentile scale is uniform by construction, so only its top ranks get much ink;
# linear leaves most cells near zero, so its faint end is lifted.
GAMMA = {"linear": 0.6, "log": 1.2, "percentile": 3.0}
MIN_ALPHA = 0.06  # the faintest drawn cell is still just visible


@dataclass(frozen=True, eq=False)
class HeatRaster:
    """A PNG of the map and where it sits: times [t0, t1) (UTC) and prices [p0, p1] (USD), pixel edges."""

    png: bytes
    t0: pd.Timestamp
    t1: pd.Timestamp
    p0: float
    p1: float
    side: str
    scale: str

    @property
    def url(self) -> str:
        """The image as a data URL, for a Vega-Lite image mark."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return Image.open(io.BytesIO(self.png)).size


def _end_time(heatmap: Heatmap) -> pd.Timestamp:
    """The last snapshot holds until the data ends, one bar after it."""
    bars, times = heatmap.implied.index, heatmap.times
    step = bars[-1] - bars[-2] if len(bars) > 1 else (times[-1] - times[-2] if len(times) > 1 else pd.Timedelta(0))
    return times[-1] + (step if step > pd.Timedelta(0) else pd.Timedelta("1min"))


def _pixel_index(edges: np.ndarray, limit: int) -> tuple[np.ndarray, float]:
    """Evenly spaced pixels from `edges[0]`: the interval of `edges` each pixel centre falls in, and the pixels' end.

    A pixel is as wide as the narrowest interval (widened only to stay within `limit` pixels), so an even grid maps
    one interval to one pixel and uneven spacing is drawn where it is. The newest interval may be a one-bar stub:
    it is left out of "narrowest" and drawn to the end of the last pixel (at most one pixel past the data).
    """
    widths = np.diff(edges)
    narrowest = float(np.min(widths[:-1] if len(widths) > 1 else widths))
    span = edges[-1] - edges[0]
    count = max(1, int(np.ceil(span / narrowest - 1e-9)))
    if count > limit:
        count, narrowest = limit, span / limit
    centres = edges[0] + (np.arange(count) + 0.5) * narrowest
    index = np.clip(np.searchsorted(edges, centres, side="right") - 1, 0, len(edges) - 2)
    return index, float(edges[0] + count * narrowest)


def heat_raster(
    heatmap: Heatmap,
    side: str = "both",
    scale: str = "log",
    threshold: float = 0.0,
    max_width: int = 2000,
    max_height: int = 2000,
) -> HeatRaster:
    """The map as an RGBA PNG: one pixel per snapshot column and price bin (resampled only past the size caps).

    Intensity (see `liqcore.cells.intensity`) is computed over the sides shown, on one scale for both; pixels below
    `threshold` are transparent. Where both sides hold notional in a pixel its hue mixes by their shares.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    long = heatmap.long if side in ("both", "long") else np.zeros_like(heatmap.long)
    short = heatmap.short if side in ("both", "short") else np.zeros_like(heatmap.short)
    t_end = _end_time(heatmap)
    t_edges = np.append(heatmap.times.as_unit("ns").asi8, t_end.as_unit("ns").value).astype(float)
    cols, t_stop = _pixel_index(t_edges, max_width)
    rows, p_stop = _pixel_index(np.asarray(heatmap.price_edges, float), max_height)
    rows = rows[::-1]  # image row 0 is the top price
    long, short = long[np.ix_(cols, rows)].T, short[np.ix_(cols, rows)].T
    total = long + short
    level = np.zeros_like(total)
    filled = total > 0
    level[filled] = intensity(total[filled], scale)
    shown = filled & (level >= threshold) & (level > 0)
    alpha = np.where(shown, MIN_ALPHA + (1 - MIN_ALPHA) * level ** GAMMA[scale], 0.0)
    share = np.divide(long, total, out=np.ones_like(total), where=filled)[..., None]
    rgb = share * np.asarray(LONG_RGB, float) + (1 - share) * np.asarray(SHORT_RGB, float)
    rgba = np.dstack([rgb, 255 * alpha[..., None]]).round().astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, "PNG", compress_level=6)
    return HeatRaster(
        png=buffer.getvalue(),
        t0=heatmap.times[0].tz_convert("UTC"),
        t1=pd.Timestamp(round(t_stop), tz="UTC"),
        p0=float(heatmap.price_edges[0]),
        p1=p_stop,
        side=side,
        scale=scale,
    )


def _rgba(rgb: tuple[int, int, int], alpha: float) -> str:
    return f"rgba({rgb[0]},{rgb[1]},{rgb[2]},{alpha:.3f})"


# Each scale's legend ticks: (position on the 0-1 intensity ramp, label). Log spans three decades below the densest
# cell (0.1 % … 100 %); percentile names ranks.
LEGEND_TICKS = {
    "linear": ((0.0, "0%"), (0.25, "25%"), (0.5, "50%"), (0.75, "75%"), (1.0, "100%")),
    "log": ((0.0, "0.1%"), (1 / 3, "1%"), (2 / 3, "10%"), (1.0, "100%")),
    "percentile": ((0.0, "p0"), (0.5, "p50"), (0.75, "p75"), (1.0, "p100")),
}
LEGEND_TITLES = {  # short, so the realised-liquidations legend and the shorts' share one row on a 390 px phone
    "linear": "{side}: share of densest",
    "log": "{side}: share of densest (log)",
    "percentile": "{side}: percentile rank",
}
# Where each side's legend sits in a still image: shorts above the map (they are above price), longs below it (below
# price); one row for three legends overflowed a phone and cut the shorts' legend off.
LEGEND_ORIENT = {"long": "bottom", "short": "top"}
SIDE_RGB = {"long": LONG_RGB, "short": SHORT_RGB}


class LegendRamp(NamedTuple):
    """One side's colour legend as the raster draws it: title, colour stops (0-1 position, CSS rgba) and ticks."""

    side: str
    title: str
    stops: tuple[tuple[float, str], ...]
    ticks: tuple[tuple[float, str], ...]


def legend_ramps(side: str, scale: str) -> list[LegendRamp]:
    """The legends of a raster showing `side` ("both", "long", "short") on `scale`: shorts first, then longs.

    Opacity follows `heat_raster` (MIN_ALPHA + (1 - MIN_ALPHA) · intensity ** GAMMA) over the page background, so
    the ramp reads like the map on a light or a dark page. The interactive map draws these outside its chart and a
    still image inside it (`legend_layer`): one source for both.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    sides = {"both": ("short", "long"), "long": ("long",), "short": ("short",)}[side]
    stops = np.linspace(0, 1, 9)
    return [
        LegendRamp(
            name,
            LEGEND_TITLES[scale].format(side={"long": "Longs", "short": "Shorts"}[name]),
            tuple((float(s), _rgba(SIDE_RGB[name], MIN_ALPHA + (1 - MIN_ALPHA) * s ** GAMMA[scale])) for s in stops),
            LEGEND_TICKS[scale],
        )
        for name in sides
    ]


def _label_expr(ticks: tuple[tuple[float, str], ...]) -> str:
    """A Vega label expression that writes each tick's own label (the one nearest the value)."""
    expr = json.dumps(ticks[-1][1])
    for (low, label), (high, _) in reversed(list(itertools.pairwise(ticks))):
        expr = f"datum.value < {(low + high) / 2:.6g} ? {json.dumps(label)} : {expr}"
    return expr


def legend_layer(ramp: LegendRamp, time: pd.Timestamp, price: float) -> alt.Chart:
    """An invisible mark whose colour legend is `ramp` (an image mark has no legend): above the map for shorts, below
    it for longs (`LEGEND_ORIENT`)."""
    frame = pd.DataFrame({"time": [time, time], "price": [price, price], f"{ramp.side}_level": [0.0, 1.0]})
    return (
        alt.Chart(frame)
        .mark_point(opacity=0)
        .encode(
            x="time:T",
            y="price:Q",
            color=alt.Color(
                f"{ramp.side}_level:Q",
                scale=alt.Scale(domain=[s for s, _ in ramp.stops], range=[c for _, c in ramp.stops], interpolate="rgb"),
                legend=alt.Legend(
                    title=ramp.title,
                    titleLimit=400,
                    orient=LEGEND_ORIENT[ramp.side],
                    type="gradient",
                    gradientLength=130,
                    values=[v for v, _ in ramp.ticks],
                    labelExpr=_label_expr(ramp.ticks),
                ),
            ),
        )
    )


def raster_frame(raster: HeatRaster) -> pd.DataFrame:
    """The image mark's one row: its extents and the PNG as a data URL."""
    return pd.DataFrame(
        {"t0": [raster.t0], "t1": [raster.t1], "p0": [raster.p0], "p1": [raster.p1], "url": [raster.url]}
    )


def raster_layer(raster: HeatRaster, y_scale: alt.Scale, time_axis: alt.Axis | None = None) -> alt.Chart:
    """The raster as a Vega-Lite image mark stretched over its time and price extents (crisp, not smoothed)."""
    return (
        alt.Chart(raster_frame(raster))
        .mark_image(aspect=False, smooth=False, align="left", baseline="top")
        .encode(
            x=alt.X("t0:T", scale=alt.Scale(type="utc"), axis=time_axis),
            x2="t1:T",
            y=alt.Y("p1:Q", scale=y_scale),
            y2="p0:Q",
            url="url:N",
        )
    )
