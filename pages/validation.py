"""Validation page: how well the map's implied liquidations match real (or simulated-true) ones, in numbers."""

from __future__ import annotations

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
from pages.components.chart_export import chart_with_png, spec_of
from pages.components.session import current_analysis
from pages.components.truth import render_truth
from pages.components.validation_tables import (
    PRESET_SCORES,
    book_by_side,
    presets_of_side,
    sample_sizes,
    scores_by_side,
)

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


def _implied_spec(analysis: Analysis, side: str) -> dict:
    """One side's implied-versus-realised chart spec, built once per analysis (not on every run or page switch)."""
    truth = "true" if analysis.is_simulated else "realised"
    return spec_of(implied_vs_realised(analysis.heatmap.implied, analysis.market.bars, side, truth))


truth_word = "true (simulated)" if analysis.is_simulated else "realised"
report = cached(validate, analysis, spinner="Scoring…")
st.subheader(f"Implied vs {truth_word} liquidations, per bar")
st.dataframe(
    scores_by_side(report.table),
    hide_index=True,
    width="stretch",
    column_config={side: st.column_config.NumberColumn(format="%.3f") for side in ("longs", "shorts")},
)
st.info(report.verdict, icon=":material/fact_check:")
st.caption(
    f"Bars: {sample_sizes(report.table)}. "
    f"ρ = Spearman rank correlation per bar. The first {report.warmup_bars} bars are left out while the map fills. "
    f"Partial ρ removes what the candle's own size explains. The hybrid blends map and candle, fitted on the first "
    f"{report.train_share:.0%} of the scored bars and scored on the rest."
)
for side in ("long", "short"):
    chart = cached(_implied_spec, analysis, side)
    title = f"Implied vs {truth_word} liquidations per bar, {side}s (estimate)"
    chart_with_png(chart, title, analysis.label, f"validation-implied-vs-{truth_word.split()[0]}-{side}s")

if analysis.is_simulated:
    st.subheader("Where does the estimate put the book? (simulator only)")
    scores = cached(against_truth, analysis, spinner="Comparing with the true book…")
    st.dataframe(
        book_by_side(scores),
        hide_index=True,
        width="stretch",
        column_config={side: st.column_config.NumberColumn(format="percent") for side in ("longs", "shorts")},
    )
    st.caption(
        "Snapshots compared: " + ", ".join(f"{s.snapshots:,} of the {s.side}s" for s in scores) + ". "
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
    for column, side in zip(st.columns(2), ("long", "short"), strict=True):
        column.markdown(f"**{side.capitalize()}s**")
        column.dataframe(
            presets_of_side(presets, side),
            width="stretch",
            column_config={
                c: st.column_config.NumberColumn(label, help=c, format="%.3f") for c, label in PRESET_SCORES.items()
            },
        )
    per_side = presets.drop_duplicates("side").set_index("side")  # bars and candle scores: alike for every preset
    st.caption(
        f"Same bars for every preset ({sample_sizes(per_side)}), so the candle-only baseline is the same for each: "
        + "; ".join(
            f"{side}s ρ {row['candle-only ρ']:.3f} ({row['candle-only ρ (held out)']:.3f} held out)"
            for side, row in per_side.iterrows()
        )
        + ". Pick the preset in the sidebar; the scores above it follow."
    )
else:
    st.caption(
        f"On {len(market):,} bars each other preset means estimating the map again (a few seconds each), so they are "
        "scored when you ask."
    )

render_truth(analysis, compare_validation)
