"""Chart marks for lessons: a labelled vertical rule at each key moment, to lay over a time × price chart."""

from __future__ import annotations

import altair as alt
import pandas as pd

MARKER_COLOUR = "#84cc16"  # lime: reads on dark and light pages, distinct from the amber/violet heat, candles, price


def moment_markers(moments: pd.DataFrame) -> alt.LayerChart:
    """Rules and labels at `moments` (columns time, label), for `chart + moment_markers(...)` on a temporal x.

    Labels sit at the top edge in pixels, so the marker never changes the chart's price scale.
    """
    frame = moments[["time", "label"]].assign(text=lambda m: "▼ " + m["label"])
    rule = (
        alt.Chart(frame)
        .mark_rule(color=MARKER_COLOUR, strokeWidth=2, strokeDash=[2, 3])
        .encode(
            x="time:T",
            tooltip=[alt.Tooltip("label:N", title="Key moment"), alt.Tooltip("time:T", format="%Y-%m-%d %H:%M")],
        )
    )
    text = (
        alt.Chart(frame)
        .mark_text(align="left", dx=4, baseline="top", color=MARKER_COLOUR, fontWeight="bold")
        .encode(x="time:T", y=alt.value(4), text="text:N")
    )
    return alt.layer(rule, text)
