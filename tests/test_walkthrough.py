"""Lesson numbers for the walkthrough: the decision point, what was known there, and the bars kept for the replay."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from conftest import make_market

from liqcore import Analysis, ModelConfig, estimate, simulate
from liqcore.brackets import table_for_symbol
from liqcore.charts.breakouts import spread_labels
from liqcore.margin import liquidation_price
from liqcore.plan import replay
from liqcore.profile import Profile
from liqcore.walkthrough import (
    CHOICES,
    MAX_SUGGESTED_LEVERAGE,
    build_lesson,
    decision_range,
    lesson_map,
    leverage_for_buffer,
    score_decision,
    starting_plan,
    suggest_risk,
)


@pytest.fixture(scope="module")
def fakeout():
    sim = simulate("fakeout", seed=7)
    return sim.market, estimate(sim.market, ModelConfig(), columns=200)


def test_decision_is_a_resolved_breakout_with_later_bars_kept_apart(fakeout) -> None:
    market, heatmap = fakeout
    lesson = build_lesson(Analysis.of(market, heatmap))
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
    lesson = build_lesson(Analysis.of(market, estimate(market, ModelConfig(), columns=50)))
    assert lesson.breakout is None
    assert lesson.bar == int(0.7 * 399)
    assert lesson.move_source.startswith("ATR(14)")  # 400 bars: too few for the volatility forecast
    assert lesson.move_usd == pytest.approx(lesson.atr * np.sqrt(lesson.horizon))


def _profile_with_long_cluster(price: float, low: float, high: float, usd: float = 5e7) -> Profile:
    edges = np.linspace(price * 0.8, price * 1.2, 401)
    centers = (edges[:-1] + edges[1:]) / 2
    long = np.where((centers >= low) & (centers <= high), usd / 10, 0.0)
    return Profile(pd.Timestamp("2026-01-01", tz="UTC"), price, edges, long, np.zeros_like(long))


def test_stop_moves_beyond_a_same_side_cluster_it_would_sit_in() -> None:
    price, atr_usd = 100.0, 0.5
    profile = _profile_with_long_cluster(price, 98.4, 98.9)  # the volatility stop (1.5 USD away) is inside it
    risk = suggest_risk(price, "long", 1.5, atr_usd, profile, "elevated", "BTCUSDT")
    assert price - risk.stop_distance < 98.4  # beyond the cluster's far edge
    assert risk.stop_distance <= 3 * 1.5
    assert any("cluster" in reason for reason in risk.reasons)
    clear = suggest_risk(
        price, "long", 1.5, atr_usd, _profile_with_long_cluster(price, 90.0, 91.0), "elevated", "BTCUSDT"
    )
    assert clear.stop_distance == pytest.approx(1.5)  # a cluster far beyond the stop does not move it
    far = suggest_risk(
        price, "long", 1.5, atr_usd, _profile_with_long_cluster(price, 92.0, 98.9), "elevated", "BTCUSDT"
    )
    assert far.stop_distance == pytest.approx(1.5)  # clearing it would more than triple the stop: kept, and said
    assert any("more than three times" in reason for reason in far.reasons)


def test_leverage_follows_the_stop_and_the_regime_under_a_stated_cap() -> None:
    mmr = table_for_symbol("BTCUSDT").brackets[0].mmr
    flat = _profile_with_long_cluster(100.0, 50.0, 51.0)
    by_regime = {}
    for regime in ("calm", "elevated", "high"):
        risk = suggest_risk(100.0, "long", 5.0, 0.1, flat, regime, "BTCUSDT")  # a wide stop: the buffer decides
        liq = liquidation_price(100.0, risk.leverage, "long", mmr)
        assert 100 - liq >= risk.liquidation_buffer * risk.stop_distance - 1e-9
        assert "capped" not in risk.reasons[-1] and f"at most {risk.leverage:g}×." in risk.reasons[-1]
        by_regime[regime] = risk.leverage
    assert MAX_SUGGESTED_LEVERAGE > by_regime["calm"] > by_regime["elevated"] > by_regime["high"]
    calm = suggest_risk(100.0, "long", 1.0, 0.1, flat, "calm", "BTCUSDT")  # the buffer alone would allow ~50x
    assert calm.leverage == MAX_SUGGESTED_LEVERAGE
    allowed = leverage_for_buffer(1.0, calm.liquidation_buffer, "BTCUSDT")
    assert allowed > 2 * MAX_SUGGESTED_LEVERAGE
    assert f"allows at most {allowed:g}×; capped at {MAX_SUGGESTED_LEVERAGE:g}×, because" in calm.reasons[-1]
    assert 100 - liquidation_price(100.0, calm.leverage, "long", mmr) >= calm.liquidation_buffer * 1.0
    volatile = suggest_risk(100.0, "long", 4.0, 0.4, flat, "high", "BTCUSDT")  # a volatile market's wider move
    assert volatile.leverage < calm.leverage and "capped" not in volatile.reasons[-1]
    assert (
        leverage_for_buffer(0.01, 1.5, "BTCUSDT") == table_for_symbol("BTCUSDT").brackets[0].max_leverage
    )  # the buffer alone would go up to the exchange's limit


def test_chosen_decision_bar_and_the_latest_breakout_before_it(fakeout) -> None:
    market, heatmap = fakeout
    first, last = decision_range(market, heatmap)
    chosen = (first + last) // 2
    lesson = build_lesson(Analysis.of(market, heatmap), at=chosen)
    assert lesson.bar == chosen and lesson.time == market.bars.index[chosen]
    assert lesson.before.index[-1] == lesson.time and lesson.after.index[0] > lesson.time
    if lesson.breakout is not None:
        assert chosen - 144 < lesson.breakout["bar"] <= chosen
        assert lesson.breakout["bar"] + lesson.breakout["bars_to_outcome"] <= chosen  # its outcome known by then
    assert build_lesson(Analysis.of(market, heatmap), at=10**9).bar == last  # clamped so bars remain to reveal
    crop, candles = lesson_map(lesson, heatmap, market)
    assert candles["time"].max() == lesson.time and crop.times.max() <= lesson.time
    assert crop.price_edges[0] <= candles["low"].min() and crop.price_edges[-1] >= candles["high"].max()
    assert crop.long.shape == (len(crop.times), len(crop.price_edges) - 1) and crop.long.sum() > 0
    revealed_crop, revealed = lesson_map(lesson, heatmap, market, end=lesson.after.index[-1])
    assert revealed["time"].max() == lesson.after.index[-1] and len(revealed_crop.times) > len(crop.times)


def test_waiting_is_scored_against_both_sides_replayed(fakeout) -> None:
    market, heatmap = fakeout
    first, last = decision_range(market, heatmap)
    for bar in np.linspace(first, last, 6).astype(int):
        lesson = build_lesson(Analysis.of(market, heatmap), at=int(bar))
        scores = {choice: score_decision(lesson, choice, market.symbol) for choice in CHOICES}
        best = scores["wait"].best
        assert [c for c, s in scores.items() if s.correct] == [best]
        r = {"long": scores["wait"].long_result.r_multiple, "short": scores["wait"].short_result.r_multiple}
        if best == "wait":
            assert max(r.values()) < 0.5
        else:
            assert r[best] >= 0.5 and r[best] == max(r.values())
        assert scores["wait"].long_result == replay(starting_plan(lesson, "long", market.symbol), lesson.after)
    with pytest.raises(ValueError, match="long, short, wait"):
        score_decision(lesson, "hold", market.symbol)


def test_plan_labels_are_spread_apart_and_stay_put_when_apart() -> None:
    assert spread_labels([1.0, 5.0, 9.0], 1.0) == [1.0, 5.0, 9.0]
    placed = spread_labels([100.0, 100.2, 99.9, 100.1], 0.5)
    ordered = sorted(placed)
    assert all(b - a >= 0.5 - 1e-9 for a, b in itertools.pairwise(ordered))
    assert sum(placed) / 4 == pytest.approx((100.0 + 100.2 + 99.9 + 100.1) / 4)
    # order by price is kept, so each label stays next to its own rule
    assert sorted(range(4), key=lambda i: placed[i]) == sorted(range(4), key=lambda i: [100.0, 100.2, 99.9, 100.1][i])
    # a level at the chart's top edge is labelled inside it; only the neighbour it crowds moves, the far one stays
    assert spread_labels([109.8, 100.0], 1.0, lower=90.0, upper=109.0) == [109.0, 100.0]
    assert spread_labels([109.8, 109.5], 1.0, lower=90.0, upper=109.0) == pytest.approx([109.0, 108.0])
    low = spread_labels([89.0, 95.0], 1.0, lower=90.0, upper=109.0)
    assert low == pytest.approx([90.0, 95.0])
    cramped = spread_labels([100.0, 100.0, 100.0], 1.0, lower=99.5, upper=100.5)  # cannot fit: the bottom wins
    assert sorted(cramped) == pytest.approx([99.5, 100.5, 101.5])


def test_moment_labels_near_the_right_edge_are_written_leftwards() -> None:
    from liqcore.charts.lessons import moment_markers

    t0 = pd.Timestamp("2026-03-02", tz="UTC")
    marks = pd.DataFrame({"time": [t0 + pd.Timedelta(hours=1), t0 + pd.Timedelta(hours=8)], "label": ["a", "b"]})
    end = t0 + pd.Timedelta(hours=10)

    def leftwards(spec: dict) -> list[str]:
        layer = next(layer for layer in spec["layer"] if layer["mark"].get("align") == "right")
        return [row["label"] for row in spec["datasets"][layer["data"]["name"]]]

    assert leftwards(moment_markers(marks, right_edge=end, left_edge=t0).to_dict()) == ["b"]  # at 80 % of the span
    assert leftwards(moment_markers(marks, right_edge=end).to_dict()) == []  # without the span only the edge counts
