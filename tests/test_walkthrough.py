"""Lesson numbers for the walkthrough: the decision point, what was known there, and the bars kept for the replay."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_market

from liqcore import ModelConfig, estimate, simulate
from liqcore.brackets import table_for_symbol
from liqcore.margin import liquidation_price
from liqcore.walkthrough import build_lesson, safe_leverage


@pytest.fixture(scope="module")
def fakeout():
    sim = simulate("fakeout", seed=7)
    return sim.market, estimate(sim.market, ModelConfig(), columns=200)


def test_decision_is_a_resolved_breakout_with_later_bars_kept_apart(fakeout) -> None:
    market, heatmap = fakeout
    lesson = build_lesson(market, heatmap)
    event = lesson.breakout
    assert event is not None and event["outcome"] in ("follow-through", "fakeout")
    assert lesson.bar == event["bar"] and lesson.time == event["time"]
    assert lesson.before.index[-1] == lesson.time and lesson.after.index[0] > lesson.time
    assert len(lesson.after) == 96
    assert lesson.profile.time <= lesson.time
    assert lesson.side == ("long" if event["direction"] == "up" else "short")
    assert lesson.stop_distance >= 1.5 * lesson.atr - 1e-9 and lesson.stop_distance >= lesson.move_usd - 1e-9
    assert lesson.long_cluster is None or lesson.long_cluster["peak_price"] < lesson.price
    assert lesson.short_cluster is None or lesson.short_cluster["peak_price"] > lesson.price


def test_no_breakout_falls_back_to_seventy_percent() -> None:
    market = make_market(np.full(400, 100.0), open_interest=np.full(400, 1e4))
    lesson = build_lesson(market, estimate(market, ModelConfig(), columns=50))
    assert lesson.breakout is None
    assert lesson.bar == int(0.7 * 399)
    assert lesson.move_source.startswith("ATR(14)")  # 400 bars: too few for the volatility forecast
    assert lesson.move_usd == pytest.approx(lesson.atr * np.sqrt(lesson.horizon))


def test_safe_leverage_keeps_liquidation_twice_the_stop_away() -> None:
    mmr = table_for_symbol("BTCUSDT").brackets[0].mmr
    for stop_pct in (0.5, 1.0, 3.0, 8.0):
        lev = safe_leverage(stop_pct, "BTCUSDT")
        liq = liquidation_price(100.0, lev, "long", mmr)
        assert 100 - liq >= 2 * stop_pct - 1e-9
        assert 1 <= lev <= 10
    assert safe_leverage(0.1, "BTCUSDT") == 10
