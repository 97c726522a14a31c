"""Volatility page: liquidation pressure near price, a range forecast, and whether the map improved it here."""

from __future__ import annotations

import numpy as np
import streamlit as st

from liqcore.analysis import Analysis
from liqcore.charts.volatility import forecast_chart, pressure_chart
from liqcore.truth import compare_volatility
from liqcore.volatility import PressureBasis, VolatilityConfig, forecast
from pages.components.budget import fits
from pages.components.cache import cached
from pages.components.chart_export import chart_with_png, spec_of
from pages.components.lazy import reading
from pages.components.session import current_analysis
from pages.components.truth import render_truth

PAGE_TITLE = "Volatility"  # navigation: pages/components/page_list.py reads these three lines
PAGE_ICON = ":material/speed:"
PAGE_ORDER = 3

analysis: Analysis = current_analysis(__file__)

st.title("Volatility: how fast could it move?")
st.caption(
    "Dense liquidation clusters within reach of price can turn a move into a cascade. This page measures that "
    "**pressure**, forecasts the price range over the next bars with and without it, and scores both on past bars."
)

if not fits(analysis, "The volatility forecast"):
    st.stop()


def _pressure_spec(analysis: Analysis, config: VolatilityConfig) -> dict:
    """The pressure chart's spec, built once per (analysis, settings): a rerun or a page switch neither rebuilds nor
    validates the page's two charts."""
    result = cached(forecast, analysis, config)
    return spec_of(pressure_chart(result.frame, analysis.market.bars["close"], result.relative_to))


def _forecast_spec(analysis: Analysis, config: VolatilityConfig) -> dict:
    return spec_of(forecast_chart(cached(forecast, analysis, config).frame))


cols = st.columns(2)
horizon = cols[0].slider("Horizon (bars ahead)", 3, 96, 12, 3, key="vol_horizon")
reach = cols[1].slider(
    "Reach (× ATR from price)",
    1.0,
    10.0,
    3.0,
    0.5,
    key="vol_reach",
    help="Clusters within this distance of price count as pressure.",
)
config = VolatilityConfig(horizon=horizon, reach_atr=reach, min_train=min(300, len(analysis.market) // 3))
result = cached(forecast, analysis, config, spinner="Fitting the forecasts…")
price = analysis.market.last_price
move_usd, move_pct = result.expected_move(price)
plain_usd, plain_pct = result.expected_move(price, "baseline")
regime = result.frame["regime"].iloc[-1] or "not enough history"
latest = result.frame.iloc[-1]
share = "{:.2%}" if result.relative_to is PressureBasis.OPEN_INTEREST else "{:.2f}×"

a, b, c = st.columns(3)
a.metric("Regime (estimate)", regime)
b.metric(
    f"Expected move, next {horizon} bars (estimate)",
    f"± ${move_usd:,.0f}" if np.isfinite(move_usd) else "not enough history",
    f"± {move_pct:.2f} %" if np.isfinite(move_pct) else None,
    delta_color="off",
    delta_arrow="off",
    help=f"Half the forecast high–low range, with the map. Without it: ± ${plain_usd:,.0f} (± {plain_pct:.2f} %).",
)
c.metric(
    "Pressure now (estimate)",
    share.format(latest["pressure"]),
    f"density {latest['density']:.2f}",
    delta_color="off",
    delta_arrow="off",
    help=f"Estimated liquidation notional within {reach:g} × ATR of price, relative to {result.relative_to} "
    f"(longs below: {share.format(latest['pressure_long'])}, shorts above: {share.format(latest['pressure_short'])}). "
    "Density: share held by the fullest fifth of the bins in reach (1 = stacked, 0.2 = spread evenly).",
)
if np.isfinite(move_usd):
    st.caption(f"Band if the forecast holds: {price - move_usd:,.0f} – {price + move_usd:,.0f} USD (an estimate).")

st.subheader("Pressure over time")
chart_with_png(
    cached(_pressure_spec, analysis, config),
    "Liquidation pressure near price over time (estimate)",
    analysis.label,
    "volatility-pressure",
)

st.subheader("Forecast vs what happened")
chart_with_png(
    cached(_forecast_spec, analysis, config),
    f"Range forecast vs realised range, {horizon} bars ahead (estimate)",
    analysis.label,
    "volatility-forecast",
)
st.caption(
    f"Dots: the high–low range that actually followed over the next {horizon} bars, coloured (like the background) "
    "by the regime forecast at the time. Lines: the two forecasts, without the map (grey, solid) and with it "
    "(blue, dashed)."
)
st.dataframe(
    result.table.drop(columns=["scored bars (n)", "non-overlapping windows"]),  # both counts are in the verdict below
    hide_index=True,
    width="stretch",
    column_config={
        "MAE, log range": st.column_config.NumberColumn(format="%.4f"),
        "QLIKE": st.column_config.NumberColumn(format="%.4f"),
    },
)
st.info(result.verdict, icon=":material/fact_check:")
st.caption(
    "Both forecasts are refitted on past bars only (expanding window); every scored forecast was made before its "
    "outcome was known. Overlapping windows make neighbouring errors alike, hence the count of independent windows."
)

reading(
    "What to do with it",
    lambda: st.markdown(
        "- **High regime / high pressure**: a move into nearby clusters can run further and faster than usual. "
        "Consequences: a stop at a normal distance is more likely to be hit by a wick; the same leverage puts your own "
        "liquidation price closer to where forced flow may carry price; waiting for the cluster to be cleared is an "
        "option.\n"
        "- **Calm regime / low pressure**: fewer forced orders nearby; ranges have tended to be narrower.\n"
        "- If the table says the map did not improve the forecast on this data, lean on plain volatility instead.\n"
        "- Nothing here is financial advice."
    ),
    key="vol_what_to_do",
    icon=":material/school:",
)
st.caption("Estimates from a model of positions nobody can see directly. Not financial advice.")

render_truth(analysis, compare_volatility, config)
