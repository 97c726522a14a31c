"""Volatility page: renders on the app's default (simulator) data with its regime, expected move and scoring."""

from __future__ import annotations

import re

import pandas as pd
from conftest import run_page


def _opening(table: pd.DataFrame) -> str:
    """The verdict's opening that the table's two error measures call for (each counts beyond ±1 %)."""
    changes = [100 * (1 - table[column].iloc[1] / table[column].iloc[0]) for column in ("MAE, log range", "QLIKE")]
    better, worse = any(c > 1 for c in changes), any(c < -1 for c in changes)
    if better and worse:
        return "No clear edge"
    if better:
        return "The map improved the forecast"
    return "The map made the forecast worse" if worse else "No edge found"


def test_volatility_page_renders_regime_move_scores_and_verdict() -> None:
    at = run_page("pages/volatility.py")
    assert not at.exception
    assert at.title[0].value.startswith("Volatility")
    labels = [metric.label for metric in at.metric]
    assert labels[0] == "Regime (estimate)" and labels[1].startswith("Expected move")
    assert at.metric[1].value.startswith("± $")
    table = at.dataframe[0].value
    assert list(table["model"]) == ["baseline (HAR on range)", "baseline + map pressure"]
    assert list(table.columns) == ["model", "MAE, log range", "QLIKE"]  # the counts are in the verdict
    scored = int(re.search(r"\(n = (\d+) scored bars", at.info[0].value).group(1))
    assert scored >= 50  # two weeks of 5-minute bars: enough to judge, so the verdict must not be "Too few"
    assert at.info[0].value.endswith(f"(n = {scored} scored bars, {scored // 12} non-overlapping 12-bar windows).")
    assert at.info[0].value.startswith(_opening(table))
    assert any("Not financial advice" in caption.value for caption in at.caption)

    at.slider(key="vol_horizon").set_value(24).run()
    assert not at.exception
    assert at.metric[1].label == "Expected move, next 24 bars (estimate)"
