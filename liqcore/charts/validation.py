"""Validation chart: implied vs realised liquidations per bar, both sides, on a shared time axis."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd


def implied_vs_realised(implied: pd.DataFrame, bars: pd.DataFrame, max_points: int = 1200) -> alt.Chart:
    """Two lines per side (model's implied, realised) in USD, faceted by side."""
    step = max(1, int(np.ceil(len(bars) / max_points)))
    frames = []
    for side in ("long", "short"):
        frames.append(
            pd.DataFrame(
                {
                    "time": bars.index,
                    "side": f"{side}s",
                    "realised": bars[f"liq_{side}_usd"].to_numpy(),
                    "implied by the map": implied[f"{side}_usd"].reindex(bars.index).to_numpy(),
                }
            ).iloc[::step]
        )
    data = pd.concat(frames).melt(id_vars=["time", "side"], var_name="series", value_name="usd")
    return (
        alt.Chart(data)
        .mark_line(strokeWidth=1.2)
        .encode(
            x=alt.X("time:T", title="Time (UTC)", scale=alt.Scale(type="utc")),
            y=alt.Y("usd:Q", title="Liquidated per bar (USD)", axis=alt.Axis(format="$,.2s")),
            color=alt.Color(
                "series:N", scale=alt.Scale(range=["#f97316", "#38bdf8"]), legend=alt.Legend(orient="top", title=None)
            ),
            row=alt.Row("side:N", title=None),
            tooltip=[alt.Tooltip("time:T", format="%Y-%m-%d %H:%M"), "series:N", alt.Tooltip("usd:Q", format="$,.3s")],
        )
        .properties(height=170)
        .resolve_scale(y="independent")
        .interactive(bind_y=False)
    )
