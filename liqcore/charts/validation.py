"""Validation chart: implied vs realised liquidations per bar, for one side."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd


def implied_vs_realised(
    implied: pd.DataFrame, bars: pd.DataFrame, side: str, truth: str = "realised", max_points: int = 1200
) -> alt.Chart:
    """Implied and realised (or true) liquidations of one side per bar, in USD."""
    step = max(1, int(np.ceil(len(bars) / max_points)))
    data = pd.DataFrame(
        {
            "time": bars.index,
            truth: bars[f"liq_{side}_usd"].to_numpy(),
            "implied by the map": implied[f"{side}_usd"].reindex(bars.index).to_numpy(),
        }
    ).iloc[::step]
    data = data.melt(id_vars=["time"], var_name="series", value_name="usd")
    return (
        alt.Chart(data)
        .mark_line(strokeWidth=1.2)
        .encode(
            x=alt.X("time:T", title="Time (UTC)", scale=alt.Scale(type="utc")),
            y=alt.Y("usd:Q", title=f"{side.capitalize()}s liquidated per bar (USD)", axis=alt.Axis(format="$,.2s")),
            color=alt.Color(
                "series:N", scale=alt.Scale(range=["#f97316", "#38bdf8"]), legend=alt.Legend(orient="top", title=None)
            ),
            tooltip=[alt.Tooltip("time:T", format="%Y-%m-%d %H:%M"), "series:N", alt.Tooltip("usd:Q", format="$,.3s")],
        )
        .properties(height=200)
        .interactive(bind_y=False)
    )
