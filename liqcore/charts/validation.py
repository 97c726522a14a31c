"""Validation chart: implied vs realised liquidations over time, for one side, mirrored about zero (the map above,
the truth below) so neither series hides the other and their timing lines up at a glance."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from liqcore.charts.axes import usd_labels
from liqcore.charts.titles import chart_title


def implied_vs_realised(
    implied: pd.DataFrame, bars: pd.DataFrame, side: str, truth: str = "realised", max_points: int = 600
) -> alt.Chart:
    """Implied and realised (or true) liquidations of one side in USD, summed over buckets of bars when there are
    more than `max_points` bars (summing, not sampling, so no spike is dropped), on a symlog axis so small and huge
    bars both show."""
    step = max(1, int(np.ceil(len(bars) / max_points)))
    bucket = np.arange(len(bars)) // step
    per_bar = pd.DataFrame(
        {
            truth: bars[f"liq_{side}_usd"].fillna(0.0).to_numpy(),
            "implied by the map": implied[f"{side}_usd"].reindex(bars.index).fillna(0.0).to_numpy(),
        }
    )
    data = per_bar.groupby(bucket).sum()
    data.insert(0, "time", bars.index[::step])
    data = data.melt(id_vars=["time"], var_name="series", value_name="usd")
    data["drawn"] = np.where(data["series"] == truth, -data["usd"], data["usd"])
    per = "per bar" if step == 1 else f"per {step} bars"
    ticks = _decades(float(data["usd"].max()))
    return (
        alt.Chart(data)
        .mark_line(strokeWidth=1.2, interpolate="step-after")
        .encode(
            x=alt.X("time:T", title="Time (UTC)", scale=alt.Scale(type="utc")),
            y=alt.Y(
                "drawn:Q",
                title=f"USD {per}: implied ↑, {truth} ↓",
                scale=alt.Scale(type="symlog", constant=1e5),
                axis=alt.Axis(
                    labelExpr=usd_labels("abs(datum.value)"),
                    values=sorted({-t for t in ticks} | set(ticks)),
                ),
            ),
            color=alt.Color(
                "series:N", scale=alt.Scale(range=["#f97316", "#38bdf8"]), legend=alt.Legend(orient="top", title=None)
            ),
            tooltip=[
                alt.Tooltip("time:T", format="%Y-%m-%d %H:%M", title="From (UTC)"),
                "series:N",
                alt.Tooltip("usd:Q", format="$,.3s", title=f"USD {per}"),
            ],
        )
        .properties(
            height=420,  # the whole chart: two title lines, the legend and the axes leave ~250 px of plot
            title=chart_title(f"{side.capitalize()}s liquidated (symlog scale)", f"implied (above) vs {truth} (below)"),
        )
        .interactive(bind_y=False)
    )


def _decades(top: float) -> list[float]:
    """Axis ticks for a symlog USD axis: 0 and each power of ten from 1M up to the largest value."""
    return [0.0] + [10.0**k for k in range(6, 13) if 10.0**k <= max(top, 1e6)]
