"""The heatmap chart (heat cells under candles, last-price rule) and the side-profile chart.

Colours: on a dark background heat runs from dim purple to bright yellow ("inferno"); on a light one from white to deep
red, so dense bands stand out on both and faint cells fade into the background.
Candles are teal (up) and coral (down).
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from liqcore.profile import Profile, cumulative

UP, DOWN = "#26a69a", "#ef5350"
LONG_COLOUR, SHORT_COLOUR = "#f59e0b", "#8b5cf6"
# Dark pages: "inferno" (dim purple to bright yellow). Light pages: white to deep red, so faint cells fade into the
# page and the legend stays one gradient (an opacity channel would turn it into a row of symbols).
HEAT_SCALES = {
    "dark": {"domain": [0, 1], "scheme": "inferno"},
    "light": {
        "domain": [0, 0.15, 0.4, 0.7, 1],
        "range": ["#ffffff", "#fde0c5", "#fc8d59", "#d7301f", "#7f0000"],
        "interpolate": "rgb",
    },
}


def _price_scale(low: float, high: float) -> alt.Scale:
    pad = (high - low) * 0.02
    return alt.Scale(domain=[low - pad, high + pad], zero=False, nice=False)


def candle_layers(candles: pd.DataFrame, y_scale: alt.Scale, time_axis: alt.Axis) -> list[alt.Chart]:
    """Wicks (with an OHLC tooltip) and bodies of `candles` (time, t1 = body end, open/high/low/close, up)."""
    colour = alt.condition("datum.up", alt.value(UP), alt.value(DOWN))
    base = alt.Chart(candles).encode(x=alt.X("time:T", scale=alt.Scale(type="utc"), axis=time_axis))
    wicks = base.mark_rule(strokeWidth=1).encode(
        y=alt.Y("low:Q", scale=y_scale, title="Price (USD)", axis=alt.Axis(format="$,.0f")),
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
        .mark_line(color="#38bdf8")
        .encode(
            x=alt.X("time:T", title="Time (UTC)", scale=alt.Scale(type="utc")),
            y=alt.Y(f"{field}:Q", title="Price (USD)", scale=alt.Scale(zero=False)),
        )
        .properties(height=height)
        .add_params(zoom)
    )


def heatmap_chart(
    cells: pd.DataFrame, candles: pd.DataFrame, last_price: float, theme: str = "dark", height: int = 560
) -> alt.LayerChart:
    """One layered chart: heat rectangles, candles over them, and a rule at the last price. Pan/zoom on time.

    `theme` ("dark" or "light") picks the heat colours that read on that background.
    """
    low = min(candles["low"].min(), cells["p0"].min() if len(cells) else candles["low"].min())
    high = max(candles["high"].max(), cells["p1"].max() if len(cells) else candles["high"].max())
    y_scale = _price_scale(low, high)
    zoom = alt.selection_interval(bind="scales", encodings=["x"])
    time_axis = alt.Axis(title="Time (UTC)", format="%b %d %H:%M", labelAngle=0)
    tooltip = [
        alt.Tooltip("t0:T", title="From (UTC)", format="%Y-%m-%d %H:%M"),
        alt.Tooltip("t1:T", title="To (UTC)", format="%Y-%m-%d %H:%M"),
        alt.Tooltip("p0:Q", title="Price from (USD)", format=",.0f"),
        alt.Tooltip("p1:Q", title="Price to (USD)", format=",.0f"),
        alt.Tooltip("side:N", title="Would liquidate"),
        alt.Tooltip("usd:Q", title="Estimated notional (USD)", format="$,.3s"),
    ]
    if "tiers" in cells.columns:
        tooltip.append(alt.Tooltip("tiers:N", title="Leverage mix"))
    heat = (
        alt.Chart(cells)
        .mark_rect()
        .encode(
            x=alt.X("t0:T", axis=time_axis, scale=alt.Scale(type="utc")),
            x2="t1:T",
            y=alt.Y("p0:Q", title="Price (USD)", scale=y_scale, axis=alt.Axis(format="$,.0f")),
            y2="p1:Q",
            color=alt.Color(
                "intensity:Q",
                scale=alt.Scale(**HEAT_SCALES.get(theme, HEAT_SCALES["dark"])),
                legend=alt.Legend(
                    title="Liquidation density (share of the densest cell)",
                    titleLimit=400,
                    orient="top",
                    format=".0%",
                    gradientLength=240,
                    type="gradient",
                ),
            ),
            tooltip=tooltip,
        )
    )
    wicks, bodies = candle_layers(candles, y_scale, time_axis)
    price = pd.DataFrame({"price": [last_price], "label": [f"Last {last_price:,.1f}"]})
    rule = alt.Chart(price).mark_rule(strokeDash=[6, 4], color="#38bdf8", strokeWidth=1.5).encode(y="price:Q")
    label = (
        alt.Chart(price)
        .mark_text(align="left", dx=4, dy=-7, color="#38bdf8", fontWeight="bold")
        .encode(y="price:Q", text="label:N", x=alt.value(0))
    )
    return alt.layer(heat, wicks, bodies, rule, label).add_params(zoom).properties(height=height)


def _merged_bins(profile: Profile, max_rows: int) -> pd.DataFrame:
    """Per-bin notional with neighbouring bins summed so at most `max_rows` bars are drawn (each at least ~3 px tall).

    Merging starts at the bin holding the price, so no merged bar mixes bins on both sides of it.
    """
    n = len(profile.long)
    factor = max(1, math.ceil(n / max_rows))
    anchor = int(np.searchsorted(profile.price_edges, profile.price, side="right")) - 1
    starts = np.arange(anchor % factor, n, factor)
    starts = np.unique(np.concatenate(([0], starts)))
    edges = np.append(profile.price_edges[starts], profile.price_edges[-1])
    return pd.DataFrame(
        {
            "p0": edges[:-1],
            "p1": edges[1:],
            "long": np.add.reduceat(profile.long, starts),
            "short": np.add.reduceat(profile.short, starts),
        }
    )


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
) -> alt.LayerChart:
    """Per-bin notional (bars: longs below price, shorts above) with cumulative curves outward from price.

    Bins are merged for drawing (see `_merged_bins`) so bars stay readable; the curves use every bin. Pass
    `price_range` (e.g. `occupied_range(estimate, truth)`) so charts drawn side by side share one price axis.
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
        alt.Chart(bins)
        .mark_bar(opacity=0.85)
        .encode(
            y=alt.Y("p0:Q", title="Price (USD)", scale=y_scale, axis=alt.Axis(format="$,.0f")),
            y2="p1:Q",
            x=alt.X("usd:Q", title="Notional per price row (USD)", axis=alt.Axis(format="$,.2s"), stack=None),
            x2=alt.X2(datum=0),
            color=side_colour,
            tooltip=[
                alt.Tooltip("side:N", title="Would liquidate"),
                alt.Tooltip("p0:Q", title="From (USD)", format=",.0f"),
                alt.Tooltip("p1:Q", title="To (USD)", format=",.0f"),
                alt.Tooltip("usd:Q", title="Notional (USD)", format="$,.3s"),
            ],
        )
    )
    curves = (
        alt.Chart(lines)
        .mark_line(strokeDash=[4, 2])
        .encode(
            y=alt.Y("price:Q", scale=y_scale),
            x=alt.X("usd:Q", title="Cumulative from price (USD)", axis=alt.Axis(format="$,.2s", orient="top")),
            color=side_colour,
            detail="curve:N",
            order="price:Q",
        )
    )
    marker = pd.DataFrame({"price": [profile.price]})
    rule = alt.Chart(marker).mark_rule(color="#38bdf8", strokeDash=[6, 4], strokeWidth=1.5).encode(y="price:Q")
    return (
        alt.layer(bars, curves, rule)
        .resolve_scale(x="independent")
        .properties(height=height, title=alt.TitleParams(title, anchor="start"))
    )
