"""Simulator mechanisms in isolation: a finite order book, and cascades that run further through dense clusters."""

from __future__ import annotations

import math

import numpy as np
import pytest

from liqcore.margin import liquidation_price
from liqcore.scenarios import MECHANISMS_ABSENT, MECHANISMS_PRESENT, SCENARIO_BY_NAME, SCENARIOS, START_HERE
from liqcore.sim_depth import OrderBookDepth
from liqcore.sim_positions import PositionBook, bracketed_liquidation
from liqcore.simulator import liquidation_cascade, simulate


def _depth(pool: float = 5_000.0) -> OrderBookDepth:
    return OrderBookDepth(depth_btc_per_pct=5_000.0, pool_btc=pool, floor=0.4, refill_half_life_bars=2.0)


def test_an_order_moves_price_by_its_size_over_the_depth_when_the_book_is_full() -> None:
    small = _depth(pool=1e12).walk(500.0)
    assert small == pytest.approx(500.0 / 5_000.0 / 100.0)  # 500 BTC through 5,000 BTC per 1 % = 0.1 %
    assert _depth().walk(-500.0) < 0  # selling moves price down


def test_the_book_thins_so_a_burst_moves_further_per_btc_and_splitting_changes_nothing() -> None:
    book = _depth()
    first = book.walk(1_000.0)
    second = book.walk(1_000.0)
    assert second > first  # the asks used up by the first order are not there for the second
    assert book.ask == pytest.approx(1 - 2_000.0 / 5_000.0) and book.bid == 1.0
    whole = _depth().walk(2_000.0)
    assert whole == pytest.approx(first + second)
    # Past the floor the book stops thinning: each BTC then moves price by 1 / (depth · floor).
    deep = _depth()
    deep.walk(10_000.0)
    assert deep.ask == pytest.approx(0.4)
    assert deep.walk(100.0) == pytest.approx(100.0 / (5_000.0 * 0.4) / 100.0)


def test_the_book_refills_between_bars_with_its_half_life() -> None:
    book = _depth()
    book.walk(-2_500.0)
    assert book.bid == pytest.approx(0.5)
    book.refill()
    book.refill()
    assert book.bid == pytest.approx(0.75)  # two bars = one half-life: half the used-up share is back


def _longs_below(liq_prices: np.ndarray, qty: float = 10.0) -> PositionBook:
    """A book of long positions whose liquidation prices are exactly `liq_prices` (entries solved from them)."""
    book = PositionBook(len(liq_prices) + 8)
    leverage = np.full(len(liq_prices), 20.0)
    side = np.ones(len(liq_prices), dtype=np.int8)
    unit_liq = bracketed_liquidation(side, np.ones(len(liq_prices)), leverage, np.full(len(liq_prices), qty))[1]
    n = len(liq_prices)
    quantity = np.full(n, qty)
    book.add(side, quantity, liq_prices / unit_liq, leverage, 0, np.full(n, 10**9), n, float(quantity.sum()))
    return book


def test_a_cascade_through_a_dense_cluster_runs_further_than_through_a_thin_one() -> None:
    rng = np.random.default_rng(0)
    dense = _longs_below(np.sort(rng.uniform(99.0, 99.5, 300))[::-1])
    thin = _longs_below(np.sort(rng.uniform(90.0, 99.5, 300))[::-1])
    reach = float(max(dense.liq.max(), thin.liq.max()))  # the bar's low just touches the top of both clusters
    dense_run = liquidation_cascade(dense, _depth(), 1, reach, 101.0)
    thin_run = liquidation_cascade(thin, _depth(), 1, reach, 101.0)
    assert dense_run.low < thin_run.low
    assert dense_run.forced_btc[1] > 5 * thin_run.forced_btc[1]
    # Thinning is part of it: the same dense cluster against a book that never thins stops higher.
    stiff_run = liquidation_cascade(
        _longs_below(np.sort(rng.uniform(99.0, 99.5, 300))[::-1]), _depth(1e12), 1, reach, 101.0
    )
    assert stiff_run.low > dense_run.low
    # Every forced fill sits inside the final range, and all the liquidated notional is recorded.
    fills = np.concatenate([r[2] for r in dense_run.records])
    assert (fills >= dense_run.low).all() and (fills <= reach).all()
    assert dense_run.forced_usd[1] == pytest.approx(sum(float(r[3].sum()) for r in dense_run.records))


def test_bracketed_liquidation_matches_the_margin_formula() -> None:
    entry, qty = np.array([60_000.0, 60_000.0]), np.array([1.0, 1.0])
    side = np.array([1, -1], dtype=np.int8)
    leverage, price = bracketed_liquidation(side, entry, np.array([20.0, 20.0]), qty)
    assert price[0] == pytest.approx(liquidation_price(60_000.0, 20.0, "long", 0.004, 0.0, 1.0))
    assert price[1] == pytest.approx(liquidation_price(60_000.0, 20.0, "short", 0.004, 0.0, 1.0))
    assert price[0] < 60_000 < price[1] and (leverage == 20).all()


def test_every_scenario_carries_its_lesson_and_the_simulators_limits() -> None:
    assert set(SCENARIOS) == {"range", "short_squeeze", "long_cascade", "fakeout"}
    for name in SCENARIOS:
        guide = SCENARIO_BY_NAME[name]
        assert guide.watch and guide.where and guide.story and guide.moments
        assert guide.mechanisms == MECHANISMS_PRESENT and guide.missing_mechanisms == MECHANISMS_ABSENT
    assert any("hunt" in text for text in MECHANISMS_ABSENT)
    assert any("order book" in text for text in MECHANISMS_PRESENT)
    assert len(START_HERE) == 3 and "walkthrough" in START_HERE[-1][1].lower()


@pytest.mark.parametrize("scenario", ["short_squeeze", "long_cascade"])
def test_key_moment_is_the_peak_of_the_lessons_liquidations(scenario: str) -> None:
    sim = simulate(scenario, seed=3)
    moment = sim.key_moments().iloc[0]
    bars = sim.market.bars
    column = "liq_short_usd" if scenario == "short_squeeze" else "liq_long_usd"
    n = len(bars)
    assert 0.68 * n <= moment["bar"] < 0.85 * n
    assert bars[column].iloc[moment["bar"]] == bars[column].iloc[int(0.68 * n) : int(0.85 * n)].max() > 0
    assert moment["time"] == bars.index[moment["bar"]] and math.isclose(
        moment["price"], bars["close"].iloc[moment["bar"]]
    )
    assert sim.guide.name == scenario


def test_fakeout_has_two_moments_in_time_order() -> None:
    moments = simulate("fakeout", seed=1).key_moments()
    assert list(moments["label"]) == [m.label for m in SCENARIO_BY_NAME["fakeout"].moments]
    assert moments["time"].is_monotonic_increasing
