"""Heatmap and profile chart specs: layers, encodings, x-only zoom, units in titles, truth-free profile."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest

import liqcore as lc
from liqcore.cells import candles, heat_cells
from liqcore.charts.heatmap import HEAT_SCHEMES, heatmap_chart, profile_chart
from liqcore.profile import Profile


@pytest.fixture(scope="module")
def parts() -> tuple[pd.DataFrame, pd.DataFrame, lc.Heatmap]:
    sim = lc.simulate("range", seed=0, bars=600)
    heatmap = lc.estimate(sim.market, lc.ModelConfig(), columns=120)
    return heat_cells(heatmap), candles(sim.market), heatmap


def spec(chart: alt.TopLevelMixin) -> dict:
    with alt.data_transformers.disable_max_rows():
        return chart.to_dict()


def test_heatmap_layers_heat_under_candles_with_price_rule_and_x_zoom(parts) -> None:
    cells, bars, heatmap = parts
    out = spec(heatmap_chart(cells, bars, float(heatmap.close[-1])))
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in out["layer"]]
    assert marks == ["rect", "rule", "bar", "rule", "text"]
    heat = out["layer"][0]["encoding"]
    assert heat["x"]["field"] == "t0" and heat["x2"]["field"] == "t1" and heat["x"]["type"] == "temporal"
    assert heat["y"]["field"] == "p0" and heat["y2"]["field"] == "p1" and heat["y"]["type"] == "quantitative"
    assert heat["x"]["axis"]["title"] == "Time (UTC)" and heat["y"]["title"] == "Price (USD)"
    titles = {t["title"] for t in heat["tooltip"]}
    assert {"From (UTC)", "Price from (USD)", "Would liquidate", "Estimated notional (USD)", "Leverage mix"} <= titles
    zoom = [p for p in out["params"] if p.get("bind") == "scales"]
    assert len(zoom) == 1 and zoom[0]["select"]["encodings"] == ["x"]
    assert any(f"Last {heatmap.close[-1]:,.1f}" in str(d) for d in out["datasets"].values())


def test_heat_colours_follow_the_theme(parts) -> None:
    cells, bars, heatmap = parts
    for theme, scheme in HEAT_SCHEMES.items():
        out = spec(heatmap_chart(cells, bars, float(heatmap.close[-1]), theme=theme))
        assert out["layer"][0]["encoding"]["color"]["scale"]["scheme"] == scheme


def test_chart_draws_with_no_cells(parts) -> None:
    cells, bars, heatmap = parts
    out = spec(heatmap_chart(cells.iloc[0:0], bars, float(heatmap.close[-1])))
    domain = out["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert domain[0] < bars["low"].min() and domain[1] > bars["high"].max()


def test_profile_chart_has_bars_curves_and_price_marker() -> None:
    edges = np.arange(90.0, 111.0)
    long = np.where(edges[:-1] < 100, 5.0, 0.0)
    short = np.where(edges[:-1] >= 100, 3.0, 0.0)
    profile = Profile(pd.Timestamp("2026-01-01", tz="UTC"), 100.0, edges, long, short)
    out = spec(profile_chart(profile, "Estimated"))
    marks = [layer["mark"]["type"] for layer in out["layer"]]
    assert marks == ["bar", "line", "rule"]
    assert out["title"]["text"] == "Estimated"
    assert "USD" in out["layer"][0]["encoding"]["x"]["title"]
    assert out["resolve"]["scale"]["x"] == "independent"
