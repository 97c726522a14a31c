"""The frame (streamlit_app.py) under Streamlit's AppTest: default view, sidebar, query parameters."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def _run(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _sidebar_select(at: AppTest, label: str):
    return next(w for w in at.sidebar.selectbox if w.label == label)


def test_default_view_is_the_simulator_heatmap_with_its_dataset_described() -> None:
    at = _run()
    assert not at.exception
    assert _sidebar_select(at, "Scenario").value == "short_squeeze"
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Simulator" in captions and "UTC" in captions
    assert "open interest" in captions
    analysis = at.session_state["analysis"]
    assert analysis.heatmap.long.shape[0] > 0


def test_query_parameters_restore_the_sidebar() -> None:
    at = _run({"src": "sim", "scenario": "long_cascade", "seed": "3", "window": "3d", "preset": "aggressive"})
    assert not at.exception
    assert _sidebar_select(at, "Scenario").value == "long_cascade"
    assert at.sidebar.number_input[0].value == 3
    assert _sidebar_select(at, "Window shown").value == "3d"
    assert _sidebar_select(at, "Model preset").value == "aggressive"
    assert at.query_params["scenario"] == ["long_cascade"] or at.query_params["scenario"] == "long_cascade"


def test_an_old_link_with_lookback_still_opens_its_window_and_is_rewritten_as_window() -> None:
    at = _run({"src": "sim", "lookback": "3d"})
    assert not at.exception
    assert _sidebar_select(at, "Window shown").value == "3d"
    analysis = at.session_state["analysis"]
    assert analysis.window == pd.Timedelta("3D")
    assert at.query_params["window"] in ("3d", ["3d"]) and "lookback" not in at.query_params
    assert not at.toast  # the old name is understood, not reported as ignored


@pytest.mark.parametrize(
    "query",
    [
        {"scenario": "nope", "seed": "-4", "window": "17y", "preset": "yolo"},
        {"scenario": "nope", "seed": "-4", "lookback": "17y", "preset": "yolo"},
    ],
)
def test_invalid_query_parameters_fall_back_to_defaults(query: dict[str, str]) -> None:
    at = _run(query)
    assert not at.exception
    assert _sidebar_select(at, "Scenario").value == "short_squeeze"
    assert _sidebar_select(at, "Window shown").value == "all"
    assert _sidebar_select(at, "Model preset").value == "balanced"
    told = " ".join(t.value for t in at.toast)
    assert ("window" if "window" in query else "lookback") in told  # the link's own name for the bad value


def test_preset_and_window_choices_change_the_estimate() -> None:
    # AppTest drops sidebar elements from its tree after a rerun under st.navigation, so each view is a fresh run.
    first = _run().session_state["analysis"]
    second = _run({"preset": "aggressive"}).session_state["analysis"]
    assert second.key != first.key
    assert second.heatmap.config.leverage_tiers != first.heatmap.config.leverage_tiers
    third = _run({"window": "1d"}).session_state["analysis"]
    assert (third.market.end - third.market.start).total_seconds() <= 86_400
    assert third.heatmap.times[0] >= third.market.start


def test_heatmap_page_shows_chart_profile_clusters_and_downloads() -> None:
    at = _run()
    assert not at.exception
    assert at.title[0].value == "Liquidation heatmap"
    assert len(at.get("vega_lite_chart")) >= 2
    assert len(at.dataframe) == 1  # the clusters: the fakeout scanner (and its truth table) is another section
    assert any("liquidated on the way" in m.label for m in at.metric)
    toggle = next(t for t in at.toggle if "true book" in t.label)
    toggle.set_value(True).run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) >= 3


def test_prices_without_volume_or_open_interest_give_an_error_box_not_a_traceback() -> None:
    script = """
import numpy as np
import pandas as pd
import streamlit as st
from liqcore.config import ModelConfig
from liqcore.market import Market
from pages.components.session import analyse_or_stop

times = pd.date_range("2026-01-01", periods=120, freq="5min", tz="UTC")
price = 60_000 + np.arange(120.0)
bars = pd.DataFrame({"open": price, "high": price + 5, "low": price - 5, "close": price}, index=times)
analyse_or_stop(Market(bars, "TESTUSDT", "5m", "prices.csv"), "all", ModelConfig.preset("balanced"))
st.write("not reached")
"""
    at = AppTest.from_string(script, default_timeout=60).run()
    assert not at.exception
    assert len(at.error) == 1
    assert "prices.csv" in at.error[0].value and "'volume'" in at.error[0].value
    assert not any(m.value == "not reached" for m in at.markdown)
