"""Page widgets under AppTest: changing a widget changes what the page computes, not only its labels."""

from __future__ import annotations

import re

import numpy as np
from conftest import APP, run_page
from streamlit.testing.v1 import AppTest

from liqcore import ModelConfig
from liqcore.sentiment import SentimentConfig, balance_series


def test_volatility_horizon_sets_the_forecast_horizon_of_the_scores() -> None:
    at = run_page("pages/volatility.py")
    at.slider(key="vol_horizon").set_value(24).run()
    assert not at.exception
    # Windows of 24 bars, not of the default 12: the count of non-overlapping windows follows the horizon.
    counts = re.search(r"n = (\d+) scored bars, (\d+) non-overlapping 24-bar windows", at.info[0].value)
    assert counts and int(counts.group(2)) == int(counts.group(1)) // 24 > 0
    assert at.metric[1].label == "Expected move, next 24 bars (estimate)"


def test_sentiment_settings_are_drawn_only_while_open_and_keep_driving_the_reading_closed() -> None:
    at = run_page("pages/sentiment.py")
    analysis = at.session_state["analysis"]

    def reading_for(config: SentimentConfig) -> str:
        now = balance_series(analysis.heatmap, analysis.market, config).iloc[-1]
        return f"balance {now['balance']:+.2f}"

    pct, atr = reading_for(SentimentConfig("pct", 3.0)), reading_for(SentimentConfig("atr", 10.0))
    assert pct != atr  # the default data tells the two windows apart
    assert at.metric[0].delta == pct
    assert not at.main.radio and not at.main.slider and not at.main.toggle  # closed on a first visit: none is sent
    [box] = [e for e in at.expander if e.label.startswith("Window and thresholds")]
    assert "±3 % (nearer counts more)" in box.label
    at.session_state["snt_settings_open"] = True
    at.run()
    at.radio(key="snt_window").set_value("atr").run()
    assert not at.exception
    assert at.metric[0].delta == atr
    assert at.slider(key="snt_size_atr").label == "Window size (× ATR)"
    assert at.session_state["snt_settings_open"]  # the label changed with the window; the box stayed open
    at.session_state["snt_settings_open"] = False
    at.run()
    at.run()  # a second closed run: Streamlit forgets an undrawn widget's value at the end of the first
    assert not at.exception and not at.main.radio and not at.main.slider
    assert at.metric[0].delta == atr  # the closed box's choice still drives the reading
    assert "±10 × ATR" in next(e.label for e in at.expander if e.label.startswith("Window and thresholds"))
    at.session_state["snt_settings_open"] = True
    at.run()
    assert at.radio(key="snt_window").value == "atr" and at.slider(key="snt_size_atr").value == 10.0


def _frame_with(**widgets: str) -> AppTest:
    """The app's first run with sidebar widgets already set (as a user's earlier click leaves them)."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in widgets.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    return at


def test_close_and_entry_rule_radios_change_the_model_the_map_is_built_with() -> None:
    before = _frame_with().session_state["analysis"].heatmap
    default = ModelConfig()
    assert (before.config.close_rule, before.config.entry_rule) == (default.close_rule, default.entry_rule)
    close_rule = next(rule for rule in ("oldest_first", "pro_rata") if rule != default.close_rule)
    entry_rule = next(rule for rule in ("typical", "vwap") if rule != default.entry_rule)
    at = _frame_with(cfg_close_rule=close_rule, cfg_entry_rule=entry_rule)
    assert at.radio(key="cfg_close_rule").value == close_rule
    changed = at.session_state["analysis"].heatmap
    assert (changed.config.close_rule, changed.config.entry_rule) == (close_rule, entry_rule)
    assert not np.allclose(changed.long, before.long)  # a different book, not only a different label
    assert changed.config.describe() != before.config.describe()


def test_same_bar_toggle_and_entry_spread_slider_change_the_model_the_map_is_built_with() -> None:
    default = ModelConfig()
    assert not default.same_bar_liquidations and default.entry_rule == "range"
    width = next(w for w in (100, 25) if w != round(100 * default.entry_width))
    at = _frame_with(cfg_same_bar=True, cfg_entry_width=width)
    assert at.toggle(key="cfg_same_bar").value is True and at.slider(key="cfg_entry_width").value == width
    analysis = at.session_state["analysis"]
    config = analysis.heatmap.config
    assert config.same_bar_liquidations and config.entry_width == width / 100
    # Each control changes the book, not only the words: the map without that one edit differs.
    without_same_bar = analysis.with_config(config.with_changes(same_bar_liquidations=False)).heatmap
    assert not np.allclose(analysis.heatmap.implied.to_numpy(), without_same_bar.implied.to_numpy())
    without_width = analysis.with_config(config.with_changes(entry_width=default.entry_width)).heatmap
    assert not np.allclose(analysis.heatmap.long, without_width.long)
    assert any("bar they open in" in line for line in config.describe())
