"""Validation page: how well the map's implied liquidations match real (or simulated-true) ones, in numbers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from liqcore.analysis import Analysis
from liqcore.budget import PRESETS_ON_REQUEST_BARS
from liqcore.charts.validation import implied_vs_realised
from liqcore.truth import compare_validation
from liqcore.validate import compare_presets
from liqcore.validation import has_realised, validate
from liqcore.where import against_truth
from pages.components import calibration, where
from pages.components.budget import fits
from pages.components.cache import cached
from pages.components.chart_export import chart_with_png
from pages.components.session import current_analysis
from pages.components.truth import render_truth

PAGE_TITLE = "Validation"  # navigation: pages/components/page_list.py reads these three lines
PAGE_ICON = ":material/fact_check:"
PAGE_ORDER = 4

analysis: Analysis = current_analysis(__file__)
market = analysis.market

st.title("Validation: does the map match reality?")
st.caption(
    "No commercial heatmap publishes how well it matches real liquidations. Here is ours, on the data you loaded: "
    "rank correlations per bar, against a naive baseline that only knows how far each candle moved."
)

if not fits(analysis, "Validation scoring"):
    st.stop()


if not has_realised(market):
    st.info(
        "This data has no realised liquidations, so there is nothing to score against. Upload a file with "
        "`liq_long_usd` / `liq_short_usd` columns (e.g. CoinGlass or exchange liquidation history, merged with your "
        "candles), or use the simulator, whose true liquidations are known.",
        icon=":material/info:",
    )
    calibration.render(analysis, st.session_state.get("preset", "balanced"))
    where.render(analysis)
    st.stop()

truth_word = "true (simulated)" if analysis.is_simulated else "realised"
report = cached(validate, analysis, spinner="Scoring…")
st.subheader(f"Implied vs {truth_word} liquidations, per bar")
st.dataframe(
    report.table.reset_index(),
    hide_index=True,
    width="stretch",
    column_config={c: st.column_config.NumberColumn(format="%.3f") for c in report.table.columns if "ρ" in c},
)
st.info(report.verdict, icon=":material/fact_check:")
st.caption(
    f"ρ = Spearman rank correlation per bar. The first {report.warmup_bars} bars are left out while the map fills. "
    f"Partial ρ removes what the candle's own size explains. The hybrid blends map and candle, fitted on the first "
    f"{report.train_share:.0%} of the scored bars and scored on the rest."
)
for side in ("long", "short"):
    chart = implied_vs_realised(
        analysis.heatmap.implied, market.bars, side, "true" if analysis.is_simulated else "realised"
    )
    title = f"Implied vs {truth_word} liquidations per bar, {side}s (estimate)"
    chart_with_png(chart, title, analysis.label, f"validation-implied-vs-{truth_word.split()[0]}-{side}s")

if analysis.is_simulated:
    st.subheader("Where does the estimate put the book? (simulator only)")
    scores = cached(against_truth, analysis, spinner="Comparing with the true book…")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "side": s.side,
                    "snapshots": s.snapshots,
                    "true notional in the estimate's densest bins": s.truth_in_estimate_dense,
                    "same for the bins nearest price (baseline)": s.truth_in_nearest,
                    "estimate in the truth's densest bins": s.estimate_in_truth_dense,
                }
                for s in scores
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(format="percent")
            for c in (
                "true notional in the estimate's densest bins",
                "same for the bins nearest price (baseline)",
                "estimate in the truth's densest bins",
            )
        },
    )
    st.caption(
        "Densest bins = the fewest bins holding half of a book's notional. The baseline picks as many bins nearest to "
        "price on that side — what you would guess with no map at all."
    )

calibration.render(analysis, st.session_state.get("preset", "balanced"))
where.render(analysis)

st.subheader("Presets side by side")
if len(market) <= PRESETS_ON_REQUEST_BARS or st.toggle(
    "Score every preset",
    key="val_presets",
    help="Estimates the map again under each other preset on the same bars.",
):
    presets = cached(compare_presets, analysis, spinner="Scoring every preset…")
    counts = ["bars scored", "bars with liquidations", "held-out bars"]  # the same for every preset on this data
    st.dataframe(
        presets.drop(columns=counts),
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(format="%.3f") for c in presets.columns if "ρ" in c},
    )
    st.caption(
        "Same bars for every preset: "
        + "; ".join(
            f"{row['side']}s {row['bars scored']:,} scored ({row['bars with liquidations']:,} with liquidations), "
            f"{row['held-out bars']:,} held out"
            for _, row in presets.drop_duplicates("side").iterrows()
        )
        + ". Pick the preset in the sidebar; the scores above it follow."
    )
else:
    st.caption(
        f"On {len(market):,} bars each other preset means estimating the map again (a few seconds each), so they are "
        "scored when you ask."
    )

render_truth(analysis, compare_validation)
