"""Volatility page: renders on the app's default (simulator) data with its regime, expected move and scoring."""

from __future__ import annotations

from conftest import run_page


def test_volatility_page_renders_regime_move_scores_and_verdict() -> None:
    at = run_page("pages/volatility.py")
    assert not at.exception
    assert at.title[0].value.startswith("Volatility")
    labels = [metric.label for metric in at.metric]
    assert labels[0] == "Regime (estimate)" and labels[1].startswith("Expected move")
    assert at.metric[1].value.startswith("± $")
    table = at.dataframe[0].value
    assert list(table["model"]) == ["baseline (HAR on range)", "baseline + map pressure"]
    assert (table["scored bars (n)"] > 0).all()
    assert "scored bars" in at.info[0].value or "Too few" in at.info[0].value
    assert any("Not financial advice" in caption.value for caption in at.caption)

    at.slider(key="vol_horizon").set_value(24).run()
    assert not at.exception
    assert at.metric[1].label == "Expected move, next 24 bars (estimate)"
