"""Heatmap and profile chart specs: layers, encodings, x-only zoom, units in titles, truth-free profile."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest

import liqcore as lc
from liqcore.cells import candles, heat_cells
from liqcore.charts.heatmap import HEAT_SCALES, heatmap_chart, occupied_range, profile_chart
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
    assert {
        "From (UTC)",
        "To (UTC)",
        "Price from (USD)",
        "Would liquidate",
        "Estimated notional (USD)",
        "Leverage mix",
    } <= titles
    zoom = [p for p in out["params"] if p.get("bind") == "scales"]
    assert len(zoom) == 1 and zoom[0]["select"]["encodings"] == ["x"]
    assert any(f"Last {heatmap.close[-1]:,.1f}" in str(d) for d in out["datasets"].values())


def test_heat_colours_follow_the_theme(parts) -> None:
    cells, bars, heatmap = parts
    for theme, colours in HEAT_SCALES.items():
        out = spec(heatmap_chart(cells, bars, float(heatmap.close[-1]), theme=theme))
        scale = out["layer"][0]["encoding"]["color"]["scale"]
        assert {k: scale[k] for k in colours} == colours
        assert scale["domain"][0] == 0 and scale["domain"][-1] == 1


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


def test_light_theme_fades_faint_cells_into_the_page_with_one_gradient_legend(parts) -> None:
    cells, bars, heatmap = parts
    light = spec(heatmap_chart(cells, bars, float(heatmap.close[-1]), theme="light"))["layer"][0]["encoding"]
    assert light["color"]["scale"]["range"][0] == "#ffffff"  # the faintest cell is the page's white
    assert light["color"]["legend"]["type"] == "gradient" and "opacity" not in light


def test_profile_bars_are_merged_to_readable_rows_without_losing_usd_or_straddling_price() -> None:
    edges = np.arange(0.0, 1001.0)
    rng = np.random.default_rng(3)
    long = np.where(edges[:-1] < 500.5, rng.random(1000), 0.0)
    short = np.where(edges[:-1] >= 500.5, rng.random(1000), 0.0)
    profile = Profile(pd.Timestamp("2026-01-01", tz="UTC"), 500.5, edges, long, short)
    out = spec(profile_chart(profile, "Estimated", max_rows=100))
    rows = pd.DataFrame(out["datasets"][out["layer"][0]["data"]["name"]])
    assert rows.groupby("side")["p0"].nunique().sum() <= 2 * 101
    assert rows.loc[rows["side"] == "long", "usd"].sum() == pytest.approx(long.sum())
    assert rows.loc[rows["side"] == "short", "usd"].sum() == pytest.approx(short.sum())
    straddles = (rows["p0"] < 500.5) & (rows["p1"] > 500.5)
    assert rows.loc[straddles, "p0"].nunique() <= 1  # only the bin that holds the price itself
    assert out["layer"][0]["encoding"]["x"]["stack"] is None


def test_side_by_side_profiles_share_one_price_axis() -> None:
    edges = np.arange(90.0, 111.0)
    at = pd.Timestamp("2026-01-01", tz="UTC")
    narrow = Profile(at, 100.0, edges, np.where(edges[:-1] == 98, 5.0, 0.0), np.zeros(20))
    wide = Profile(at, 100.0, edges, np.where(edges[:-1] == 91, 5.0, 0.0), np.where(edges[:-1] == 107, 1.0, 0.0))
    assert occupied_range(narrow, wide) == (91.0, 108.0)
    assert occupied_range(Profile(at, 100.0, edges, np.zeros(20), np.zeros(20))) == (100.0, 100.0)
    domains = [
        spec(profile_chart(p, "x", price_range=occupied_range(narrow, wide)))["layer"][0]["encoding"]["y"]["scale"]
        for p in (narrow, wide)
    ]
    assert domains[0] == domains[1]
