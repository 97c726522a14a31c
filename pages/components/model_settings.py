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
from pages.components.lazy import keep_alive

VIEW_KEYS = ["preset"]
_EDIT_PREFIX = "cfg_"
_EDITED = "_cfg_edited"  # assumption keys whose value differs from the preset's, for the share link
OPEN_KEY = "assumptions_open"  # whether the Assumptions expander is open (not `cfg_`: a new preset keeps it)
ENTRY_RULES = ("vwap", "typical", "range")


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


def _leverage_defaults(preset: ModelConfig) -> dict[str, int]:
    """Each leverage tier's share slider key and its preset value, in percent."""
    total = sum(preset.long_weights)
    tiers = zip(preset.leverage_tiers, preset.long_weights, strict=True)
    return {f"cfg_lev_{tier:g}": round(100 * weight / total) for tier, weight in tiers}


def _assumptions(preset: ModelConfig) -> dict[str, object]:
    """Seed every assumption that applies (from the link once per session, else from the preset) and return the
    current values, whether or not the editors are drawn: the map follows the edits with the expander closed too."""
    applied: list[str] = []

    def seed(key: str, default: object, parse=str, allowed=None) -> object:
        _seed(key, default, parse=parse, allowed=allowed)
        applied.append(key)
        return st.session_state[key]

    for key, default in _leverage_defaults(preset).items():
        seed(key, default, parse=int, allowed=range(0, 101))
    if seed("cfg_decay_on", preset.decay_half_life_hours is not None, parse=_truthy):
        seed("cfg_decay_hours", int(preset.decay_half_life_hours or 72), parse=int, allowed=range(6, 337, 6))
    seed("cfg_turnover", round(100 * preset.turnover_per_hour, 1), parse=float)
    seed("cfg_same_bar", preset.same_bar_liquidations, parse=_truthy)
    seed("cfg_close_rule", preset.close_rule, allowed=tuple(CLOSING_RULES))
    if seed("cfg_entry_rule", preset.entry_rule, allowed=ENTRY_RULES) == "range":
        seed("cfg_entry_width", round(100 * preset.entry_width), parse=int, allowed=range(5, 101, 5))
    if not seed("cfg_bin_mode", True, parse=_truthy) and not seed("cfg_bin_size", 50.0, parse=float) > 0:
        st.session_state["cfg_bin_size"] = 50.0
    return {key: st.session_state[key] for key in applied}


def _leverage_weights(preset: ModelConfig, values: dict[str, object]) -> tuple[float, ...] | None:
    """The edited mix (same for longs and shorts), or None for the preset's own: untouched, or all zero."""
    defaults = _leverage_defaults(preset)
    weights = [values[key] for key in defaults]
    if weights == list(defaults.values()) or sum(weights) == 0:
        return None
    return tuple(float(w) for w in weights)


def _config(preset: ModelConfig, values: dict[str, object]) -> ModelConfig:
    """The preset with the assumption values applied (an untouched mix maps exactly what `analyse` does for it)."""
    mix = _leverage_weights(preset, values)
    entry_width = preset.entry_width
    if values["cfg_entry_rule"] == "range":
        entry_width = values["cfg_entry_width"] / 100
    return preset.with_changes(
        long_weights=preset.long_weights if mix is None else mix,
        short_weights=preset.short_weights if mix is None else mix,
        decay_half_life_hours=float(values["cfg_decay_hours"]) if values["cfg_decay_on"] else None,
        close_rule=values["cfg_close_rule"],
        entry_rule=values["cfg_entry_rule"],
        entry_width=entry_width,
        same_bar_liquidations=values["cfg_same_bar"],
        turnover_per_hour=values["cfg_turnover"] / 100,
        bin_size=None if values["cfg_bin_mode"] else values["cfg_bin_size"],
    )


def _editors(preset: ModelConfig) -> None:
    """The assumption widgets, each on the key `_assumptions` seeded (so each shows the value the map uses)."""
    st.caption("Share of new positions at each leverage (normalised to 100 %)")
    for tier, key in zip(preset.leverage_tiers, _leverage_defaults(preset), strict=True):
        st.slider(f"{tier:g}x leverage", 0, 100, step=1, key=key, format="%d %%")
    if st.toggle("Positions fade with time", key="cfg_decay_on"):
        st.slider(
            "Half-life (hours)",
            6,
            336,
            step=6,
            key="cfg_decay_hours",
            help="After this long, half of a position is assumed closed even if open interest did not say so.",
        )
    st.slider(
        "Turnover (% of positions per hour)",
        0.0,
        20.0,
        step=0.5,
        key="cfg_turnover",
        help="Positions that close and reopen at the bar's prices each hour, on top of what open interest shows. "
        "Without it, levels price has crossed stay empty.",
    )
    st.toggle(
        "New positions can be liquidated in the bar they open in",
        key="cfg_same_bar",
        help="Shorts who sold a drop squeezed by the bounce off its low, longs who bought a spike flushed by the "
        "pullback, inside the same bar. Off in every preset (README, 'Honest numbers').",
    )
    st.radio(
        "When open interest falls",
        tuple(CLOSING_RULES),
        format_func=lambda name: CLOSING_RULES[name].label,
        key="cfg_close_rule",
        horizontal=True,
    )
    entry_rule = st.radio(
        "Entry price",
        ENTRY_RULES,
        format_func={"vwap": "VWAP", "typical": "(H+L+C)/3", "range": "spread over bar"}.get,
        key="cfg_entry_rule",
        horizontal=True,
    )
    if entry_rule == "range":
        st.slider(
            "Entry spread (% of the bar's range)",
            5,
            100,
            step=5,
            key="cfg_entry_width",
            format="%d %%",
            help="How much of each bar's low-to-high range, around its middle, new positions open over.",
        )
    if not st.toggle("Automatic price-bin size", key="cfg_bin_mode"):
        st.number_input(
            "Bin size (USD)",
            min_value=0.0001,
            format="%g",
            key="cfg_bin_size",
            help="Height of one heatmap row. Very small bins on a wide range are widened to keep the map fast.",
        )


def choose_config(market: Market | None = None) -> ModelConfig:
    """Preset plus user edits, as one hashable ModelConfig; or the calibrated model while the user uses it.

    `market` is the loaded data, re-fitted on when a link says the calibrated model is in use. The Assumptions
    expander draws its editors only while open (a first-time visitor's page has a dozen fewer elements to render
    before the map); a link with edited assumptions opens it."""
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
    first_run = _EDITED not in st.session_state
    values = _assumptions(preset)
    if first_run and any(st.session_state[_EDITED].values()):
        st.session_state[OPEN_KEY] = True  # a shared link with edits shows them
    config = _config(preset, values)
    with st.expander("Assumptions", icon=":material/tune:", key=OPEN_KEY, on_change="rerun") as box:
        if box.open:
            _editors(preset)
            st.caption("**In words**  \n" + "  \n".join(config.describe()))
        else:
            keep_alive(values)
    if sum(values[key] for key in _leverage_defaults(preset)) == 0:
        st.warning("All leverage shares are zero; using the preset's mix.")
    return config
