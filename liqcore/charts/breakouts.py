"""Charts for the fakeout scanner and the trade walkthrough.

- `breakout_layer`: breakout markers (colour = dense/thin fuel, shape = outcome) on time (UTC) × price (USD), so it
  layers onto the heatmap chart or onto `breakout_chart`'s price line. At most `MAX_MARKERS` are drawn (a year of
  1-minute bars has ~20,000 breakouts, a 2 MB chart); beyond that an evenly spaced sample in time is, and
  `breakout_chart`'s title says so.
- `plan_chart`: the side profile at the decision time with the plan's entry, stop, target and liquidation rules.
- `replay_chart`: candles before and after the decision with the same rules, to show how the plan played out.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from liqcore.charts.axes import usd_labels
from liqcore.charts.heatmap import LONG_COLOUR, SHORT_COLOUR, candle_layers
from liqcore.charts.lessons import HALO_COLOUR
from liqcore.charts.titles import chart_title
from liqcore.plan import TradePlan
from liqcore.profile import Profile

ZONE_COLOURS = {"dense": "#f97316", "thin": "#38bdf8"}
OUTCOME_SHAPES = {"follow-through": "circle", "fakeout": "cross", "unresolved": "square", "open": "diamond"}
LEVEL_COLOURS = {"entry": "#94a3b8", "stop": "#ef4444", "target": "#22c55e", "liquidation": "#a855f7"}
_TIME = alt.Axis(title="Time (UTC)", format="%b %d %H:%M", labelAngle=0)
MAX_MARKERS = 1_500
_MARKER_COLUMNS = ["time", "direction", "level", "close", "fuel_usd", "zone", "outcome", "bars_to_outcome"]


def drawn_markers(events: pd.DataFrame, max_markers: int = MAX_MARKERS) -> pd.DataFrame:
    """The breakouts a chart draws: all of them up to `max_markers`, else that many evenly spaced in time."""
    if len(events) <= max_markers:
        return events[_MARKER_COLUMNS]
    keep = np.unique(np.linspace(0, len(events) - 1, max_markers).round().astype(int))
    return events[_MARKER_COLUMNS].iloc[keep]


def breakout_layer(events: pd.DataFrame, max_markers: int = MAX_MARKERS) -> alt.Chart:
    """Markers at each breakout's close (see `drawn_markers`): colour by fuel zone, shape by outcome, tooltip with
    the numbers."""
    frame = drawn_markers(events, max_markers)
    return (
        alt.Chart(frame)
        .mark_point(size=110, filled=True, opacity=0.9, strokeWidth=2)
        .encode(
            x=alt.X("time:T", scale=alt.Scale(type="utc"), axis=_TIME),
            y=alt.Y("close:Q", title="Price (USD)", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "zone:N",
                title="Fuel beyond the level",
                scale=alt.Scale(domain=list(ZONE_COLOURS), range=list(ZONE_COLOURS.values())),
                legend=alt.Legend(orient="top"),
            ),
            shape=alt.Shape(
                "outcome:N",
                title="Outcome",
                scale=alt.Scale(domain=list(OUTCOME_SHAPES), range=list(OUTCOME_SHAPES.values())),
                legend=alt.Legend(orient="top", symbolFillColor="#94a3b8", symbolStrokeColor="#94a3b8"),
            ),
            tooltip=[
                alt.Tooltip("time:T", title="Breakout close (UTC)", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("direction:N", title="Direction"),
                alt.Tooltip("level:Q", title="Broken level (USD)", format=",.1f"),
                alt.Tooltip("close:Q", title="Close (USD)", format=",.1f"),
                alt.Tooltip("fuel_usd:Q", title="Fuel (USD, est.)", format="$,.3s"),
                alt.Tooltip("zone:N", title="Zone"),
                alt.Tooltip("outcome:N", title="Outcome"),
                alt.Tooltip("bars_to_outcome:Q", title="Bars to outcome"),
            ],
        )
    )


def breakout_chart(
    candles: pd.DataFrame, events: pd.DataFrame, height: int = 380, max_markers: int = MAX_MARKERS
) -> alt.LayerChart:
    """Close price as a line with the breakout markers on it; pan and zoom in time. When the markers are capped,
    the title says how many of how many are drawn."""
    zoom = alt.selection_interval(bind="scales", encodings=["x"])
    line = (
        alt.Chart(candles)
        .mark_line(color="#64748b", strokeWidth=1.2)
        .encode(
            x=alt.X("time:T", scale=alt.Scale(type="utc"), axis=_TIME),
            y=alt.Y("close:Q", title="Price (USD)", scale=alt.Scale(zero=False), axis=alt.Axis(format="$,.0f")),
        )
    )
    chart = alt.layer(line, breakout_layer(events, max_markers)).add_params(zoom).properties(height=height)
    if len(events) > max_markers:
        shown = len(drawn_markers(events, max_markers))
        title = chart_title(
            f"{shown:,} of {len(events):,} breakouts drawn",
            "evenly spaced in time; the counts and rates below use every breakout",
        )
        chart = chart.properties(title=title)
    return chart


def _levels(plan: TradePlan) -> pd.DataFrame:
    rows = [
        ("entry", plan.entry),
        ("stop", plan.stop),
        ("target", plan.target),
        ("liquidation", plan.liquidation),
    ]
    frame = pd.DataFrame(rows, columns=["level", "price"])
    frame["label"] = [f"{name} {price:,.{0 if abs(price) >= 1000 else 2}f}" for name, price in rows]
    return frame


LABEL_HEIGHT_PX = 15  # one label line, with a little air


def spread_labels(
    prices: list[float], min_gap: float, lower: float | None = None, upper: float | None = None
) -> list[float]:
    """Label positions as close to `prices` as possible but at least `min_gap` apart (in price units).

    Sorted bottom-up, each label is pushed up past its lower neighbour; then the whole stack is shifted down by the
    mean push, so labels stay centred on their levels instead of drifting upward. With `upper` / `lower` (the
    chart's visible range for a label's anchor) a label past the edge is brought back inside and only the
    neighbours it then crowds move with it (the bottom bound wins when the stack cannot fit), so a level at the
    chart's edge keeps a readable label and the others stay by their rules.
    """
    order = sorted(range(len(prices)), key=lambda i: prices[i])
    placed: list[float] = []
    for i in order:
        placed.append(prices[i] if not placed else max(prices[i], placed[-1] + min_gap))
    shift = sum(p - prices[i] for p, i in zip(placed, order, strict=True)) / max(len(placed), 1)
    placed = [p - shift for p in placed]
    if placed and upper is not None:
        placed[-1] = min(placed[-1], upper)
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - min_gap)
    if placed and lower is not None:
        placed[0] = max(placed[0], lower)
        for k in range(1, len(placed)):
            placed[k] = max(placed[k], placed[k - 1] + min_gap)
    out = [0.0] * len(prices)
    for p, i in zip(placed, order, strict=True):
        out[i] = p
    return out


LABEL_LIFT_PX = 8  # labels sit just above their rule, so the dashed line never strikes through the text


def _rules(levels: pd.DataFrame, y_scale: alt.Scale, height: int) -> list[alt.Chart]:
    """Level rules, and their labels just above them at the right edge, spread so that no two overlap and none
    leaves the chart, with a dark halo so each reads on light and dark pages."""
    low, high = y_scale.domain
    per_px = (high - low) / height
    spread = spread_labels(list(levels["price"]), per_px * LABEL_HEIGHT_PX, low, high - per_px * LABEL_HEIGHT_PX)
    levels = levels.assign(label_y=spread)
    scale = alt.Scale(domain=list(LEVEL_COLOURS), range=list(LEVEL_COLOURS.values()))
    base = alt.Chart(levels)
    rule = base.mark_rule(strokeWidth=2, strokeDash=[6, 3]).encode(
        y=alt.Y("price:Q", scale=y_scale),
        color=alt.Color("level:N", title="Plan", scale=scale, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("level:N", title="Level"), alt.Tooltip("price:Q", title="Price (USD)", format=",.2f")],
    )
    label = base.encode(y=alt.Y("label_y:Q", scale=y_scale), text="label:N", x=alt.value(alt.expr("width")))
    style = {"align": "right", "dx": -4, "dy": -LABEL_LIFT_PX, "baseline": "middle", "fontWeight": "bold"}
    halo = label.mark_text(**style, stroke=HALO_COLOUR, strokeWidth=3, strokeOpacity=0.8)
    text = label.mark_text(**style).encode(color=alt.Color("level:N", scale=scale, legend=None))
    return [rule, halo, text]


def _scale(low: float, high: float) -> alt.Scale:
    pad = (high - low) * 0.04
    return alt.Scale(domain=[low - pad, high + pad], zero=False, nice=False)


def plan_chart(profile: Profile, plan: TradePlan, height: int = 420) -> alt.LayerChart:
    """The side profile around the plan (longs below price, shorts above) with the plan's four levels as rules."""
    levels = _levels(plan)
    span = levels["price"].max() - levels["price"].min()
    low, high = levels["price"].min() - 0.5 * span, levels["price"].max() + 0.5 * span
    bins = pd.DataFrame(
        {"p0": profile.price_edges[:-1], "p1": profile.price_edges[1:], "long": profile.long, "short": profile.short}
    )
    bins = bins[(bins["p1"] >= low) & (bins["p0"] <= high)]
    bins = bins.melt(id_vars=["p0", "p1"], value_vars=["long", "short"], var_name="side", value_name="usd")
    bins = bins[bins["usd"] > 0]
    y_scale = _scale(low, high)
    bars = (
        alt.Chart(bins)
        .mark_bar(opacity=0.75)
        .encode(
            y=alt.Y("p0:Q", title="Price (USD)", scale=y_scale, axis=alt.Axis(format="$,.0f")),
            y2="p1:Q",
            x=alt.X(
                "usd:Q", title="Estimated liquidation notional per bin (USD)", axis=alt.Axis(labelExpr=usd_labels())
            ),
            x2=alt.datum(0),
            fill=alt.Fill(
                "side:N",
                title="Would liquidate",
                scale=alt.Scale(domain=["long", "short"], range=[LONG_COLOUR, SHORT_COLOUR]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("side:N", title="Would liquidate"),
                alt.Tooltip("p0:Q", title="From (USD)", format=",.1f"),
                alt.Tooltip("p1:Q", title="To (USD)", format=",.1f"),
                alt.Tooltip("usd:Q", title="Notional (USD, est.)", format="$,.3s"),
            ],
        )
    )
    return (
        alt.layer(bars, *_rules(levels, y_scale, height)).resolve_scale(color="independent").properties(height=height)
    )


def replay_chart(bars: pd.DataFrame, decision: pd.Timestamp, plan: TradePlan, height: int = 420) -> alt.LayerChart:
    """Candles (`bars`: open/high/low/close indexed by UTC time) with a rule at the decision and the plan's levels."""
    frame = bars.reset_index(names="time")
    frame["up"] = frame["close"] >= frame["open"]
    step = frame["time"].diff().median() if len(frame) > 1 else pd.Timedelta(minutes=5)
    frame["t1"] = frame["time"] + 0.8 * step
    levels = _levels(plan)
    low = min(frame["low"].min(), levels["price"].min())
    high = max(frame["high"].max(), levels["price"].max())
    y_scale = _scale(low, high)
    wicks, bodies = candle_layers(frame, y_scale, _TIME)
    now = pd.DataFrame({"time": [decision], "label": ["decision"]})
    marker = alt.Chart(now).mark_rule(strokeDash=[2, 2], color="#94a3b8").encode(x="time:T")
    rules = (
        alt.Chart(levels)
        .mark_rule(strokeWidth=1.5, strokeDash=[6, 3])
        .encode(
            y=alt.Y("price:Q", scale=y_scale),
            color=alt.Color(
                "level:N",
                title="Plan",
                scale=alt.Scale(domain=list(LEVEL_COLOURS), range=list(LEVEL_COLOURS.values())),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[alt.Tooltip("level:N", title="Level"), alt.Tooltip("price:Q", title="Price (USD)", format=",.2f")],
        )
    )
    return alt.layer(wicks, bodies, marker, rules).resolve_scale(color="independent").properties(height=height)
