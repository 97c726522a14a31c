"""Trade-plan scoring on hand-built books, liquidation vs stop, reward/risk and the replay's hit order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from liqcore.brackets import table_for_symbol
from liqcore.margin import liquidation_price
from liqcore.plan import TradePlan, max_leverage, replay, score_plan, suggest_plan
from liqcore.profile import Profile

EDGES = np.arange(90.0, 110.01, 0.5)


def profile(long_at: dict[float, float] | None = None, short_at: dict[float, float] | None = None) -> Profile:
    """Price 100; USD placed in the bins starting at the given prices."""
    long = np.zeros(len(EDGES) - 1)
    short = np.zeros(len(EDGES) - 1)
    for price, usd in (long_at or {}).items():
        long[np.searchsorted(EDGES, price)] = usd
    for price, usd in (short_at or {}).items():
        short[np.searchsorted(EDGES, price)] = usd
    return Profile(time=pd.Timestamp("2026-01-01", tz="UTC"), price=100.0, price_edges=EDGES, long=long, short=short)


# clusters: longs 96.5–98.5 USD (10 M), shorts 103.5–105 USD (8 M)
BOOK = profile(long_at={97.0: 5e6, 97.5: 5e6}, short_at={104.0: 8e6})


def titles(plan: TradePlan, book: Profile = BOOK) -> dict[str, str]:
    return {f.title: f.severity for f in score_plan(plan, book).findings}


def test_stop_inside_or_just_in_front_of_a_cluster_is_flagged_and_beyond_it_is_good() -> None:
    assert titles(TradePlan("long", 100, 97.6, 103.2, 5))["Stop inside a liquidation cluster"] == "warning"
    assert titles(TradePlan("long", 100, 98.8, 103.2, 5))["Stop just in front of a liquidation cluster"] == "warning"
    assert titles(TradePlan("long", 100, 96.0, 103.2, 5))["Stop beyond a liquidation cluster"] == "good"
    assert not any(t.startswith("Stop") for t in titles(TradePlan("long", 100, 99.5, 103.2, 5)))
    review = score_plan(TradePlan("long", 100, 97.6, 103.2, 5), BOOK)
    detail = next(f.explanation for f in review.findings if f.title == "Stop inside a liquidation cluster")
    assert "96 USD–98 USD" in detail or "97 USD–98 USD" in detail or "10,000,000" in detail


def test_short_stop_mirrors_the_long_rule() -> None:
    book = profile(short_at={102.0: 9e6})
    assert titles(TradePlan("short", 100, 102.3, 97, 5), book)["Stop inside a liquidation cluster"] == "warning"
    assert titles(TradePlan("short", 100, 104.0, 97, 5), book)["Stop beyond a liquidation cluster"] == "good"


def test_target_just_before_an_opposite_cluster_vs_inside_or_just_past() -> None:
    assert titles(TradePlan("long", 100, 96.0, 103.2, 5))["Take-profit just before a big opposite cluster"] == "good"
    assert titles(TradePlan("long", 100, 96.0, 104.0, 5))["Take-profit inside a big opposite cluster"] == "warning"
    assert titles(TradePlan("long", 100, 96.0, 105.3, 5))["Take-profit just past a big opposite cluster"] == "warning"
    assert titles(TradePlan("long", 100, 96.0, 102.0, 5))["No big opposite cluster on the way to the target"] == "info"


def test_reward_risk_is_computed() -> None:
    plan = TradePlan("long", 100, 98, 106, 3)
    review = score_plan(plan, BOOK)
    assert review.reward_risk == pytest.approx(3.0)
    assert review.risk_pct == pytest.approx(2.0) and review.reward_pct == pytest.approx(6.0)
    assert titles(plan)["Reward at least twice the risk"] == "good"
    assert titles(TradePlan("short", 100, 104, 98, 3))["Reward smaller than risk"] == "warning"
    start = suggest_plan(100, "short", 2.0, reward_risk=2.5)
    assert (start.stop, start.target) == (102.0, 95.0)


def test_liquidation_before_the_stop_is_serious_and_sorted_first() -> None:
    plan = TradePlan("long", 100, 90.5, 110, 20)  # 20× long liquidates near 95.4, long before 90.5
    mmr = table_for_symbol("BTCUSDT").brackets[0].mmr
    assert plan.liquidation == pytest.approx(float(liquidation_price(100, 20, "long", mmr)))
    review = score_plan(plan, BOOK)
    assert review.findings[0].severity == "serious" and review.findings[0].title == "Liquidated before the stop"
    assert titles(TradePlan("long", 100, 98, 110, 3))["Liquidation well beyond the stop"] == "good"
    assert titles(TradePlan("short", 100, 103, 95, 40))["Liquidated before the stop"] == "serious"
    safe = max_leverage(2.0, buffer=1.0)
    assert liquidation_price(100, safe, "long", mmr) == pytest.approx(98.0, abs=0.01)


def test_invalid_plans_are_refused() -> None:
    with pytest.raises(ValueError, match="stop < entry < target"):
        TradePlan("long", 100, 101, 105, 5)
    with pytest.raises(ValueError):
        TradePlan("short", 100, 99, 95, 5)
    with pytest.raises(ValueError):
        TradePlan("long", 100, 98, 105, 0.5)


def bars(rows: list[tuple[float, float, float, float]]) -> pd.DataFrame:
    index = pd.date_range("2026-01-01", periods=len(rows), freq="5min", tz="UTC")
    return pd.DataFrame(rows, columns=["open", "high", "low", "close"], index=index)


def test_replay_hit_order_target_stop_liquidation_and_open() -> None:
    plan = TradePlan("long", 100, 98, 104, 5)
    up = replay(plan, bars([(100, 101, 99.5, 100.8), (100.8, 104.5, 100.5, 104.2)]))
    assert (up.outcome, up.bar, up.exit_price) == ("target", 1, 104)
    assert up.r == pytest.approx(2.0) and up.margin_pct == pytest.approx(20.0)
    down = replay(plan, bars([(100, 100.5, 97.5, 98.0)]))
    assert (down.outcome, down.r) == ("stop", pytest.approx(-1.0))
    both = replay(plan, bars([(100, 105, 97, 101)]))  # same bar: the cautious reading, stop first
    assert both.outcome == "stop" and "cautious" in both.note
    reckless = TradePlan("long", 100, 90.5, 104, 25)
    liq = replay(reckless, bars([(100, 100.2, 95.0, 95.5)]))
    assert liq.outcome == "liquidation" and liq.margin_pct == -100.0
    short = replay(TradePlan("short", 100, 102, 95, 4), bars([(100, 100.5, 99, 99.5), (99.5, 99.8, 94, 94.5)]))
    assert short.outcome == "target" and short.pnl_pct == pytest.approx(5.0)
    still = replay(plan, bars([(100, 100.5, 99.5, 101.0)]))
    assert still.outcome == "open" and still.r == pytest.approx(0.5)


def test_gap_through_the_stop_fills_at_the_open() -> None:
    result = replay(TradePlan("long", 100, 98, 104, 2), bars([(100, 100.2, 99.5, 99.8), (97.0, 97.5, 96.5, 97.2)]))
    assert result.outcome == "stop" and result.exit_price == 97.0 and "gap" in result.note
