"""Volatility charts: pressure under the price, and forecast vs realised range with regime colours."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from liqcore.charts.heatmap import price_panel
from liqcore.volatility import PressureBasis

REGIME_COLOURS = {"calm": "#22c55e", "elevated": "#f59e0b", "high": "#ef4444"}
# the baseline in a neutral grey, the forecast that uses the map in the page's accent blue (readable on both themes)
FORECAST_COLOURS = {"baseline": "#94a3b8", "with map": "#38bdf8"}


def pressure_chart(
    frame: pd.DataFrame, close: pd.Series, relative_to: PressureBasis, max_points: int = 600
) -> alt.VConcatChart:
    """Price on top, liquidation pressure within reach below, sharing the time axis."""
    step = max(1, int(np.ceil(len(frame) / max_points)))
    data = pd.DataFrame(
        {
            "close": close,
            "longs below": frame["pressure_long"],
            "shorts above": frame["pressure_short"],
            "pressure": frame["pressure"],
            "density": frame["density"],
        }
    ).iloc[::step]
    data = data.reset_index(names="time")
    x = alt.X("time:T", title="Time (UTC)", scale=alt.Scale(type="utc"))
    price = price_panel(data, "close", height=180)
    fmt = ".2%" if relative_to == PressureBasis.OPEN_INTEREST else ".2f"
    title = "Pressure (% of OI)" if relative_to == PressureBasis.OPEN_INTEREST else "Pressure (× usual)"
    area = (
        alt.Chart(data)
        .transform_fold(["longs below", "shorts above"], as_=["side", "share"])
        .mark_area(opacity=0.75)
        .encode(
            x=x,
            y=alt.Y("share:Q", stack=True, title=title, axis=alt.Axis(format=fmt)),
            color=alt.Color(
                "side:N",
                scale=alt.Scale(domain=["longs below", "shorts above"], range=["#f97316", "#a855f7"]),
                legend=alt.Legend(title="Liquidations within reach", orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("time:T", format="%Y-%m-%d %H:%M", title="UTC"),
                alt.Tooltip("side:N"),
                alt.Tooltip("share:Q", format=fmt, title="pressure, this side"),
                alt.Tooltip("pressure:Q", format=fmt, title="pressure, both sides"),
                alt.Tooltip("density:Q", format=".2f"),
            ],
        )
        .properties(height=150)
    )
    return alt.vconcat(price, area).resolve_scale(x="shared")


def forecast_chart(frame: pd.DataFrame, max_points: int = 600) -> alt.LayerChart:
    """Realised vs forecast range over the next H bars (as %), background and points coloured by the forecast regime.

    The shading holds every regime run; the points and lines every k-th forecast, at most `max_points` (drawing
    ~4,000 points per layer was most of the browser's time on this page).
    """
    data = frame.dropna(subset=["augmented"])
    runs = _regime_runs(pd.DataFrame({"time": data.index, "regime": data["regime"].to_numpy()}))  # every bar's
    step = max(1, int(np.ceil(len(data) / max_points)))
    data = data.iloc[::step]  # points and lines: every step-th forecast (the browser draws ~max_points per layer)
    out = pd.DataFrame(
        {
            "time": data.index,
            "realised": 100 * (np.exp(np.exp(data["realised"])) - 1),
            "baseline": 100 * (np.exp(np.exp(data["baseline"])) - 1),
            "with map": 100 * (np.exp(np.exp(data["augmented"])) - 1),
            "regime": data["regime"],
        }
    )
    time_axis = {
        "title": "Forecast made at (UTC)",
        "scale": alt.Scale(type="utc"),
        "axis": alt.Axis(format="%b %d %H:%M"),
    }
    x = alt.X("time:T", **time_axis)
    regime_scale = alt.Scale(domain=list(REGIME_COLOURS), range=list(REGIME_COLOURS.values()))
    forecast_scale = alt.Scale(domain=list(FORECAST_COLOURS), range=list(FORECAST_COLOURS.values()))
    forecast_legend = alt.Legend(title="Forecast", orient="top")  # one legend for hue and dash: same field and title
    shading = (
        alt.Chart(runs)
        .mark_rect(opacity=0.12)
        .encode(
            x=alt.X("start:T", **time_axis),
            x2="end:T",
            color=alt.Color("regime:N", scale=regime_scale, legend=None),  # the points' legend, at full opacity
        )
    )
    realised = (
        alt.Chart(out)
        .mark_circle(size=12)
        .encode(
            x=x,
            y=alt.Y("realised:Q", title="High–low range over the next bars (%)"),
            color=alt.Color(
                "regime:N",
                scale=regime_scale,
                legend=alt.Legend(title="Forecast regime", orient="bottom"),  # beside "Forecast" it ran off a phone
            ),
            tooltip=[
                alt.Tooltip("time:T", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("realised:Q", format=".2f"),
                alt.Tooltip("with map:Q", format=".2f"),
                alt.Tooltip("baseline:Q", format=".2f"),
            ],
        )
    )
    lines = (
        alt.Chart(out)
        .transform_fold(["baseline", "with map"], as_=["model", "value"])
        .mark_line(strokeWidth=1.5)
        .encode(
            x=x,
            y="value:Q",
            # two hues as well as two dashes: at a forecast per bar the dashes blur into one line
            stroke=alt.Stroke("model:N", scale=forecast_scale, legend=forecast_legend),
            strokeDash=alt.StrokeDash("model:N", scale=alt.Scale(domain=forecast_scale.domain), legend=forecast_legend),
        )
    )
    layered = alt.layer(shading, realised, lines).resolve_legend(color="independent")  # the points name the colours
    return layered.properties(height=400)  # Streamlit fits legends and axes into this (the regime legend below: ~60)


def _regime_runs(data: pd.DataFrame) -> pd.DataFrame:
    """Consecutive rows with the same regime as one time span each (for background shading)."""
    labelled = data[data["regime"] != ""]
    if labelled.empty:
        return pd.DataFrame({"start": pd.Series(dtype="datetime64[ns, UTC]"), "end": [], "regime": []})
    run = (labelled["regime"] != labelled["regime"].shift()).cumsum()
    ends = labelled["time"].shift(-1).fillna(labelled["time"].iloc[-1])
    spans = pd.DataFrame({"start": labelled["time"], "end": ends, "regime": labelled["regime"], "run": run})
    return spans.groupby("run").agg(start=("start", "first"), end=("end", "last"), regime=("regime", "first"))
