"""The Validation page's "fit the model to this data" section and the calibrated model it can hand to every page.

The fitted config lives in session state (`ACTIVE_KEY`); `model_settings.choose_config` returns it instead of the
preset while it is active, and the link records `calibrated=1` beside the preset. Opening such a link on the same
data re-fits from that preset (`calibrate` is deterministic, so the result is the same); edits made to the preset's
assumptions before fitting are not part of the fit, which always starts from the preset.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from liqcore.analysis import Analysis
from liqcore.calibration import Calibration, calibrate
from liqcore.config import ModelConfig
from liqcore.errors import DataError
from liqcore.market import Market
from liqcore.validation import has_realised
from pages.components.cache import fingerprint
from pages.components.text import plain

ACTIVE_KEY = "_calibrated_model"  # the Calibrated in use on every page, or absent
LINK_KEY = "calibrated"  # query parameter: "1" while the calibrated model is in use
_RESULT_KEY = "_calibration_result"  # the last fit on this page: (key, Calibrated), one entry per session
NO_REALISED_HINT = (
    "This data has no realised liquidations, so the model cannot be fitted to it. Load a CSV whose bars carry "
    "`liq_long_usd` / `liq_short_usd` columns (USD liquidated per bar, e.g. a CoinGlass aggregated liquidation-history "
    "export merged with your candles) and the fit appears here."
)


@dataclass(frozen=True)
class Calibrated:
    """A fit and what it was fitted on, in words for the sidebar."""

    calibration: Calibration
    label: str  # the dataset's label (user text: escape before showing)
    preset: str
    digest: str  # the market's content digest: the link re-fits only on the same data

    @property
    def config(self) -> ModelConfig:
        return self.calibration.config

    def caption(self) -> str:
        return f"Model: calibrated on {plain(self.label)}, {plain(self.calibration.span)}"


def _key(market: Market, preset: str) -> str:
    return f"{fingerprint(market)}|{preset}"


def fit(market: Market, label: str, preset: str, where=st) -> Calibrated:
    """`calibrate` from the preset with a progress bar in `where`; kept per session so a rerun does not fit again."""
    key = _key(market, preset)
    stored = st.session_state.get(_RESULT_KEY)
    if stored is not None and stored[0] == key:
        return stored[1]
    bar = where.progress(0.0, text="Fitting the model to the realised liquidations…")
    result = calibrate(market, ModelConfig.preset(preset), progress=lambda share, text: bar.progress(share, text=text))
    bar.empty()
    fitted = Calibrated(result, label, preset, market.digest)
    st.session_state[_RESULT_KEY] = (key, fitted)
    return fitted


def active() -> Calibrated | None:
    """The calibrated model in use on every page, if the user chose it."""
    return st.session_state.get(ACTIVE_KEY)


def use(fitted: Calibrated) -> None:
    st.session_state[ACTIVE_KEY] = fitted
    st.session_state[LINK_KEY] = "1"


def stop_using() -> None:
    st.session_state.pop(ACTIVE_KEY, None)
    st.session_state.pop(LINK_KEY, None)


def scores_table(result: Calibration) -> pd.DataFrame:
    """Out-of-sample scores of the fit, the uncalibrated preset and the candle, per block with its bars."""
    table = result.blocks.copy()
    table["block"] = [
        f"{s:%Y-%m-%d %H:%M} → {e:%Y-%m-%d %H:%M}" for s, e in zip(table["start"], table["end"], strict=True)
    ]
    return table[
        ["block", "bars", "calibrated partial ρ", "preset partial ρ", "calibrated map ρ", "preset map ρ", "candle ρ"]
    ]


def render(analysis: Analysis, preset: str) -> None:
    """The whole section: explanation, the fit button, the fit's results and the 'use everywhere' switch."""
    st.subheader("Fit the model to this data's realised liquidations")
    market = analysis.history
    if not has_realised(market):
        st.info(NO_REALISED_HINT, icon=":material/info:")
        return
    current = active()
    if current is not None:
        st.success(f"{current.caption()} — in use on every page.", icon=":material/tune:")
        st.button("Back to the preset", key="cal_back", on_click=stop_using, icon=":material/undo:")
    st.caption(
        f"Tries 27 combinations of turnover, entry spread and leverage mix around the {preset} preset, walk-forward: "
        "each block is scored with the assumptions chosen on the bars before it only."
    )
    stored = st.session_state.get(_RESULT_KEY)
    if not st.button("Fit the model to this data's realised liquidations", key="cal_fit", icon=":material/tune:") and (
        stored is None or stored[0] != _key(market, preset)
    ):
        return
    try:
        fitted = fit(market, analysis.label, preset)
    except DataError as error:
        st.error(plain(error), icon=":material/error:")
        return
    result = fitted.calibration
    st.markdown("**Fitted assumptions, in words**  \n" + "  \n".join(plain(line) for line in result.config.describe()))
    st.dataframe(
        scores_table(result),
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(format="%.3f") for c in scores_table(result) if "ρ" in c},
    )
    st.caption(
        f"Out of sample, mean over {len(result.blocks)} blocks ({int(result.blocks['bars'].sum()):,} bars): partial ρ "
        f"given the candle {result.calibrated_partial:.3f} calibrated vs {result.preset_partial:.3f} preset; map ρ "
        f"{result.calibrated_rho:.3f} vs {result.preset_rho:.3f}; the candle alone {result.candle_rho:.3f}."
    )
    st.info(result.verdict, icon=":material/fact_check:")
    if current is None or current.calibration is not result:
        st.button(
            "Use the fitted model on every page",
            key="cal_use",
            on_click=use,
            args=(fitted,),
            icon=":material/check:",
        )
