"""The sidebar's model section: a preset and an 'Assumptions' expander that edits the model's key inputs."""

from __future__ import annotations

import streamlit as st

from liqcore.config import ModelConfig
from pages.components import view_state

PRESETS = ("conservative", "balanced", "aggressive")
VIEW_KEYS = ["preset"]


def choose_config() -> ModelConfig:
    """Preset plus user edits, as one hashable ModelConfig."""
    view_state.restore("preset", "balanced", allowed=PRESETS)
    preset = st.selectbox(
        "Model preset",
        PRESETS,
        key="preset",
        format_func=str.capitalize,
        help="How leveraged the crowd is assumed to be. Balanced is the default.",
    )
    return ModelConfig.preset(preset)
