"""The by-venue profile: at one moment, how much of each price row's estimated liquidations sit on each exchange."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from liqcore.charts.axes import usd_labels

VENUE_COLOURS = {"binance": "#f0b90b", "bybit": "#38bdf8", "okx": "#a3a3a3"}
FALLBACK = ("#22c55e", "#ec4899", "#8b5cf6", "#f97316")


def _rows(frame: pd.DataFrame, max_rows: int) -> pd.DataFrame:
    """Merge neighbouring price bins into at most `max_rows` rows per venue and side, so bars stay readable."""
    low, high = frame["price_low"].min(), frame["price_high"].max()
    edges = np.linspace(low, high, max_rows + 1)
    row = np.clip(np.searchsorted(edges, frame["price_low"], side="right") - 1, 0, max_rows - 1)
    merged = frame.assign(row=row).groupby(["row", "side", "venue"], as_index=False)["usd"].sum()
    merged["p0"] = edges[merged["row"]]
    merged["p1"] = edges[merged["row"] + 1]
    return merged


def venue_profile_chart(frame: pd.DataFrame, price: float, labels: dict[str, str], height: int = 380) -> alt.Chart:
    """Stacked bars per price row (longs below price, shorts above), one colour per venue, and a rule at price.

    `frame` is `VenueSplit.profile_frame()`: price_low, price_high, side, venue, usd.
    """
    rows = _rows(frame, 80) if len(frame) else frame.assign(p0=[], p1=[])
    rows = rows.assign(venue_label=rows["venue"].map(lambda v: labels.get(v, v)))
    venues = list(dict.fromkeys(frame["venue"]))
    colours = [VENUE_COLOURS.get(v, FALLBACK[i % len(FALLBACK)]) for i, v in enumerate(venues)]
    bars = (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            y=alt.Y("p0:Q", title="Price (USD)", scale=alt.Scale(zero=False), axis=alt.Axis(format="$,.0f")),
            y2="p1:Q",
            x=alt.X(
                "sum(usd):Q", title="Estimated liquidations per price row (USD)", axis=alt.Axis(labelExpr=usd_labels())
            ),
            color=alt.Color(
                "venue_label:N",
                scale=alt.Scale(domain=[labels.get(v, v) for v in venues], range=colours),
                legend=alt.Legend(title=None, orient="top"),
            ),
            order=alt.Order("venue_label:N"),
            tooltip=[
                alt.Tooltip("venue_label:N", title="Venue"),
                alt.Tooltip("side:N", title="Side"),
                alt.Tooltip("p0:Q", title="From (USD)", format=",.1f"),
                alt.Tooltip("p1:Q", title="To (USD)", format=",.1f"),
                alt.Tooltip("usd:Q", title="Estimated USD", format="$,.3s"),
            ],
        )
    )
    rule = alt.Chart(pd.DataFrame({"price": [price]})).mark_rule(strokeDash=[4, 3]).encode(y="price:Q")
    return (bars + rule).properties(height=height)
