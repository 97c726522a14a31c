"""Heat cells and candles: bounded mark count whatever the grid, USD conserved by the merging, contrast controls."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from liqcore.cells import candles, heat_cells
from liqcore.config import ModelConfig
from liqcore.heatmap import Heatmap
from liqcore.market import Market


def grid(columns: int, bins: int, seed: int = 0, tiers: bool = False) -> Heatmap:
    rng = np.random.default_rng(seed)
    times = pd.date_range("2026-01-01", periods=columns, freq="5min", tz="UTC")
    long = rng.exponential(1000.0, (columns, bins)) * (rng.random((columns, bins)) < 0.7)
    short = rng.exponential(500.0, (columns, bins)) * (rng.random((columns, bins)) < 0.7)
    config = ModelConfig()
    by_tier = None
    if tiers:
        weights = np.asarray(config.long_weights) / sum(config.long_weights)
        by_tier = weights[:, None, None] * long[None]
    return Heatmap(
        times=times,
        price_edges=np.linspace(90.0, 110.0, bins + 1),
        long=long,
        short=short,
        implied=pd.DataFrame({"long_usd": np.zeros(columns), "short_usd": np.zeros(columns)}, index=times),
        close=np.full(columns, 100.0),
        config=config,
        driver="open interest",
        long_by_tier=by_tier,
        short_by_tier=by_tier,
    )


def time_weighted_usd(cells: pd.DataFrame, side: str) -> float:
    part = cells[cells["side"] == side]
    return float((part["usd"] * (part["t1"] - part["t0"]).dt.total_seconds()).sum())


@pytest.mark.parametrize("columns,bins", [(20, 30), (600, 400), (1500, 90)])
def test_marks_stay_under_the_budget_and_usd_is_conserved(columns: int, bins: int) -> None:
    heatmap = grid(columns, bins)
    cells = heat_cells(heatmap, max_marks=3000, scale="linear")
    assert 0 < len(cells) <= 3000
    seconds = 300.0
    for side in ("long", "short"):
        expected = getattr(heatmap, side).sum() * seconds
        assert time_weighted_usd(cells, side) == pytest.approx(expected, rel=1e-9)
    assert cells["p0"].min() == 90.0 and cells["p1"].max() == pytest.approx(110.0)
    assert (cells["t1"] > cells["t0"]).all() and (cells["p1"] > cells["p0"]).all()


@pytest.mark.parametrize("unit", ["ns", "us", "s"])  # pandas 3 defaults to "us": times must not land in 1970
def test_small_grid_is_drawn_cell_for_cell(unit: str) -> None:
    base = grid(6, 5)
    heatmap = replace(
        base, times=base.times.as_unit(unit), implied=base.implied.set_axis(base.implied.index.as_unit(unit))
    )
    cells = heat_cells(heatmap, side="long", scale="linear")
    assert len(cells) == np.count_nonzero(heatmap.long)
    assert set(cells["side"]) == {"long"}
    assert cells["usd"].max() == heatmap.long.max()
    assert cells["t0"].min() == heatmap.times[0] and cells["t1"].max() == heatmap.times[-1] + pd.Timedelta("5min")


def test_scales_map_usd_to_intensity_between_zero_and_one() -> None:
    heatmap = grid(40, 30)
    linear = heat_cells(heatmap, scale="linear")
    log = heat_cells(heatmap, scale="log")
    pct = heat_cells(heatmap, scale="percentile")
    for cells in (linear, log, pct):
        assert cells["intensity"].between(0, 1).all() and cells["intensity"].max() == pytest.approx(1.0)
    assert log["intensity"].median() > linear["intensity"].median()
    assert pct["intensity"].median() == pytest.approx(0.5, abs=0.01)
    with pytest.raises(ValueError, match="scale"):
        heat_cells(heatmap, scale="cubic")


def test_threshold_hides_faint_cells() -> None:
    heatmap = grid(40, 30)
    every = heat_cells(heatmap, scale="percentile")
    bright = heat_cells(heatmap, scale="percentile", threshold=0.5)
    assert (bright["intensity"] >= 0.5).all()
    assert len(bright) == pytest.approx(len(every) / 2, abs=2)


def test_tier_shares_are_listed_when_the_map_has_them() -> None:
    cells = heat_cells(grid(10, 10, tiers=True), side="long")
    assert "tiers" in cells.columns
    config = ModelConfig()
    share = config.long_weights[0] / sum(config.long_weights)
    assert cells["tiers"].iloc[0].startswith(f"{config.leverage_tiers[0]:g}x {share:.0%}")
    assert "tiers" not in heat_cells(grid(10, 10), side="long").columns


def test_empty_map_gives_no_cells() -> None:
    heatmap = grid(5, 5)
    empty = Heatmap(**{**heatmap.__dict__, "long": np.zeros((5, 5)), "short": np.zeros((5, 5))})
    assert heat_cells(empty).empty


def test_candles_are_resampled_to_the_cap_with_true_extremes() -> None:
    index = pd.date_range("2026-01-01", periods=1000, freq="1min", tz="UTC")
    close = 100 + np.cumsum(np.random.default_rng(1).normal(0, 0.2, 1000))
    bars = pd.DataFrame({"open": close - 0.05, "high": close + 0.3, "low": close - 0.3, "close": close}, index=index)
    market = Market(bars, "TEST", pd.Timedelta("1min"), "test", ())
    out = candles(market, max_candles=100)
    assert len(out) == 100
    assert out["high"].max() == pytest.approx(bars["high"].max())
    assert out["low"].min() == pytest.approx(bars["low"].min())
    assert out["open"].iloc[0] == bars["open"].iloc[0] and out["close"].iloc[-1] == bars["close"].iloc[-1]
    assert (out["t1"] - out["time"] == pd.Timedelta("10min")).all()
    assert out["up"].tolist() == (out["close"] >= out["open"]).tolist()


def test_last_snapshot_ends_one_bar_after_it_on_a_real_estimate() -> None:
    import liqcore as lc

    sim = lc.simulate("range", seed=1, bars=500)
    heatmap = lc.estimate(sim.market, lc.ModelConfig(), columns=50)
    cells = heat_cells(heatmap)
    assert cells["t1"].max() == sim.market.bars.index[-1] + sim.market.interval  # the data ends here
    assert cells["t0"].min() >= sim.market.start
    assert len(cells) <= 8000
