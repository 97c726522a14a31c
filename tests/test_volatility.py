"""Volatility: pressure formula, no look-ahead, held-out scoring, simulator behaviour."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_market

from liqcore import Analysis, ModelConfig, estimate, load_csv, simulate
from liqcore.charts.volatility import forecast_chart, pressure_chart
from liqcore.heatmap import Heatmap
from liqcore.market import Market
from liqcore.volatility import ForecastResult, VolatilityConfig, forecast, pressure, pressure_basis, realised_log_range

REAL = Path(__file__).resolve().parents[2] / "shared/data/real"


def _forecast(heatmap: Heatmap, market: Market, config: VolatilityConfig | None = None) -> ForecastResult:
    """The forecast of a map made here (hand-built or estimated on a changed market) on its market."""
    return forecast(Analysis.of(market, heatmap), config)


def test_pressure_counts_only_notional_within_reach_relative_to_open_interest() -> None:
    market = make_market(np.full(20, 100.0), np.full(20, 10.0), spread=0.01)  # ATR ≈ 2, OI = 1,000 USD
    edges = np.arange(90.0, 111.0)
    long = np.zeros((1, 20))
    short = np.zeros((1, 20))
    long[0, 8] = 50.0  # 98–99: within 3 × ATR below
    long[0, 0] = 999.0  # 90–91: out of reach
    short[0, 11] = 30.0  # 101–102: within reach above
    times = market.bars.index
    hm = Heatmap(
        times[-1:], edges, long, short, pd.DataFrame(index=times), np.array([100.0]), ModelConfig(), "open interest"
    )
    frame = pressure(hm, market, reach_atr=3.0)
    last = frame.iloc[-1]
    assert last["long_near_usd"] == 50 and last["short_near_usd"] == 30
    assert last["pressure"] == pytest.approx(80 / 1_000)
    assert frame["near_usd"].iloc[:-1].isna().all()  # bars before the only snapshot have no reading


def _heatmap(market, times, long, short, close, driver="open interest") -> Heatmap:
    edges = np.arange(90.0, 111.0)
    return Heatmap(
        times,
        edges,
        np.asarray(long, float),
        np.asarray(short, float),
        pd.DataFrame(index=market.bars.index),
        np.asarray(close, float),
        ModelConfig(),
        driver,
    )


def test_sides_add_up_and_density_tells_stacked_from_spread() -> None:
    market = make_market(np.full(20, 100.0), np.full(20, 10.0), spread=0.01)  # ATR ≈ 2, reach 6: bins 94–106
    stacked = np.zeros((1, 20))
    stacked[0, 8] = 100.0  # all of it in one bin just below price
    spread = np.zeros((1, 20))
    spread[0, 4:10] = 100.0 / 6  # the same notional over six bins below
    times = market.bars.index[-1:]
    one = pressure(_heatmap(market, times, stacked, np.zeros((1, 20)), [100.0]), market).iloc[-1]
    even = pressure(_heatmap(market, times, spread, np.zeros((1, 20)), [100.0]), market).iloc[-1]
    assert one["pressure"] == pytest.approx(even["pressure"]) == pytest.approx(0.1)
    # 12 bins in reach → the fullest 2 count: all of it when stacked, 2 of 6 equal bins when spread.
    assert one["density"] == pytest.approx(1.0) and even["density"] == pytest.approx(2 / 6)
    assert one["pressure_long"] + one["pressure_short"] == pytest.approx(one["pressure"])


def test_each_bar_reads_the_latest_snapshot_at_or_before_it() -> None:
    market = make_market(np.full(20, 100.0), np.full(20, 10.0), spread=0.01)
    long = np.zeros((2, 20))
    long[0, 8], long[1, 8] = 10.0, 40.0
    times = market.bars.index[[5, 12]]
    frame = pressure(_heatmap(market, times, long, np.zeros((2, 20)), [100.0, 100.0]), market)
    assert frame["long_near_usd"].iloc[:5].isna().all()
    assert (frame["long_near_usd"].iloc[5:12] == 10).all() and (frame["long_near_usd"].iloc[12:] == 40).all()


def test_without_open_interest_pressure_is_relative_to_its_own_past() -> None:
    market = make_market(np.full(20, 100.0), spread=0.01)
    long = np.zeros((20, 20))
    long[:, 8] = 10.0
    long[-1, 8] = 30.0  # the last bar holds three times the usual notional
    heatmap = _heatmap(market, market.bars.index, long, np.zeros((20, 20)), np.full(20, 100.0), "volume proxy")
    frame = pressure(heatmap, market)
    assert pressure_basis(heatmap, market) == "its own past median"
    assert frame["pressure"].iloc[-1] == pytest.approx(3.0) and frame["pressure"].iloc[-2] == pytest.approx(1.0)


def test_pressure_on_an_uneven_grid_keeps_apart_bars_whose_bins_in_reach_differ() -> None:
    # Bins are computed once per distinct (snapshot, bins in reach); on an uneven grid a short-reach bar low in the
    # grid (bar 0: no longs, the four upper bins of shorts) and a wide-reach bar high in it (bar 1: four bins of longs,
    # one of shorts) have position sets a careless key would merge.
    edges = np.array([80.0, 98.9, 99.1, 99.3, 99.5, 99.7])  # centres 89.45, 99.0, 99.2, 99.4, 99.6
    bars = pd.DataFrame(
        {"open": [98.0, 98.0], "high": [100.0, 100.0], "low": [96.0, 5.0], "close": [98.0, 99.5]},
        index=pd.date_range("2026-01-01", periods=2, freq="5min", tz="UTC"),
    )
    market = Market(bars, "X")  # ATR 4 then 4 × 13/14 + 95/14 ≈ 10.5: reach 4 and 10.5
    long, short = np.array([[1.0, 2.0, 4.0, 8.0, 16.0]]), np.array([[32.0, 64.0, 128.0, 256.0, 512.0]])
    heatmap = Heatmap(
        bars.index[:1],
        edges,
        long,
        short,
        pd.DataFrame(index=bars.index),
        np.array([98.0]),
        ModelConfig(),
        "volume proxy",
    )
    frame = pressure(heatmap, market, reach_atr=1.0)
    assert frame["long_near_usd"].tolist() == [0.0, 1.0 + 2.0 + 4.0 + 8.0]
    assert frame["short_near_usd"].tolist() == [64.0 + 128.0 + 256.0 + 512.0, 512.0]
    literal = _pressure_bar_by_bar(heatmap, market, 1.0)
    pd.testing.assert_frame_equal(frame[literal.columns], literal)


def test_qlike_is_zero_for_a_perfect_forecast_and_charges_under_and_over_forecasts_differently() -> None:
    from liqcore.volatility import _qlike

    # QLIKE of a variance ratio q = (range / forecast)² is q − log q − 1: 0 at q = 1, positive either side.
    assert _qlike(np.array([0.3, -1.0]), np.array([0.3, -1.0])) == 0
    assert _qlike(np.array([0.5]), np.array([0.0])) == pytest.approx(np.e - 2)  # q = e: the range was under-forecast
    assert _qlike(np.array([0.0]), np.array([0.5])) == pytest.approx(1 / np.e)  # q = 1/e: over-forecast


def test_realised_range_looks_only_forward() -> None:
    market = make_market([100, 101, 102, 90, 100], spread=0.0)
    realised = realised_log_range(market, 2)
    assert realised.iloc[0] == pytest.approx(np.log(102 / 100))
    assert np.isnan(realised.iloc[-1])


def test_changing_future_bars_never_changes_past_forecasts() -> None:
    sim = simulate("range", 1, bars=900)
    config = VolatilityConfig(horizon=6, min_train=200, refit=40)
    # A fixed bin size: the automatic one is sized to the whole window's price range, so a wilder future would
    # change the grid (not the positions) of past columns.
    model = ModelConfig(bin_size=50.0)
    base = _forecast(estimate(sim.market, model, columns=150), sim.market, config).frame
    bars = sim.market.bars.copy()
    bars.iloc[700:, bars.columns.get_indexer(["high"])] *= 1.05  # a wilder future
    bars.iloc[700:, bars.columns.get_indexer(["close"])] *= 1.02
    bars["high"] = bars[["open", "high", "close"]].max(axis=1)
    changed_market = type(sim.market)(bars, sim.market.symbol, sim.market.interval)
    changed = _forecast(estimate(changed_market, model, columns=150), changed_market, config).frame
    # Forecasts made at bars before 700 used only bars up to then: identical, with and without the map.
    for column in ("baseline", "augmented", "pressure", "regime"):
        pd.testing.assert_series_equal(base[column].iloc[:700], changed[column].iloc[:700])
    assert not base["realised"].iloc[690:700].equals(changed["realised"].iloc[690:700])  # the future did change


def test_a_forecast_never_sees_bars_after_the_bar_it_is_made_at() -> None:
    # The forecast at bar t (for bars t+1 … t+H) is fitted on samples whose H-bar targets had ended by t. Perturbing
    # everything after t must leave it unchanged, at a refit bar (where a fit that peeked would use targets running
    # into t+1 … t+H−1) and inside a block.
    rng = np.random.default_rng(5)
    closes = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 400)))
    market = make_market(closes, 1_000 + rng.uniform(0, 50, 400).cumsum(), spread=0.004)
    heatmap = estimate(market, columns=100)  # one map for both: only the forecaster's use of bars is under test
    config = VolatilityConfig(horizon=6, min_train=100, refit=25)
    base = _forecast(heatmap, market, config).frame
    for t in (150, 163, 250):
        bars = market.bars.copy()
        bars.iloc[t + 1 :, bars.columns.get_indexer(["high"])] *= 1.2
        changed = _forecast(heatmap, Market(bars, market.symbol, market.interval), config).frame
        for column in ("baseline", "augmented"):
            assert changed[column].iloc[t] == base[column].iloc[t], (column, t)
        assert changed["baseline"].iloc[t + 30] != base["baseline"].iloc[t + 30]  # later forecasts did change


def test_scoring_uses_only_bars_with_an_out_of_sample_forecast() -> None:
    sim = simulate("fakeout", 2, bars=1200)
    result = _forecast(estimate(sim.market, columns=200), sim.market, VolatilityConfig(horizon=8, min_train=300))
    scored = result.frame.dropna(subset=["realised", "baseline", "augmented"])
    assert result.n == len(scored) and scored.index[0] >= sim.market.bars.index[300]
    assert result.n_independent == result.n // 8
    assert result.mae_baseline == pytest.approx((scored["realised"] - scored["baseline"]).abs().mean())
    assert result.mae_augmented == pytest.approx((scored["realised"] - scored["augmented"]).abs().mean())
    assert f"n = {result.n} scored bars" in result.verdict
    usd, pct = result.expected_move(sim.market.last_price)
    assert usd > 0 and 0 < pct < 50


@pytest.mark.parametrize("scenario", ["range", "short_squeeze", "long_cascade", "fakeout"])
def test_pressure_rises_before_the_largest_liquidation_bars(scenario: str) -> None:
    # Pressure in the 6 bars before the 20 largest liquidation bars is above its median (measured 1.2–2.5 × with the
    # v2 default, whose turnover keeps levels near price filled, so the contrast is smaller than before).
    for seed in (0, 1):
        sim = simulate(scenario, seed)
        press = pressure(estimate(sim.market, columns=400), sim.market)["pressure"].to_numpy()
        liq = (sim.market.bars["liq_long_usd"] + sim.market.bars["liq_short_usd"]).to_numpy()
        biggest = [i for i in np.argsort(liq)[-20:] if i > 300]
        before = np.nanmean([np.nanmean(press[i - 6 : i]) for i in biggest])
        assert before > np.nanmedian(press[300:]), (scenario, seed)


def test_charts_build_valid_specs_with_regime_shading() -> None:
    sim = simulate("long_cascade", 0, bars=900)
    result = _forecast(estimate(sim.market, columns=150), sim.market, VolatilityConfig(horizon=6, min_train=200))
    spec = forecast_chart(result.frame, max_points=100).to_dict()  # points thinned; the shading keeps every run
    shading = pd.DataFrame(spec["datasets"][spec["layer"][0]["data"]["name"]])
    labelled = result.frame["regime"].loc[result.frame["augmented"].notna()]
    assert set(shading["regime"]) == set(labelled[labelled != ""])
    assert len(shading) == (labelled[labelled != ""] != labelled[labelled != ""].shift()).sum()
    points = spec["datasets"][spec["layer"][1]["data"]["name"]]
    assert 50 < len(points) <= 100 < len(labelled)
    # the regime legend is drawn from the full-colour points, not the faint shading (swatches near-invisible)
    legends = [layer["encoding"]["color"].get("legend", {}) for layer in spec["layer"][:2]]
    assert legends[0] is None and legends[1]["title"] == "Forecast regime"
    assert spec["resolve"]["legend"]["color"] == "independent"
    lines = spec["layer"][2]["encoding"]  # the two forecasts differ by hue as well as dash, in one legend
    assert lines["stroke"]["field"] == lines["strokeDash"]["field"] == "model"
    assert lines["stroke"]["scale"]["domain"] == lines["strokeDash"]["scale"]["domain"] == ["baseline", "with map"]
    assert len(set(lines["stroke"]["scale"]["range"])) == 2
    assert lines["stroke"]["legend"]["title"] == lines["strokeDash"]["legend"]["title"] == "Forecast"
    pressure_spec = pressure_chart(result.frame, sim.market.bars["close"], result.relative_to).to_dict()
    assert len(pressure_spec["vconcat"]) == 2
    no_regimes = result.frame.assign(regime="")
    assert forecast_chart(no_regimes).to_dict()["layer"][0]["mark"]["type"] == "rect"


def test_without_open_interest_the_forecast_runs_against_the_pressure_history() -> None:
    sim = simulate("range", 0, bars=600)
    market = Market(sim.market.bars[["open", "high", "low", "close", "volume"]], "SIM")
    heatmap = estimate(market, columns=200)
    result = _forecast(heatmap, market, VolatilityConfig(min_train=200))
    assert heatmap.driver == "volume proxy" and result.relative_to == "its own past median"
    assert result.n > 300 and np.isfinite([result.mae_ratio, result.qlike_ratio]).all()


@pytest.mark.skipif(not REAL.exists(), reason="real data folder ../shared/data/real is absent")
def test_real_binance_file_with_open_interest_is_scored_out_of_sample() -> None:
    market = load_csv(REAL / "cg_ismethanhtung/binance_btcusdt_perp_5m_price_oi_funding_2026-05-25_2026-06-08.csv")
    result = _forecast(estimate(market, columns=400), market)
    assert result.relative_to == "open interest" and result.n > 3000
    assert result.mae_ratio == pytest.approx(result.mae_augmented / result.mae_baseline)
    assert np.isfinite([result.mae_ratio, result.qlike_ratio]).all()
    assert f"n = {result.n} scored bars" in result.verdict


@pytest.mark.parametrize(
    ("mae_augmented", "qlike_augmented", "opening"),
    [
        (0.90, 0.90, "The map improved the forecast"),
        (1.10, 1.10, "The map made the forecast worse"),
        (1.005, 0.995, "No edge found"),
        (1.015, 0.98, "No clear edge"),
        (1.002, 1.012, "The map made the forecast worse"),
        (0.985, 1.004, "The map improved the forecast"),
    ],
)
def test_verdict_needs_one_measure_to_move_and_none_against_it(
    mae_augmented: float, qlike_augmented: float, opening: str
) -> None:
    sim = simulate("range", 0, bars=900)
    result = _forecast(estimate(sim.market, columns=150), sim.market, VolatilityConfig(horizon=6, min_train=300))
    scored = replace(
        result, mae_baseline=1.0, mae_augmented=mae_augmented, qlike_baseline=1.0, qlike_augmented=qlike_augmented
    )
    assert scored.verdict.startswith(opening)
    assert f"n = {result.n} scored bars" in scored.verdict


def _pressure_bar_by_bar(heatmap: Heatmap, market: Market, reach_atr: float) -> pd.DataFrame:
    """The definition read literally: every bar masks its snapshot's bins in reach and sorts them."""
    from liqcore.indicators import atr

    rows = []
    reach = atr(market).to_numpy() * reach_atr
    for i, (time, close) in enumerate(market.bars["close"].items()):
        j = heatmap.times.searchsorted(time, side="right") - 1
        if j < 0:
            rows.append((np.nan, np.nan, np.nan))
            continue
        c = heatmap.centers
        below, above = (c < close) & (c >= close - reach[i]), (c > close) & (c <= close + reach[i])
        near = heatmap.long[j] * below + heatmap.short[j] * above
        top = np.sort(near)[::-1][: max((below | above).sum() // 5, 1)].sum()
        rows.append(
            ((heatmap.long[j] * below).sum(), (heatmap.short[j] * above).sum(), top / near.sum() if near.sum() else 0.0)
        )
    return pd.DataFrame(rows, columns=["long_near_usd", "short_near_usd", "density"], index=market.bars.index)


def _forecast_refit_by_refit(
    features: pd.DataFrame, target: pd.Series, horizon: int, config: VolatilityConfig
) -> np.ndarray:
    """The expanding window read literally: one `lstsq` on every known sample at each refit."""
    x, y = features.to_numpy(), np.log(target.to_numpy())
    out = np.full(len(x), np.nan)
    for start in range(config.min_train, len(x), config.refit):
        known = np.arange(0, max(start - horizon, 0))
        known = known[np.isfinite(y[known]) & np.isfinite(x[known]).all(axis=1)]
        if len(known) >= 30:
            coef = np.linalg.lstsq(x[known], y[known], rcond=None)[0]
            out[start : start + config.refit] = x[start : start + config.refit] @ coef
    return out


@pytest.mark.parametrize(("scenario", "driver_columns"), [("short_squeeze", None), ("range", ["volume"])])
def test_fast_pressure_and_forecast_equal_the_literal_definitions(scenario: str, driver_columns: list | None) -> None:
    from liqcore.volatility import _expanding_forecast, _features

    sim = simulate(scenario, 3, bars=1500)
    bars = (
        sim.market.bars
        if driver_columns is None
        else sim.market.bars[["open", "high", "low", "close", *driver_columns]]
    )
    market = Market(bars, "SIM")
    heatmap = estimate(market, columns=120)
    press = pressure(heatmap, market, reach_atr=2.5)
    literal = _pressure_bar_by_bar(heatmap, market, 2.5)
    pd.testing.assert_frame_equal(press[literal.columns], literal, rtol=1e-12)
    assert press["density"].between(0.2, 1).mean() > 0.5  # most bars have notional in reach: a real comparison
    config = VolatilityConfig(horizon=7, min_train=250, refit=37)
    target = realised_log_range(market, 7)
    for features in (_features(market, 7, None), _features(market, 7, press)):
        fast = _expanding_forecast(features, target, 7, config).to_numpy()
        np.testing.assert_allclose(fast, _forecast_refit_by_refit(features, target, 7, config), rtol=1e-9, atol=1e-12)
        assert np.isfinite(fast[300:]).all()
        early = VolatilityConfig(horizon=7, min_train=20, refit=10)  # the first refits know under 30 samples: no fit
        fast = _expanding_forecast(features, target, 7, early).to_numpy()
        np.testing.assert_allclose(fast, _forecast_refit_by_refit(features, target, 7, early), rtol=1e-9, atol=1e-12)
        assert np.isnan(fast[:30]).all() and np.isfinite(fast[300:]).all()
