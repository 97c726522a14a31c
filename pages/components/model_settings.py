"""The sidebar's model section: a preset and an 'Assumptions' expander that edits the model's key inputs.

Edits start from the chosen preset; changing the preset resets them. The result is one hashable ModelConfig, so the
cached map is keyed by exactly the assumptions that produced it.
"""

from __future__ import annotations

import streamlit as st

from liqcore.closing import CLOSING_RULES
from liqcore.config import PRESET_NAMES, ModelConfig
from liqcore.market import Market
from liqcore.validation import has_realised
from pages.components import calibration, view_state

VIEW_KEYS = ["preset"]
_EDIT_PREFIX = "cfg_"
_EDITED = "_cfg_edited"  # assumption keys whose value differs from the preset's, for the share link


def _truthy(text: str) -> bool:
    if text not in ("True", "False"):
        raise ValueError(text)
    return text == "True"


def _seed(key: str, default: object, parse=str, allowed=None) -> None:
    """Start an assumption widget from the share link (once per session), else from the preset's value."""
    view_state.restore(key, default, parse=parse, allowed=allowed)
    edited: dict[str, bool] = st.session_state.setdefault(_EDITED, {})
    edited[key] = st.session_state[key] != default


def view_keys() -> list[str]:
    """The preset and every assumption edited away from it: what a share link must carry."""
    edited: dict[str, bool] = st.session_state.get(_EDITED, {})
    calibrated = [calibration.LINK_KEY] if st.session_state.get(calibration.LINK_KEY) == "1" else []
    return VIEW_KEYS + calibrated + [key for key, changed in edited.items() if changed and key in st.session_state]


def _reset_edits() -> None:
    """A new preset starts from its own values: forget the edits made to the previous one."""
    for key in [k for k in st.session_state if str(k).startswith(_EDIT_PREFIX)]:
        del st.session_state[key]
    st.session_state.pop(_EDITED, None)
    calibration.stop_using()


def _calibrated(market: Market | None, preset_name: str) -> calibration.Calibrated | None:
    """The calibrated model in use, re-fitted from the link (`calibrated=1`) when the session opens on such data."""
    view_state.restore(calibration.LINK_KEY, "", allowed=("1", ""))
    fitted = calibration.active()
    if fitted is None and st.session_state.get(calibration.LINK_KEY) == "1":
        if market is None or not has_realised(market):
            calibration.stop_using()
            return None
        fitted = calibration.fit(market, market.source, preset_name)
        calibration.use(fitted)
    return fitted


def _leverage_mix(preset: ModelConfig) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """One slider per leverage tier for the share of new positions there (same mix for longs and shorts)."""
    st.caption("Share of new positions at each leverage (normalised to 100 %)")
    defaults = [round(100 * w / sum(preset.long_weights)) for w in preset.long_weights]
    weights = []
    for tier, default in zip(preset.leverage_tiers, defaults, strict=True):
        key = f"cfg_lev_{tier:g}"
        _seed(key, default, parse=int, allowed=range(0, 101))
        weights.append(st.slider(f"{tier:g}x leverage", 0, 100, step=1, key=key, format="%d %%"))
    if weights == defaults:  # untouched: the preset itself, so the app maps exactly what `analyse` does for it
        return preset.long_weights, preset.short_weights
    if sum(weights) == 0:
        st.warning("All leverage shares are zero; using the preset's mix.")
        return preset.long_weights, preset.short_weights
    mix = tuple(float(w) for w in weights)
    return mix, mix


def choose_config(market: Market | None = None) -> ModelConfig:
    """Preset plus user edits, as one hashable ModelConfig; or the calibrated model while the user uses it.

    `market` is the loaded data, re-fitted on when a link says the calibrated model is in use."""
    view_state.restore("preset", "balanced", allowed=PRESET_NAMES)
    preset_name = st.selectbox(
        "Model preset",
        PRESET_NAMES,
        key="preset",
        format_func=str.capitalize,
        on_change=_reset_edits,
        help="How leveraged the crowd is assumed to be. Balanced is the default; open Assumptions to edit.",
    )
    fitted = _calibrated(market, preset_name)
    if fitted is not None:
        st.caption(fitted.caption())
        st.button("Back to the preset", key="cal_back_sidebar", on_click=calibration.stop_using, icon=":material/undo:")
        return fitted.config
    preset = ModelConfig.preset(preset_name)
    with st.expander("Assumptions", icon=":material/tune:"):
        long_weights, short_weights = _leverage_mix(preset)
        _seed("cfg_decay_on", preset.decay_half_life_hours is not None, parse=_truthy)
        decay_on = st.toggle("Positions fade with time", key="cfg_decay_on")
        half_life = None
        if decay_on:
            _seed("cfg_decay_hours", int(preset.decay_half_life_hours or 72), parse=int, allowed=range(6, 337, 6))
            half_life = float(
                st.slider(
                    "Half-life (hours)",
                    6,
                    336,
                    step=6,
                    key="cfg_decay_hours",
                    help="After this long, half of a position is assumed closed even if open interest did not say so.",
                )
            )
        _seed("cfg_turnover", round(100 * preset.turnover_per_hour, 1), parse=float)
        turnover = st.slider(
            "Turnover (% of positions per hour)",
            0.0,
            20.0,
            step=0.5,
            key="cfg_turnover",
            help="Positions that close and reopen at the bar's prices each hour, on top of what open interest shows. "
            "Without it, levels price has crossed stay empty.",
        )
        _seed("cfg_same_bar", preset.same_bar_liquidations, parse=_truthy)
        same_bar = st.toggle(
            "New positions can be liquidated in the bar they open in",
            key="cfg_same_bar",
            help="Shorts who sold a drop squeezed by the bounce off its low, longs who bought a spike flushed by the "
            "pullback, inside the same bar. Off in every preset (README, 'Honest numbers').",
        )
        close_rules = tuple(CLOSING_RULES)
        _seed("cfg_close_rule", preset.close_rule, allowed=close_rules)
        close_rule = st.radio(
            "When open interest falls",
            close_rules,
            format_func=lambda name: CLOSING_RULES[name].label,
            key="cfg_close_rule",
            horizontal=True,
        )
        entry_rules = ("vwap", "typical", "range")
        _seed("cfg_entry_rule", preset.entry_rule, allowed=entry_rules)
        entry_rule = st.radio(
            "Entry price",
            entry_rules,
            format_func={"vwap": "VWAP", "typical": "(H+L+C)/3", "range": "spread over bar"}.get,
            key="cfg_entry_rule",
            horizontal=True,
        )
        entry_width = preset.entry_width
        if entry_rule == "range":
            _seed("cfg_entry_width", round(100 * preset.entry_width), parse=int, allowed=range(5, 101, 5))
            entry_width = (
                st.slider(
                    "Entry spread (% of the bar's range)",
                    5,
                    100,
                    step=5,
                    key="cfg_entry_width",
                    format="%d %%",
                    help="How much of each bar's low-to-high range, around its middle, new positions open over.",
                )
                / 100
            )
        _seed("cfg_bin_mode", True, parse=_truthy)
        auto_bins = st.toggle("Automatic price-bin size", key="cfg_bin_mode")
        bin_size = None
        if not auto_bins:
            _seed("cfg_bin_size", 50.0, parse=float)
            if not st.session_state["cfg_bin_size"] > 0:
                st.session_state["cfg_bin_size"] = 50.0
            bin_size = st.number_input(
                "Bin size (USD)",
                min_value=0.0001,
                format="%g",
                key="cfg_bin_size",
                help="Height of one heatmap row. Very small bins on a wide range are widened to keep the map fast.",
            )
        config = preset.with_changes(
            long_weights=long_weights,
            short_weights=short_weights,
            decay_half_life_hours=half_life,
            close_rule=close_rule,
            entry_rule=entry_rule,
            entry_width=entry_width,
            same_bar_liquidations=same_bar,
            turnover_per_hour=turnover / 100,
            bin_size=bin_size,
        )
        st.caption("**In words**  \n" + "  \n".join(config.describe()))
    return config
