"""Sentiment charts: the current balance as a gauge bar, and the balance over time under the price."""

from __future__ import annotations

import altair as alt
import pandas as pd

from liqcore.charts.heatmap import price_panel
from liqcore.sentiment import LABELS, NO_EXPOSURE

SHORT_SIDE, LONG_SIDE = "#8b5cf6", "#f59e0b"
ZONES = (LABELS[2], LABELS[1], LABELS[0])  # low to high balance
ZONE_COLOURS = (LONG_SIDE, "#94a3b8", SHORT_SIDE)


def balance_gauge(
    balance: float, threshold: float, above_usd: float = float("nan"), below_usd: float = float("nan")
) -> alt.LayerChart:
    """A horizontal −1…+1 bar with the label zones and a marker at the current balance (USD totals in its tooltip)."""
    zones = pd.DataFrame(
        {
            "from": [-1, -threshold, threshold],
            "to": [-threshold, threshold, 1],
            "zone": list(ZONES),
        }
    )
    band = (
        alt.Chart(zones)
        .mark_bar(opacity=0.45, height=26)
        .encode(
            x=alt.X(
                "from:Q", scale=alt.Scale(domain=[-1, 1]), title="Balance: −1 all longs below … +1 all shorts above"
            ),
            x2="to:Q",
            color=alt.Color(
                "zone:N",
                scale=alt.Scale(domain=list(ZONES), range=list(ZONE_COLOURS)),
                legend=alt.Legend(orient="top", title=None),
            ),
        )
    )
    marker = (
        alt.Chart(pd.DataFrame({"balance": [balance], "above_usd": [above_usd], "below_usd": [below_usd]}))
        .mark_tick(thickness=5, size=40, color="#38bdf8")
        .encode(
            x="balance:Q",
            tooltip=[
                alt.Tooltip("balance:Q", format="+.2f"),
                alt.Tooltip("above_usd:Q", title="Shorts above (USD)", format="$,.3s"),
                alt.Tooltip("below_usd:Q", title="Longs below (USD)", format="$,.3s"),
            ],
        )
    )
    return alt.layer(band, marker).properties(height=60)


def balance_over_time(series: pd.DataFrame, threshold: float) -> alt.VConcatChart:
    """Price on top, balance below, sharing the time axis (pan/zoom on time)."""
    frame = series.reset_index(names="time")
    x = alt.X("time:T", title="Time (UTC)", scale=alt.Scale(type="utc"))
    price = price_panel(frame, "price", height=200)
    # Bars coloured by the reading their balance gets (the thresholds), in one view: a layered panel inside a
    # vconcat is not stretched to the container by Streamlit and overflowed the page.
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("balance:Q", title="Balance", scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color(
                "label:N",
                scale=alt.Scale(domain=[*ZONES, NO_EXPOSURE], range=[*ZONE_COLOURS, "#64748b"]),
                # two columns and a short "no exposure": one row of four ran off a 390 px phone's chart
                legend=alt.Legend(
                    orient="bottom",
                    title=f"Reading (threshold ±{threshold:g})",
                    columns=2,
                    labelExpr=f"datum.label == '{NO_EXPOSURE}' ? 'no exposure' : datum.label",
                ),
            ),
            tooltip=[
                alt.Tooltip("time:T", format="%Y-%m-%d %H:%M", title="UTC"),
                alt.Tooltip("balance:Q", format="+.2f"),
                alt.Tooltip("above_usd:Q", title="Shorts above (USD)", format="$,.3s"),
                alt.Tooltip("below_usd:Q", title="Longs below (USD)", format="$,.3s"),
                alt.Tooltip("label:N"),
            ],
        )
        .properties(height=160)
    )
    return alt.vconcat(price, bars).resolve_scale(x="shared")
