"""The heatmap chart (raster heat under candles, realised liquidations, last-price rule) and the side-profile chart.

The heat is one image (`liqcore.charts.raster`): amber longs below price, violet shorts above, density as opacity,
so it reads on dark and light pages alike from the first paint. An invisible coarse grid of cells on top carries the
hover read-out and a crosshair. Candles are teal (up) and coral (down).
"""

from __future__ import annotations

import json
import math
from typing import NamedTuple

import altair as alt
import numpy as np
import pandas as pd

from liqcore.charts.axes import usd_labels
from liqcore.charts.raster import HeatRaster, legend_layer, legend_ramps, raster_frame, raster_layer
from liqcore.charts.records import chart_values
from liqcore.charts.titles import chart_title
from liqcore.formatting import compact_usd
from liqcore.heatmap import Heatmap
from liqcore.profile import Profile, cumulative

UP, DOWN = "#26a69a", "#ef5350"
LONG_COLOUR, SHORT_COLOUR = "#f58a0b", "#9d5cf6"  # the raster's hues, so the profile and the map agree
PRICE_COLOUR = "#38bdf8"
USD_LABELS = usd_labels()
PRICE_AXIS = alt.Axis(format="$,.0f", orient="right", title="Price (USD)")
TIER_COLOURS = ("#38bdf8", "#a3e635", "#f43f5e", "#facc15", "#c084fc", "#94a3b8")  # low → high leverage; both themes


class TierSplit(NamedTuple):
    """One moment's notional per leverage tier: K×B arrays per side and the K tiers' names ("10x", …)."""

    labels: tuple[str, ...]
    long: np.ndarray
    short: np.ndarray


def tier_split(heatmap: Heatmap, at: pd.Timestamp | None = None) -> TierSplit | None:
    """The map's split by leverage tier at `at` (default: the last snapshot); None when the map has none."""
    if heatmap.long_by_tier is None or heatmap.short_by_tier is None:
        return None
    j = heatmap.column_at(at)
    labels = tuple(f"{tier:g}x" for tier in heatmap.config.leverage_tiers)
    return TierSplit(labels, heatmap.long_by_tier[:, j], heatmap.short_by_tier[:, j])


def _price_scale(low: float, high: float) -> alt.Scale:
    pad = (high - low) * 0.02
    return alt.Scale(domain=[low - pad, high + pad], zero=False, nice=False)


def candle_layers(
    candles: pd.DataFrame, y_scale: alt.Scale, time_axis: alt.Axis, price_axis: alt.Axis | None = None
) -> list[alt.Chart]:
    """Wicks (with an OHLC tooltip) and bodies of `candles` (time, t1 = body end, open/high/low/close, up)."""
    colour = alt.condition("datum.up", alt.value(UP), alt.value(DOWN))
    base = alt.Chart(candles).encode(x=alt.X("time:T", scale=alt.Scale(type="utc"), axis=time_axis))
    wicks = base.mark_rule(strokeWidth=1).encode(
        y=alt.Y("low:Q", scale=y_scale, title="Price (USD)", axis=price_axis or alt.Axis(format="$,.0f")),
        y2="high:Q",
        color=colour,
        tooltip=[
            alt.Tooltip("time:T", title="Candle (UTC)", format="%Y-%m-%d %H:%M"),
            alt.Tooltip("open:Q", format=",.1f"),
            alt.Tooltip("high:Q", format=",.1f"),
            alt.Tooltip("low:Q", format=",.1f"),
            alt.Tooltip("close:Q", format=",.1f"),
        ],
    )
    bodies = base.mark_bar(width={"band": 0.8}, stroke=None).encode(
        x2="t1:T", y=alt.Y("open:Q", scale=y_scale), y2="close:Q", color=colour
    )
    return [wicks, bodies]


def price_panel(frame: pd.DataFrame, field: str, height: int) -> alt.Chart:
    """The price line above a time-aligned panel, carrying the shared x-only pan/zoom."""
    zoom = alt.selection_interval(bind="scales", encodings=["x"])
    return (
        alt.Chart(frame)
        .mark_line(color=PRICE_COLOUR)
        .encode(
            x=alt.X("time:T", title="Time (UTC)", scale=alt.Scale(type="utc")),
            y=alt.Y(f"{field}:Q", title="Price (USD)", scale=alt.Scale(zero=False)),
        )
        .properties(height=height)
        .add_params(zoom)
    )


def zoom_params() -> list[alt.Parameter]:
    """Scroll/drag zooms and pans time; with Shift held they zoom and pan price instead. Double-click resets."""
    drag = "[pointerdown[{0}event.shiftKey], window:pointerup] > window:pointermove!"
    return [
        alt.selection_interval(
            name="time_zoom", bind="scales", encodings=["x"], zoom="wheel![!event.shiftKey]", translate=drag.format("!")
        ),
        alt.selection_interval(
            name="price_zoom", bind="scales", encodings=["y"], zoom="wheel![event.shiftKey]", translate=drag.format("")
        ),
    ]


# Names of the layers that change with the map's side, scale and contrast: `heat_views`-style callers swap only
# their data into a spec built once (`with_heat`), instead of building the whole chart again.
IMAGE_LAYER, HOVER_LAYER, LEGEND_LAYER = "heat_image", "heat_hover", "heat_legend"


# The hover read-out: (title, column of `hover_frame`). Every value is text made on the server, and the tooltip is
# one object of plain lookups (`_tooltip_expr`): Vega works out a mark's tooltip for every cell whenever its data
# change, and formatting four times and prices per cell in its expression interpreter was most of the browser's work
# on a side, scale or contrast change (~700 cells).
HOVER_READOUT = (
    ("Time (UTC)", "when"),
    ("Price (USD)", "prices"),
    ("Would liquidate", "side"),
    ("Estimated notional (USD)", "usd_text"),
    ("Leverage mix", "tiers"),
)


def _span_text(t0: pd.Series, t1: pd.Series) -> list[str]:
    """ "2026-03-02 00:00 → 11:15" (the end's date written only when it differs from the start's)."""
    start, end_day, end_time = t0.dt.strftime("%Y-%m-%d %H:%M"), t1.dt.strftime("%Y-%m-%d "), t1.dt.strftime("%H:%M")
    same_day = t0.dt.strftime("%Y-%m-%d ") == end_day
    return [f"{a} → {t if same else d + t}" for a, d, t, same in zip(start, end_day, end_time, same_day, strict=True)]


def hover_frame(hover: pd.DataFrame) -> pd.DataFrame:
    """`liqcore.cells.heat_cells` output as the hover layer draws it: its extents (for pointing) and the read-out as
    text (`HOVER_READOUT`)."""
    return pd.DataFrame(
        {
            "t0": hover["t0"],
            "t1": hover["t1"],
            "p0": hover["p0"].round(2),
            "p1": hover["p1"].round(2),
            "when": _span_text(hover["t0"], hover["t1"]),
            "prices": [f"{low:,.0f} – {high:,.0f}" for low, high in zip(hover["p0"], hover["p1"], strict=True)],
            "side": hover["side"],
            "usd_text": [compact_usd(v) for v in hover["usd"]],
            "tiers": hover["tiers"] if "tiers" in hover.columns else "not split by leverage",
        }
    )


def _tooltip_expr() -> str:
    """The read-out as one Vega object expression of field lookups, titled as `HOVER_READOUT` says."""
    entries = ", ".join(f"{json.dumps(title)}: datum[{json.dumps(field)}]" for title, field in HOVER_READOUT)
    return "{" + entries + "}"


def _hover_layers(hover: pd.DataFrame, y_scale: alt.Scale) -> list[alt.Chart]:
    """Invisible cells with the read-out tooltip, and a crosshair (rules + time and price labels) at the hovered one.

    The crosshair's marks share one layer that keeps only the hovered cell before working out its midpoints, so a
    new hover grid costs the browser a selection test per cell and nothing more for them.
    """
    frame = hover_frame(hover)
    cross = alt.selection_point(
        name="crosshair", on="pointerover", clear="pointerout", fields=["t0", "p0"], empty=False
    )
    cells = (
        alt.Chart(frame)
        # invalid="show": no per-cell validity filter, which every new grid ran through (its extents are never NaN)
        .mark_rect(opacity=0, fill="#000000", tooltip=alt.ExprRef(_tooltip_expr()), invalid="show")
        .encode(x="t0:T", x2="t1:T", y=alt.Y("p0:Q", scale=y_scale), y2="p1:Q")
        .add_params(cross)
        .properties(name=HOVER_LAYER)
    )
    picked = alt.Chart()
    style = {"color": "#94a3b8", "strokeDash": [3, 3], "strokeWidth": 1}
    vertical = picked.mark_rule(**style).encode(x="tm:T")
    horizontal = picked.mark_rule(**style).encode(y=alt.Y("pm:Q", scale=y_scale))
    time_label = picked.mark_text(baseline="top", dy=2, fontWeight="bold", color="#94a3b8").encode(
        x="tm:T", y=alt.value(0), text=alt.Text("tm:T", format="%b %d %H:%M")
    )
    price_label = picked.mark_text(align="right", dx=-2, dy=-6, fontWeight="bold", color="#94a3b8").encode(
        y=alt.Y("pm:Q", scale=y_scale), x=alt.value(alt.expr("width")), text=alt.Text("pm:Q", format=",.0f")
    )
    crosshair = (
        alt.layer(vertical, horizontal, time_label, price_label, data=frame)
        .transform_filter(cross)
        .transform_calculate(tm="(toNumber(datum.t0) + toNumber(datum.t1)) / 2", pm="(datum.p0 + datum.p1) / 2")
        .properties(name=f"{HOVER_LAYER}_crosshair")
    )
    return [cells, crosshair]


def _realised_layer(realised: pd.DataFrame, y_scale: alt.Scale) -> alt.Chart:
    """Realised liquidations from the data: long ones at the bar low (triangle down), short ones at the high (up)."""
    frame = realised.assign(usd_text=[compact_usd(v) for v in realised["usd"]])
    return (
        alt.Chart(frame)
        .mark_point(filled=True, opacity=0.95, stroke="#334155", strokeWidth=0.8)
        .encode(
            x="time:T",
            y=alt.Y("price:Q", scale=y_scale),
            shape=alt.Shape(
                "side:N",
                scale=alt.Scale(domain=["long", "short"], range=["triangle-down", "triangle-up"]),
                legend=alt.Legend(
                    title="Realised liquidations",
                    orient="top",
                    direction="horizontal",
                    titleOrient="left",  # one line: it sat alone on two over the map
                    symbolFillColor="#94a3b8",
                ),
            ),
            fill=alt.Fill(
                "side:N", scale=alt.Scale(domain=["long", "short"], range=[LONG_COLOUR, SHORT_COLOUR]), legend=None
            ),
            size=alt.Size("usd:Q", scale=alt.Scale(range=[20, 260]), legend=None),
            tooltip=[
                alt.Tooltip("time:T", title="Bar (UTC)", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("side:N", title="Liquidated"),
                alt.Tooltip("usd_text:N", title="Realised (USD)"),
            ],
        )
    )


def heatmap_chart(
    raster: HeatRaster,
    hover: pd.DataFrame,
    candles: pd.DataFrame,
    last_price: float,
    realised: pd.DataFrame | None = None,
    height: int = 560,
    legends: bool = True,
) -> alt.LayerChart:
    """The map: heat image, hover grid, candles, realised liquidations and the last price, on one time × price view.

    `hover` is `liqcore.cells.heat_cells` output (a coarse grid is plenty: it carries the read-out, not the
    picture); `realised` is `liqcore.cells.realised_liquidations` output, or None when the data has none. Without
    `legends` the heat's colour legends are left out (a caller draws `legend_ramps` itself), so the spec is the same
    for every side and scale: only its data change (`with_heat`), which a browser can swap in without drawing the
    chart anew.
    """
    low = min(candles["low"].min(), raster.p0)
    high = max(candles["high"].max(), raster.p1)
    y_scale = _price_scale(low, high)
    time_axis = alt.Axis(title="Time (UTC)", format="%b %d %H:%M", labelAngle=0)
    image = (
        raster_layer(raster, y_scale, time_axis)
        .encode(y=alt.Y("p1:Q", scale=y_scale, axis=PRICE_AXIS))
        .properties(name=IMAGE_LAYER)
    )
    wicks, bodies = candle_layers(candles, y_scale, time_axis, PRICE_AXIS)
    price = pd.DataFrame({"price": [last_price], "label": [f"Last {last_price:,.1f}"]})
    rule = alt.Chart(price).mark_rule(strokeDash=[6, 4], color=PRICE_COLOUR, strokeWidth=1.5).encode(y="price:Q")
    label = (
        alt.Chart(price)
        .mark_text(align="left", dx=4, dy=-7, color=PRICE_COLOUR, fontWeight="bold")
        .encode(y="price:Q", text="label:N", x=alt.value(0))
    )
    layers = [image, *_hover_layers(hover, y_scale), wicks, bodies]
    if realised is not None and len(realised):
        layers.append(_realised_layer(realised, y_scale))
    layers += [rule, label, *(legend_layers(raster, last_price) if legends else [])]
    return alt.layer(*layers).add_params(*zoom_params()).resolve_scale(color="independent").properties(height=height)


def legend_layers(raster: HeatRaster, last_price: float) -> list[alt.Chart]:
    """One colour legend per side the raster shows (`legend_ramps`), named `LEGEND_LAYER`_<side>."""
    return [
        legend_layer(ramp, raster.t1, last_price).properties(name=f"{LEGEND_LAYER}_{ramp.side}")
        for ramp in legend_ramps(raster.side, raster.scale)
    ]


def with_heat(spec: dict, raster: HeatRaster, hover: pd.DataFrame) -> dict:
    """`spec` (a `heatmap_chart(..., legends=False)` dict, maybe layered with more marks) showing `raster` and
    `hover` instead.

    Only the data of two named datasets change (`IMAGE_LAYER`, `HOVER_LAYER`); everything else is `spec`'s own, so
    every side, scale and contrast of one analysis has the same spec but for its datasets, and a new view costs a
    PNG and the hover rows rather than a whole Altair build and serialisation (~1 s on the default market).
    """

    def swap(layers: list[dict]) -> list[dict]:
        out: list[dict] = []
        for layer in layers:
            name = layer.get("name", "")
            if name.startswith(IMAGE_LAYER) or name.startswith(HOVER_LAYER):
                out.append({**layer, "data": {"name": IMAGE_LAYER if name.startswith(IMAGE_LAYER) else HOVER_LAYER}})
            elif "layer" in layer:
                out.append({**layer, "layer": swap(layer["layer"])})
            else:
                out.append(layer)
        return out

    layers = swap(spec["layer"])
    datasets = {
        **spec.get("datasets", {}),
        IMAGE_LAYER: chart_values(raster_frame(raster), max_rows=None)["values"],
        HOVER_LAYER: chart_values(hover_frame(hover), max_rows=None)["values"],
    }
    used = set(_data_names(layers))
    return {**spec, "layer": layers, "datasets": {name: rows for name, rows in datasets.items() if name in used}}


def with_legends(spec: dict, raster: HeatRaster, last_price: float) -> dict:
    """`spec` (a `heatmap_chart(..., legends=False)` dict) with the colour legends of `raster` drawn in it, for a
    still image (the interactive map shows them outside the chart)."""
    legend_data: dict[str, list] = {}
    legends = []
    for legend in legend_layers(raster, last_price):
        built = legend.to_dict(validate=False)  # one chart, not a layer: Altair would lift data the layers share
        legend_data.update(built.pop("datasets", {}))  # data Altair left inline stays in the layer
        legends.append({key: value for key, value in built.items() if key not in ("$schema", "config")})
    return {**spec, "layer": [*spec["layer"], *legends], "datasets": {**spec.get("datasets", {}), **legend_data}}


def without_hover(spec: dict) -> dict:
    """`spec` (a `heatmap_chart` dict, maybe layered) for a still image: without the hover grid and its crosshair,
    which only answer a pointer and cost a PNG export ~700 invisible rectangles."""

    def keep(layers: list[dict]) -> list[dict]:
        kept = [layer for layer in layers if not layer.get("name", "").startswith(HOVER_LAYER)]
        return [{**layer, "layer": keep(layer["layer"])} if "layer" in layer else layer for layer in kept]

    params = [param for param in spec.get("params", []) if param.get("name") != "crosshair"]
    layers = keep(spec["layer"])
    used = set(_data_names(layers))
    datasets = {name: rows for name, rows in spec.get("datasets", {}).items() if name in used}
    return {**spec, "layer": layers, "params": params, "datasets": datasets}


def _data_names(layers: list[dict]):
    """Every dataset name the layers (and their sub-layers) read."""
    for layer in layers:
        if "name" in layer.get("data", {}):
            yield layer["data"]["name"]
        yield from _data_names(layer.get("layer", []))


def _merge_starts(profile: Profile, max_rows: int) -> np.ndarray:
    """First bin of each drawn bar: neighbouring bins summed so at most `max_rows` bars are drawn (each at least ~3 px
    tall). Merging starts at the bin holding the price, so no merged bar mixes bins on both sides of it."""
    n = len(profile.long)
    factor = max(1, math.ceil(n / max_rows))
    anchor = int(np.searchsorted(profile.price_edges, profile.price, side="right")) - 1
    starts = np.arange(anchor % factor, n, factor)
    return np.unique(np.concatenate(([0], starts)))


def _merged_bins(profile: Profile, max_rows: int) -> pd.DataFrame:
    """Per-bin notional with neighbouring bins summed (see `_merge_starts`)."""
    starts = _merge_starts(profile, max_rows)
    edges = np.append(profile.price_edges[starts], profile.price_edges[-1])
    return pd.DataFrame(
        {
            "p0": edges[:-1],
            "p1": edges[1:],
            "long": np.add.reduceat(profile.long, starts),
            "short": np.add.reduceat(profile.short, starts),
        }
    )


def _merged_tier_bins(profile: Profile, tiers: TierSplit, max_rows: int) -> pd.DataFrame:
    """Like `_merged_bins`, one row per (bar, side, tier), with `x0`/`x1` stacking the tiers from low leverage out."""
    starts = _merge_starts(profile, max_rows)
    edges = np.append(profile.price_edges[starts], profile.price_edges[-1])
    rows = []
    for side, split in (("long", tiers.long), ("short", tiers.short)):
        merged = np.add.reduceat(split, starts, axis=1)  # K × bars
        ends = np.cumsum(merged, axis=0)
        for k, label in enumerate(tiers.labels):
            rows.append(
                pd.DataFrame(
                    {"p0": edges[:-1], "p1": edges[1:], "side": side, "tier": label, "order": k, "usd": merged[k]}
                ).assign(x0=ends[k] - merged[k], x1=ends[k])
            )
    return pd.concat(rows, ignore_index=True)


def occupied_range(*profiles: Profile) -> tuple[float, float]:
    """Price span holding any notional (and the price) across profiles: one shared axis for side-by-side charts."""
    lows, highs = [], []
    for profile in profiles:
        filled = np.flatnonzero((profile.long > 0) | (profile.short > 0))
        lows.append(min(profile.price_edges[filled[0]], profile.price) if len(filled) else profile.price)
        highs.append(max(profile.price_edges[filled[-1] + 1], profile.price) if len(filled) else profile.price)
    return float(min(lows)), float(max(highs))


def profile_chart(
    profile: Profile,
    title: str,
    height: int = 420,
    max_rows: int = 120,
    price_range: tuple[float, float] | None = None,
    tiers: TierSplit | None = None,
    detail: str = "",
) -> alt.LayerChart:
    """Per-bin notional (bars: longs below price, shorts above) with cumulative curves outward from price.

    Bins are merged for drawing (see `_merged_bins`) so bars stay readable; the curves use every bin. Pass
    `price_range` (e.g. `occupied_range(estimate, truth)`) so charts drawn side by side share one price axis.
    With `tiers` (see `tier_split`) each bar is split into its leverage tiers, coloured low to high leverage.
    `title` is a short headline and `detail` (say the time shown) the line beneath it (see `chart_title`).
    """
    cum = cumulative(profile)
    frame = pd.DataFrame(
        {
            "long_cum": cum["long_cum"],
            "short_cum": cum["short_cum"],
            "price": cum["price"],
        }
    )
    merged = _merged_bins(profile, max_rows)
    bins = merged.melt(id_vars=["p0", "p1"], value_vars=["long", "short"], var_name="side", value_name="usd")
    bins = bins[bins["usd"] > 0]
    bins["usd_text"] = [compact_usd(v) for v in bins["usd"]]
    lines = frame.melt(id_vars=["price"], value_vars=["long_cum", "short_cum"], var_name="curve", value_name="usd")
    lines = lines.dropna()
    lines["side"] = lines["curve"].str.replace("_cum", "")
    y_scale = _price_scale(*(price_range or occupied_range(profile)))
    side_colour = alt.Color(
        "side:N",
        scale=alt.Scale(domain=["long", "short"], range=[LONG_COLOUR, SHORT_COLOUR]),
        legend=alt.Legend(title=None, orient="top"),
    )
    bars = (
        _tier_bars(profile, tiers, max_rows, y_scale)
        if tiers is not None
        else alt.Chart(bins)
        .mark_bar(opacity=0.85)
        .encode(
            y=alt.Y("p0:Q", title="Price (USD)", scale=y_scale, axis=alt.Axis(format="$,.0f")),
            y2="p1:Q",
            x=alt.X("usd:Q", title="Notional per price row (USD)", axis=alt.Axis(labelExpr=USD_LABELS), stack=None),
            x2=alt.X2(datum=0),
            color=side_colour,
            tooltip=[
                alt.Tooltip("side:N", title="Would liquidate"),
                alt.Tooltip("p0:Q", title="From (USD)", format=",.0f"),
                alt.Tooltip("p1:Q", title="To (USD)", format=",.0f"),
                alt.Tooltip("usd_text:N", title="Notional (USD)"),
            ],
        )
    )
    curves = (
        alt.Chart(lines)
        .mark_line(strokeDash=[4, 2], clip=True)  # a curve past the price range pushed the title off the chart
        .encode(
            y=alt.Y("price:Q", scale=y_scale),
            x=alt.X("usd:Q", title="Cumulative from price (USD)", axis=alt.Axis(labelExpr=USD_LABELS, orient="top")),
            # the bars' legend names the sides already (it read "long short long short"); over tier bars the
            # curves' legend is the only one that names them
            color=side_colour if tiers is not None else side_colour.legend(None),
            detail="curve:N",
            order="price:Q",
        )
    )
    marker = pd.DataFrame({"price": [profile.price]})
    rule = alt.Chart(marker).mark_rule(color=PRICE_COLOUR, strokeDash=[6, 4], strokeWidth=1.5).encode(y="price:Q")
    return (
        alt.layer(bars, curves, rule)
        .resolve_scale(x="independent", color="independent")
        .properties(height=height, title=chart_title(title, detail))
    )


def _tier_bars(profile: Profile, tiers: TierSplit, max_rows: int, y_scale: alt.Scale) -> alt.Chart:
    """The profile's bars split by leverage tier (stacked outward from zero, low leverage first)."""
    bins = _merged_tier_bins(profile, tiers, max_rows)
    bins = bins[bins["usd"] > 0].copy()
    bins["usd_text"] = [compact_usd(v) for v in bins["usd"]]
    colours = list(TIER_COLOURS[: len(tiers.labels)])
    return (
        alt.Chart(bins)
        .mark_bar(opacity=0.9)
        .encode(
            y=alt.Y("p0:Q", title="Price (USD)", scale=y_scale, axis=alt.Axis(format="$,.0f")),
            y2="p1:Q",
            x=alt.X("x0:Q", title="Notional per price row (USD)", axis=alt.Axis(labelExpr=USD_LABELS)),
            x2="x1:Q",
            color=alt.Color(
                "tier:N",
                title="Leverage",
                scale=alt.Scale(domain=list(tiers.labels), range=colours),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("side:N", title="Would liquidate"),
                alt.Tooltip("tier:N", title="Leverage"),
                alt.Tooltip("p0:Q", title="From (USD)", format=",.0f"),
                alt.Tooltip("p1:Q", title="To (USD)", format=",.0f"),
                alt.Tooltip("usd_text:N", title="Notional (USD)"),
            ],
        )
    )
