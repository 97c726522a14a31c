"""Validation scores: correlations on known relations, partial correlation, location score, CLI and page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_market, run_page

from liqcore import ModelConfig, estimate, simulate
from liqcore.charts.validation import implied_vs_realised
from liqcore.config import PRESET_NAMES
from liqcore.heatmap import Heatmap
from liqcore.market import Market
from liqcore.profile import Profile
from liqcore.validate import compare_presets
from liqcore.validate import main as validate_main
from liqcore.validation import (
    held_out,
    held_out_implied,
    implied_on_bars,
    location_score,
    partial_rank_correlation,
    score,
    spearman,
)
from pages.components.cache import cached
from tests.test_chart_titles import lines_too_long_for_a_phone

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


def test_partial_correlation_removes_what_the_control_explains() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=2000)
    x = z + rng.normal(scale=0.1, size=2000)
    y = z + rng.normal(scale=0.1, size=2000)
    assert partial_rank_correlation(x, y, z) == pytest.approx(0, abs=0.1)
    own = rng.normal(size=2000)
    assert partial_rank_correlation(own + z, own + 0.5 * rng.normal(size=2000), z) > 0.5


def _implied_only(implied: pd.DataFrame) -> Heatmap:
    """A heatmap that carries only implied liquidations per bar (one empty snapshot)."""
    one = np.zeros((1, 1))
    return Heatmap(
        implied.index[-1:], np.array([0.0, 1.0]), one, one, implied, np.array([1.0]), ModelConfig(), "open interest"
    )


def _market_with_realised(implied_long: np.ndarray, noise: float) -> tuple[object, Heatmap]:
    n = len(implied_long)
    rng = np.random.default_rng(1)
    market = make_market(100 + rng.normal(0, 0.5, n).cumsum(), spread=0.01)
    bars = market.bars.copy()
    bars["liq_long_usd"] = implied_long * np.exp(rng.normal(0, noise, n))
    bars["liq_short_usd"] = rng.uniform(0, 1, n)
    market = type(market)(bars, "X")
    implied = pd.DataFrame({"long_usd": implied_long, "short_usd": rng.uniform(0, 1, n)}, index=bars.index)
    return market, _implied_only(implied)


def test_a_map_that_knows_the_answer_scores_high_and_noise_scores_near_zero() -> None:
    rng = np.random.default_rng(2)
    market, hm = _market_with_realised(rng.uniform(1, 100, 600), noise=0.05)
    report = score(market, hm, warmup=10)
    long, short = report.sides
    assert long.map_rho > 0.9 and long.partial_rho > 0.8 and long.n == 590
    assert abs(short.map_rho) < 0.15
    assert "adds to the candle" in report.verdict and "no better" in report.verdict


def test_location_score_rewards_the_right_bins() -> None:
    edges = np.arange(90.0, 111.0)
    truth = Profile(pd.Timestamp("2026-01-01", tz="UTC"), 100.0, edges, np.eye(20)[3] * 10, np.eye(20)[15] * 10)
    right = Profile(truth.time, 100.0, edges, np.eye(20)[3], np.eye(20)[15])
    wrong = Profile(truth.time, 100.0, edges, np.eye(20)[8], np.eye(20)[11])
    good, bad = location_score([(right, truth)]), location_score([(wrong, truth)])
    assert good[0].truth_in_estimate_dense == 1 and bad[0].truth_in_estimate_dense == 0
    assert good[0].truth_in_nearest == 0  # the true cluster is not next to price


def test_the_distance_baseline_takes_no_bin_centred_on_the_price_for_either_side() -> None:
    # Price sits on the centre of bin 10: that bin is neither below (longs) nor above (shorts) it, so the one bin
    # "nearest to price on that side" is bin 9 for longs and bin 11 for shorts, and both sides score alike.
    edges = np.arange(90.0, 111.0)
    at_price = np.eye(20)[10] * 10
    truth = Profile(pd.Timestamp("2026-01-01", tz="UTC"), 100.5, edges, at_price, at_price)
    estimate_far = Profile(truth.time, 100.5, edges, np.eye(20)[0], np.eye(20)[19])
    long, short = location_score([(estimate_far, truth)])
    assert long.truth_in_nearest == short.truth_in_nearest == 0
    beside = Profile(truth.time, 100.5, edges, np.eye(20)[9] * 10, np.eye(20)[11] * 10)
    long, short = location_score([(estimate_far, beside)])
    assert long.truth_in_nearest == short.truth_in_nearest == 1


def test_held_out_scores_only_the_bars_after_the_fit_share() -> None:
    # The map knows the answer on the later half only: the held-out table must see a perfect rank relation there,
    # while the whole span (noise in the first half) does not.
    rng = np.random.default_rng(3)
    n = 400
    implied_long = rng.uniform(1, 100, n)
    market, hm = _market_with_realised(implied_long, noise=0.0)
    bars = market.bars.copy()
    bars.iloc[: n // 2, bars.columns.get_loc("liq_long_usd")] = rng.uniform(1, 100, n // 2)
    market = type(market)(bars, "X")
    table = held_out(market, hm, fit_share=0.5, warmup=10)
    assert list(table.index) == ["long", "short"]
    assert (table["held-out bars"] == n - n // 2).all()
    long = table.loc["long"]
    assert long["map ρ"] == pytest.approx(1.0)
    assert score(market, hm, warmup=10).sides[0].map_rho < 0.8
    later = slice(n // 2, None)
    short_realised, short_implied = bars["liq_short_usd"].to_numpy()[later], hm.implied["short_usd"].to_numpy()[later]
    assert table.loc["short", "map ρ"] == pytest.approx(spearman(short_implied, short_realised))
    assert table.loc["short", "zero-implied bars"] == 0
    # the default warm-up is one day of 5-minute bars capped at a quarter of the data: here 100 bars, before the split
    assert (held_out(market, hm, fit_share=0.5)["held-out bars"] == n - n // 2).all()


def _fine_map(start: pd.Timestamp, bars: int) -> tuple[Market, Heatmap]:
    """5-minute candles from `start` with implied liquidations 1, 2, 3, ... (longs) and 10 × that (shorts)."""
    fine = make_market(np.full(bars, 100.0))
    fine = Market(fine.bars.set_axis(pd.date_range(start, periods=bars, freq="5min", tz="UTC")), "X")
    values = np.arange(1.0, bars + 1)
    implied = pd.DataFrame({"long_usd": values, "short_usd": 10 * values}, index=fine.bars.index)
    return fine, _implied_only(implied)


def test_a_finer_map_is_summed_onto_each_coarse_bar_it_wholly_covers_after_its_warm_up() -> None:
    coarse = make_market(np.full(20, 100.0), interval="30min")
    t0 = coarse.bars.index[0]
    # From 10 minutes into bar 0 to 20 minutes into bar 19; the one-day warm-up is capped at a quarter: 28 bars.
    fine, hm = _fine_map(t0 + pd.Timedelta("10min"), 114)
    out = implied_on_bars(fine, hm, coarse)
    first_scored = fine.bars.index[114 // 4]  # 10 + 28 × 5 = 150 min: bar 5 starts at 150 min, so it is whole
    for j, start in enumerate(coarse.bars.index):
        inside = (hm.implied.index >= start) & (hm.implied.index < start + pd.Timedelta("30min"))
        whole = inside.sum() == 6 and hm.implied.index[inside][0] >= first_scored
        expected = hm.implied["long_usd"][inside].sum() if whole else np.nan
        assert out["long_usd"].iloc[j] == pytest.approx(expected, nan_ok=True), j
    assert out["long_usd"].notna().sum() == 14  # bars 5 to 18
    assert (out["short_usd"] == 10 * out["long_usd"]).sum() == 14
    with pytest.raises(ValueError, match="whole parts"):
        implied_on_bars(make_market(np.full(30, 100.0), interval="7min"), hm, coarse)


def test_held_out_of_implied_skips_the_bars_without_a_finer_map() -> None:
    rng = np.random.default_rng(4)
    n = 200
    market, _ = _market_with_realised(rng.uniform(1, 100, n), noise=0.0)
    implied = pd.DataFrame(
        {"long_usd": market.bars["liq_long_usd"], "short_usd": rng.uniform(0, 1, n)}, index=market.bars.index
    )
    implied.iloc[150:170] = np.nan  # not covered: neither scored nor counted as zero
    table = held_out_implied(market, implied, fit_share=0.5, warmup=10)
    assert (table["held-out bars"] == n - n // 2 - 20).all()
    assert table.loc["long", "map ρ"] == pytest.approx(1.0) and table.loc["long", "zero-implied bars"] == 0


def test_held_out_counts_the_share_of_held_out_bars_whose_implied_is_zero() -> None:
    rng = np.random.default_rng(8)
    n = 200
    market, _ = _market_with_realised(rng.uniform(1, 100, n), noise=0.0)
    implied = pd.DataFrame({"long_usd": rng.uniform(2, 100, n), "short_usd": 1.0}, index=market.bars.index)
    implied.iloc[[5, 120, 130, 140, 150], 0] = 0.0  # one before the split, four of the 100 held-out bars
    table = held_out_implied(market, implied, fit_share=0.5, warmup=10)
    assert table.loc["long", "zero-implied bars"] == pytest.approx(4 / 100)
    assert table.loc["short", "zero-implied bars"] == 0  # every short bar implies exactly 1 USD: none is zero


def test_simulator_map_tracks_true_liquidations_better_than_candles() -> None:
    sim = simulate("range", 0)
    report = score(sim.market, estimate(sim.market, columns=2))
    assert all(s.map_rho > s.baseline_rho for s in report.sides)


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.exists(), reason="../shared/data/real is not beside the repo")
def test_cli_prints_the_table_for_a_real_file(capsys: pytest.CaptureFixture[str]) -> None:
    path = REAL / "cg_ismethanhtung" / "cg_btc_30m_price_liq_oi_funding_2026-05-21_2026-06-08.csv"
    assert validate_main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "partial" in out and "balanced" in out and "aggressive" in out and "828" in out


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.exists(), reason="../shared/data/real is not beside the repo")
def test_cli_scores_the_held_out_half_on_a_map_of_finer_candles(capsys: pytest.CaptureFixture[str]) -> None:
    folder = REAL / "cg_ismethanhtung"
    coarse = folder / "cg_btc_30m_price_liq_oi_funding_2026-05-21_2026-06-08.csv"
    fine = folder / "binance_btcusdt_perp_5m_price_oi_funding_2026-05-25_2026-06-08.csv"
    assert validate_main([str(coarse), "--held-out", "--map-candles", str(fine)]) == 0
    out = capsys.readouterr().out
    assert "Map on finer candles" in out and all(f"{name} (finer candles):" in out for name in PRESET_NAMES)


def test_cli_map_candles_needs_held_out(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        validate_main(["prices.csv", "--map-candles", "fine.csv"])
    assert "add --held-out" in capsys.readouterr().err


def test_cli_explains_a_file_without_liquidations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("time,open,high,low,close\n1700000000,1,2,0.5,1\n1700003600,1,2,0.5,1\n")
    assert validate_main([str(path)]) == 2
    assert "no realised liquidation" in capsys.readouterr().err


def test_validation_page_renders_on_the_simulator() -> None:
    at = run_page("pages/validation.py")
    assert not at.exception
    assert lines_too_long_for_a_phone(at.get("vega_lite_chart")) == []  # its two charts are titled
    assert len(at.dataframe) == 5  # scores, location, presets for longs and for shorts, truth versus estimate
    assert "candle" in at.info[0].value
    longs, shorts = at.dataframe[2].value, at.dataframe[3].value
    assert list(longs.index) == list(shorts.index) == ["conservative", "balanced", "aggressive"]
    assert list(longs.columns) == ["map ρ", "map given candle (partial ρ)", "hybrid ρ (held out)"]
    presets = cached(compare_presets, at.session_state["analysis"])  # what the page showed, from its cache
    aggressive_shorts = presets[(presets["preset"] == "aggressive") & (presets["side"] == "short")].iloc[0]
    assert shorts.loc["aggressive"].to_dict() == pytest.approx(aggressive_shorts[list(longs.columns)].to_dict())
    # the caption states one candle-only ρ per side: true only while it is the same under every preset
    assert (presets.groupby("side")[["candle-only ρ", "candle-only ρ (held out)", "bars scored"]].nunique() == 1).all(
        axis=None
    )
    caption = next(c.value for c in at.caption if c.value.startswith("Same bars for every preset (longs"))
    assert f"shorts ρ {aggressive_shorts['candle-only ρ']:.3f}" in caption
    assert f"{int(aggressive_shorts['bars scored']):,} scored" in caption


def test_chart_sums_bars_into_buckets_so_no_spike_is_dropped() -> None:
    times = pd.date_range("2026-01-01", periods=10, freq="5min", tz="UTC")
    bars = pd.DataFrame({"liq_long_usd": [0, 0, 0, 5e6, 0, 0, 0, 0, 0, 1e5]}, index=times)
    implied = pd.DataFrame({"long_usd": np.full(10, 1e4)}, index=times)
    spec = implied_vs_realised(implied, bars, "long", "true", max_points=4).to_dict()
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    true = data[data["series"] == "true"]["usd"].tolist()
    assert true == [0, 5e6, 0, 1e5]  # buckets of 3 bars (the last holds one): the 5M spike in bar 4 survives
    assert data[data["series"] == "implied by the map"]["usd"].sum() == pytest.approx(1e5)
    assert spec["encoding"]["y"]["scale"]["type"] == "symlog" and spec["encoding"]["y"]["field"] == "drawn"
    assert spec["encoding"]["y"]["title"] == "USD per 3 bars: implied ↑, true ↓"
    drawn = data.groupby("series")["drawn"]
    assert drawn.max()["true"] <= 0 <= drawn.min()["implied by the map"]  # the truth mirrored below zero
    assert spec["title"]["text"] == ["Longs liquidated (symlog scale)", "implied (above) vs true (below)"]
