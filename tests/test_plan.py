"""Trade-plan scoring on hand-built books, liquidation vs stop, reward/risk and the replay's hit order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from liqcore.margin import liquidation_price
from liqcore.plan import TradePlan, findings_frame, max_leverage_for_stop, problems, replay, score_plan, suggest_plan
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


def by_topic(plan: TradePlan, book: Profile = BOOK):
    return {f.topic: f for f in score_plan(plan, book)}


def test_stop_inside_or_just_in_front_of_a_cluster_is_flagged_and_beyond_it_is_ok() -> None:
    inside = by_topic(TradePlan("long", 100, 97.6, 103.2, 5))["stop"]
    assert inside.severity == "warning" and "Stop-hunt" in inside.title
    assert "$10M" in inside.detail
    assert by_topic(TradePlan("long", 100, 98.8, 103.2, 5))["stop"].severity == "warning"
    assert by_topic(TradePlan("long", 100, 96.0, 103.2, 5))["stop"].severity == "ok"
    assert by_topic(TradePlan("long", 100, 99.5, 103.2, 5))["stop"].severity == "info"


def test_short_stop_mirrors_the_long_rule() -> None:
    book = profile(short_at={102.0: 9e6})
    assert by_topic(TradePlan("short", 100, 102.3, 97, 5), book)["stop"].severity == "warning"
    assert by_topic(TradePlan("short", 100, 104.0, 97, 5), book)["stop"].severity == "ok"


def test_target_past_an_opposite_cluster_vs_just_before_it() -> None:
    assert by_topic(TradePlan("long", 100, 96.0, 106.0, 5))["target"].severity == "warning"
    for target in (103.2, 104.0):  # just before the short band at 103.5–105, or inside it
        assert by_topic(TradePlan("long", 100, 96.0, target, 5))["target"].severity == "ok"
    assert by_topic(TradePlan("long", 100, 96.0, 102.0, 5))["target"].severity == "info"


def test_reward_risk_is_computed() -> None:
    plan = TradePlan("long", 100, 98, 106, 3)
    assert plan.reward_risk == pytest.approx(3.0)
    rr = by_topic(plan)["reward_risk"]
    assert rr.severity == "ok" and "3.00" in rr.title
    poor = by_topic(TradePlan("short", 100, 104, 98, 3))["reward_risk"]
    assert poor.severity == "warning" and "0.50" in poor.title
    start = suggest_plan(100, "short", 2.0, reward_risk=2.5)
    assert (start.stop, start.target) == (102.0, 95.0)


def test_liquidation_before_the_stop_is_serious_and_listed_first() -> None:
    plan = TradePlan("long", 100, 90.5, 110, 20)  # 20× long liquidates near 95.4, long before 90.5
    assert plan.liquidation == pytest.approx(float(liquidation_price(100, 20, "long", plan.mmr)))
    findings = score_plan(plan, BOOK)
    assert (findings[0].topic, findings[0].severity) == ("liquidation", "serious")
    assert "before your stop" in findings[0].detail
    assert by_topic(TradePlan("long", 100, 98, 110, 3))["liquidation"].severity == "ok"
    assert by_topic(TradePlan("short", 100, 103, 95, 40))["liquidation"].severity == "serious"
    limit = max_leverage_for_stop(100, 95, "long")
    assert liquidation_price(100, limit, "long", plan.mmr) == pytest.approx(95)
    assert liquidation_price(100, max_leverage_for_stop(100, 105, "short"), "short", plan.mmr) == pytest.approx(105)


def test_invalid_plans_are_explained_not_scored() -> None:
    assert problems(TradePlan("long", 100, 101, 105, 5))
    findings = score_plan(TradePlan("short", 100, 99, 95, 5), BOOK)
    assert findings and all(f.severity == "serious" and f.topic == "plan" for f in findings)
    assert list(findings_frame(findings).columns) == ["severity", "topic", "title", "detail"]
    with pytest.raises(ValueError):
        replay(TradePlan("long", 100, 101, 105, 5), pd.DataFrame())


def bars(rows: list[tuple[float, float, float, float]]) -> pd.DataFrame:
    index = pd.date_range("2026-01-01", periods=len(rows), freq="5min", tz="UTC")
    return pd.DataFrame(rows, columns=["open", "high", "low", "close"], index=index)


def test_replay_hit_order_target_stop_liquidation_and_open() -> None:
    plan = TradePlan("long", 100, 98, 104, 5)
    up = replay(plan, bars([(100, 101, 99.5, 100.8), (100.8, 104.5, 100.5, 104.2)]))
    assert (up.exit, up.bars_held, up.exit_price) == ("target", 2, 104)
    assert up.r_multiple == pytest.approx(2.0) and up.pnl_margin_pct == pytest.approx(20.0)
    down = replay(plan, bars([(100, 100.5, 97.5, 98.0)]))
    assert (down.exit, down.r_multiple) == ("stop", pytest.approx(-1.0))
    both = replay(plan, bars([(100, 105, 97, 101)]))  # same bar: the cautious reading, stop first
    assert both.exit == "stop" and "cautious" in both.note
    reckless = TradePlan("long", 100, 90.5, 104, 25)
    liq = replay(reckless, bars([(100, 100.2, 95.0, 95.5)]))
    assert liq.exit == "liquidation" and liq.pnl_margin_pct == -100.0
    short = replay(TradePlan("short", 100, 102, 95, 4), bars([(100, 100.5, 99, 99.5), (99.5, 99.8, 94, 94.5)]))
    assert short.exit == "target" and short.move_pct == pytest.approx(5.0)
    still = replay(plan, bars([(100, 100.5, 99.5, 101.0)]))
    assert still.exit == "open" and still.r_multiple == pytest.approx(0.5)


def test_gap_through_the_stop_fills_at_the_open() -> None:
    result = replay(TradePlan("long", 100, 98, 104, 2), bars([(100, 100.2, 99.5, 99.8), (97.0, 97.5, 96.5, 97.2)]))
    assert result.exit == "stop" and result.exit_price == 97.0 and "gap" in result.note
