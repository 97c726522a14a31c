"""Validation's scores on relations whose answer is known: rank (not linear) correlation, a hybrid fitted only on
the bars before its held-out half, warm-up and non-finite bars left out and counted, the verdict's two branches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_market

from liqcore import ModelConfig
from liqcore.heatmap import Driver, Heatmap
from liqcore.market import Market
from liqcore.validation import SideScore, _verdict, excursion, location_score, score


def _scored(implied_long: np.ndarray, realised_long: np.ndarray, seed: int = 1) -> tuple[Market, Heatmap]:
    """A market whose realised long liquidations and a map whose implied ones are given (shorts are noise)."""
    n = len(implied_long)
    rng = np.random.default_rng(seed)
    market = make_market(100 + rng.normal(0, 0.5, n).cumsum(), spread=0.01)
    bars = market.bars.copy()
    bars["liq_long_usd"] = realised_long
    bars["liq_short_usd"] = rng.uniform(0, 1, n)
    market = Market(bars, "X")
    implied = pd.DataFrame({"long_usd": implied_long, "short_usd": rng.uniform(0, 1, n)}, index=bars.index)
    edges = np.array([0.0, 1.0])
    heatmap = Heatmap(
        bars.index[-1:],
        edges,
        np.zeros((1, 1)),
        np.zeros((1, 1)),
        implied,
        np.array([1.0]),
        ModelConfig(),
        Driver.OPEN_INTEREST,
    )
    return market, heatmap


def test_map_score_is_a_rank_correlation_so_a_monotone_relation_scores_one() -> None:
    rng = np.random.default_rng(3)
    implied = rng.lognormal(0, 2, 400)
    realised = implied**3  # monotone but far from linear: a linear correlation is well below 1
    assert np.corrcoef(implied, realised)[0, 1] < 0.9
    long = score(*_scored(implied, realised), warmup=0).sides[0]
    assert long.map_rho == pytest.approx(1.0)


def test_the_hybrid_is_fitted_on_the_earlier_bars_and_scored_on_the_later_ones() -> None:
    # Early bars: realised grows with the map. Later bars: it shrinks with it. A blend fitted on the early half
    # ranks the later half backwards; one fitted on the later half would rank it perfectly.
    rng = np.random.default_rng(4)
    implied = rng.uniform(1, 1000, 400)
    realised = np.where(np.arange(400) < 200, implied, 1e6 / implied)
    long = score(*_scored(implied, realised), warmup=0, train_share=0.5).sides[0]
    assert long.n_test == 200
    assert long.hybrid_rho < -0.9


def test_the_baseline_is_the_candle_excursion_against_each_side() -> None:
    market = make_market([100, 110, 90], spread=0.0)
    assert excursion(market, "long").tolist() == pytest.approx([0, 0, (110 - 90) / 110])
    assert excursion(market, "short").tolist() == pytest.approx([0, 0.1, 0])


def test_warm_up_and_non_finite_bars_are_left_out_and_counted() -> None:
    rng = np.random.default_rng(5)
    implied = rng.uniform(1, 100, 300)
    realised = implied.copy()
    realised[[50, 60]] = np.nan
    realised[:40] = 0
    report = score(*_scored(implied, realised), warmup=40)
    long = report.sides[0]
    assert report.warmup_bars == 40
    assert long.n == 258 and long.active == 258
    assert long.map_rho == pytest.approx(1.0)  # the zeroed warm-up bars would have spoilt it


def test_verdict_says_the_map_adds_only_where_it_does() -> None:
    rng = np.random.default_rng(6)
    implied = rng.uniform(1, 100, 300)
    report = score(*_scored(implied, implied * np.exp(rng.normal(0, 0.05, 300))), warmup=0)
    long_part, short_part = report.verdict.split("; ")
    assert long_part.startswith("longs: the map adds to the candle's size")
    assert short_part.startswith("shorts: the map tracks realised liquidations no better than the candle's size")
    few = score(*_scored(implied[:35], implied[:35]), warmup=10)
    assert few.verdict.startswith("longs: too few bars to judge (n = 25)")


def test_the_map_adds_only_when_its_partial_rho_exceeds_two_standard_errors() -> None:
    def side(partial_rho: float) -> SideScore:
        return SideScore("long", 100, 100, 0.5, 0.4, partial_rho, 50, 0.5, 0.4)

    # n = 100: the standard error is 1/10, so the bar is a partial ρ above 0.2 (exactly 0.2 is not above it)
    assert _verdict([side(0.2)]).startswith("longs: the map tracks realised liquidations no better")
    assert _verdict([side(0.21)]).startswith("longs: the map adds to the candle's size (partial ρ = 0.21, n = 100)")


def test_the_hybrid_needs_ten_bars_on_each_side_of_the_split_and_no_more() -> None:
    rng = np.random.default_rng(7)
    implied = rng.uniform(1, 100, 20)
    exactly = score(*_scored(implied, implied), warmup=0, train_share=0.5).sides[0]
    assert exactly.n_test == 10 and np.isfinite(exactly.hybrid_rho)
    short = score(*_scored(implied[:19], implied[:19]), warmup=0, train_share=0.5).sides[0]
    assert np.isnan(short.hybrid_rho)  # 9 bars to fit on


def test_location_score_of_no_usable_snapshot_is_not_a_number_with_zero_snapshots() -> None:
    (long, short) = location_score([])
    assert long.snapshots == 0 and short.side == "short"
    assert all(
        np.isnan([s.truth_in_estimate_dense, s.truth_in_nearest, s.estimate_in_truth_dense]).all()
        for s in (long, short)
    )


def _with_implied(market: Market, implied: pd.DataFrame) -> Heatmap:
    one = np.zeros((1, 1))
    return Heatmap(
        market.bars.index[-1:],
        np.array([0.0, 1.0]),
        one,
        one,
        implied,
        np.array([1.0]),
        ModelConfig(),
        Driver.OPEN_INTEREST,
    )


def test_realised_totals_coarser_than_the_candles_are_scored_on_their_own_periods() -> None:
    rng = np.random.default_rng(5)
    n = 6 * 60
    market = make_market(100 + rng.normal(0, 0.2, n).cumsum(), spread=0.002)  # 5-minute bars
    bars = market.bars.copy()
    # 30-minute totals on the first 5-minute bar of each period and zeros between (how the loader merges a coarser
    # file); the candles start mid-period and end mid-period, so the first and last 3 bars are in no whole period
    starts = np.arange(3, n - 3, 6)
    for side in ("long", "short"):
        bars[f"liq_{side}_usd"] = 0.0
        bars.iloc[starts, bars.columns.get_loc(f"liq_{side}_usd")] = rng.uniform(1, 100, len(starts))
    market = Market(bars, "X")
    implied = pd.DataFrame(rng.uniform(0, 50, (n, 2)), columns=["long_usd", "short_usd"], index=bars.index)
    report = score(market, _with_implied(market, implied), warmup=5)
    assert report.period_bars == 6 and report.verdict.startswith("Scored per 30m")

    def period(frame: pd.DataFrame, how: str) -> np.ndarray:
        return np.array([getattr(frame.iloc[s : s + 6], how)() for s in starts])

    coarse_bars = pd.DataFrame(
        {
            "open": [bars["open"].iloc[s] for s in starts],
            "high": period(bars["high"], "max"),
            "low": period(bars["low"], "min"),
            "close": [bars["close"].iloc[s + 5] for s in starts],
            "liq_long_usd": period(bars["liq_long_usd"], "sum"),
            "liq_short_usd": period(bars["liq_short_usd"], "sum"),
        },
        index=bars.index[starts],
    )
    coarse = Market(coarse_bars, "X")
    coarse_implied = pd.DataFrame(
        {"long_usd": period(implied["long_usd"], "sum"), "short_usd": period(implied["short_usd"], "sum")},
        index=coarse_bars.index,
    )
    direct = score(coarse, _with_implied(coarse, coarse_implied), warmup=5)
    assert direct.period_bars == 1
    pd.testing.assert_frame_equal(report.table, direct.table)
    assert report.sides[0].n == len(starts) - 5
