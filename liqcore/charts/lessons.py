"""Chart marks for lessons: a labelled vertical rule at each key moment, to lay over a time × price chart."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

LABEL_ROW_PX = 14  # one line of label text
HALO_COLOUR = "#0f172a"
MARKER_COLOUR = "#84cc16"  # lime: reads on dark and light pages, distinct from the amber/violet heat, candles, price


MARKER_ROWS = 3  # key-moment labels take turns over this many rows at the top of the chart
RIGHT_SHARE = 0.5  # with the chart's span known, moments past this share of it are labelled to the left


def marker_rows_px(count: int) -> int:
    """Pixels the labels of `count` moments take at the top of a chart (for other labels to keep clear of)."""
    return 4 + LABEL_ROW_PX * min(count, MARKER_ROWS)


def moment_markers(
    moments: pd.DataFrame, right_edge: pd.Timestamp | None = None, left_edge: pd.Timestamp | None = None
) -> alt.LayerChart:
    """Rules and labels at `moments` (columns time, label), for `chart + moment_markers(...)` on a temporal x.

    Labels sit at the top edge in pixels, so the marker never changes the chart's price scale; moments in time
    order take turns over three rows, so two close together do not print over each other. A moment at or after
    `right_edge` (the chart's last time) is labelled to the left of its rule, so its label stays on the chart;
    with `left_edge` (the first time) too, so is every moment in the right `1 - RIGHT_SHARE` of the span (on a
    phone-wide chart a label written rightwards from there runs off it).
    """
    frame = moments[["time", "label"]].sort_values("time").assign(text=lambda m: "▼ " + m["label"])
    frame["y"] = 4 + LABEL_ROW_PX * (np.arange(len(frame)) % MARKER_ROWS)
    at_edge = frame["time"] >= right_edge if right_edge is not None else np.zeros(len(frame), dtype=bool)
    if right_edge is not None and left_edge is not None and right_edge > left_edge:
        at_edge |= frame["time"] >= left_edge + RIGHT_SHARE * (right_edge - left_edge)
    frame.loc[at_edge, "text"] = frame.loc[at_edge, "label"] + " ▼"
    rule = (
        alt.Chart(frame)
        .mark_rule(color=MARKER_COLOUR, strokeWidth=2, strokeDash=[2, 3])
        .encode(
            x="time:T",
            tooltip=[alt.Tooltip("label:N", title="Key moment"), alt.Tooltip("time:T", format="%Y-%m-%d %H:%M")],
        )
    )
    texts = [
        alt.Chart(frame[rows])
        .mark_text(align=align, dx=dx, baseline="top", color=MARKER_COLOUR, fontWeight="bold")
        .encode(x="time:T", y=alt.Y("y:Q", scale=None), text="text:N")
        for rows, align, dx in ((~at_edge, "left", 4), (at_edge, "right", -4))
    ]
    return alt.layer(rule, *texts)


def level_rules(levels: pd.DataFrame) -> alt.LayerChart:
    """Horizontal rules with labels at the right edge: `levels` has price, label and colour per row, and optionally
    `label_price` (from `liqcore.charts.breakouts.spread_labels`): where each label sits when rules are close.
    A rule beyond the chart's price range is clipped rather than drawn over the axis and the title."""
    rule = (
        alt.Chart(levels)
        .mark_rule(strokeWidth=2, strokeDash=[6, 3], clip=True)
        .encode(
            y="price:Q",
            color=alt.Color("colour:N", scale=None),
            tooltip=["label:N", alt.Tooltip("price:Q", format=",.1f")],
        )
    )
    label = alt.Chart(levels).encode(
        y="label_price:Q" if "label_price" in levels else "price:Q",
        x=alt.value(alt.expr("width")),
        text="label:N",
    )
    # A dark halo under each label keeps it readable over bright heat of its own hue (a violet label on shorts).
    halo = label.mark_text(
        align="right", dx=-4, dy=-7, fontWeight="bold", stroke=HALO_COLOUR, strokeWidth=3, strokeOpacity=0.8
    )
    text = label.mark_text(align="right", dx=-4, dy=-7, fontWeight="bold").encode(
        color=alt.Color("colour:N", scale=None)
    )
    return alt.layer(rule, halo, text)


def fuel_band(t0: pd.Timestamp, t1: pd.Timestamp, p0: float, p1: float, label: str) -> alt.LayerChart:
    """A translucent box over the prices beyond a broken level (the fuel window), labelled inside."""
    frame = pd.DataFrame({"t0": [t0], "t1": [t1], "p0": [min(p0, p1)], "p1": [max(p0, p1)], "label": [label]})
    box = (
        alt.Chart(frame)
        .mark_rect(fill=MARKER_COLOUR, fillOpacity=0.12, stroke=MARKER_COLOUR, strokeDash=[3, 3], strokeWidth=1.5)
        .encode(x="t0:T", x2="t1:T", y="p0:Q", y2="p1:Q", tooltip=["label:N"])
    )
    text = (
        alt.Chart(frame)
        .mark_text(align="left", dx=4, dy=8, color=MARKER_COLOUR, fontWeight="bold")
        .encode(x="t0:T", y="p1:Q", text="label:N")
    )
    return alt.layer(box, text)
