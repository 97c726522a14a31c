"""The fakeout scanner block: controls, breakout markers, hit rates with Wilson intervals and the verdict.

`render_breakout_scanner(analysis)` is one of the sections below the heatmap page's map; everything it computes
comes from `liqcore.breakouts`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from liqcore.analysis import Analysis
from liqcore.breakouts import BreakoutConfig, BreakoutResult, scan
from liqcore.cells import candles
from liqcore.charts.breakouts import breakout_chart
from liqcore.formatting import compact_usd
from liqcore.truth import compare_fakeouts
from pages.components.cache import cached
from pages.components.chart_export import chart_with_png, spec_of
from pages.components.truth import render_truth

SCANNER_KEYS = ["bo_range_bars", "bo_fuel_pct", "bo_horizon", "bo_follow"]  # its controls' widget keys


def _pct(rate: float, n: int) -> str:
    return f"{100 * rate:.0f} %" if n else "–"


def _interval(low: float, high: float, n: int) -> str:
    return f"{100 * low:.0f}–{100 * high:.0f} %" if n else "–"


def _table(result: BreakoutResult) -> pd.DataFrame:
    """Hit rates as text with units, one row per zone (a small static table)."""
    rows = []
    for row in result.table.itertuples():
        rows.append(
            {
                "Fuel zone": {"thin": "Thin (little fuel)", "dense": "Dense (much fuel)"}[row.zone],
                "Breakouts (n)": int(row.n),
                "Failed (fakeout)": _pct(row.fakeout_rate, row.n),
                "95 % interval, failed": _interval(row.fakeout_low, row.fakeout_high, row.n),
                "Followed through": _pct(row.follow_rate, row.n),
                "95 % interval, followed": _interval(row.follow_low, row.follow_high, row.n),
                "Unresolved": int(row.unresolved),
            }
        )
    return pd.DataFrame(rows).set_index("Fuel zone")


def _breakout_spec(analysis: Analysis, config: BreakoutConfig) -> dict:
    """The breakout chart's spec, built once per (analysis, settings): a rerun neither rebuilds nor validates it."""
    events = cached(scan, analysis, config).frame
    return spec_of(breakout_chart(cached(candles, analysis.market, max_candles=600), events))


def render_breakout_scanner(analysis: Analysis) -> None:
    """Draw the scanner: do breakouts into thin liquidation zones fail more often than into dense ones, here?"""
    st.subheader("Fakeout scanner: thin vs dense breakouts")
    st.caption(
        "A breakout is the first close beyond the high (or low) of the previous N bars. Its *fuel* is the estimated "
        "liquidation notional within X % beyond the broken level on the breakout side (shorts above, longs below), "
        "read from the map at the breakout bar — nothing later. Breakouts with fuel at or above the median are "
        "*dense*, the rest *thin*."
    )
    cols = st.columns(4)
    range_bars = cols[0].number_input("N: range bars", 5, 500, 48, 1, key="bo_range_bars")
    fuel_pct = cols[1].number_input("X: fuel window (%)", 0.1, 10.0, 1.0, 0.1, key="bo_fuel_pct", format="%.1f")
    horizon = cols[2].number_input("M: bars to judge", 2, 500, 24, 1, key="bo_horizon")
    follow = cols[3].number_input("k: follow-through (× ATR)", 0.1, 10.0, 1.0, 0.1, key="bo_follow", format="%.1f")
    config = BreakoutConfig(
        range_bars=int(range_bars), fuel_pct=float(fuel_pct), horizon=int(horizon), follow_atr=float(follow)
    )
    result = cached(scan, analysis, config, spinner="Scanning breakouts…")
    events = result.frame
    if events.empty:
        st.info("No breakouts in this window with these settings: try a shorter range (N) or more data.")
        return
    title = "Breakouts by fuel zone and outcome (fuel is an estimate)"
    spec = cached(_breakout_spec, analysis, config)
    chart_with_png(spec, title, analysis.label, "fakeout-scanner-breakouts")
    st.caption(
        f"{len(events)} breakouts. Colour: fuel zone (dense ≥ {compact_usd(result.dense_threshold_usd)} within "
        f"{config.fuel_pct:g} %). Shape: follow-through (price went {config.follow_atr:g} × ATR(14) further within "
        f"{config.horizon} bars), fakeout (closed back inside the range first), unresolved, or open (too close to "
        "the end to judge)."
    )
    st.table(_table(result))
    st.info(result.verdict, icon=":material/fact_check:")
    st.caption(
        "Intervals are 95 % Wilson intervals. Breakouts close together share market conditions, so the intervals are "
        "optimistic; fuel is read from an estimated map. Nothing here is financial advice."
    )
    render_truth(analysis, compare_fakeouts, config)  # cached per seeds and settings
