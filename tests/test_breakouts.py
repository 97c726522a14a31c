"""Fakeout scanner on hand-built price paths and books: detection, fuel, outcomes, no look-ahead, verdict."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_market

from liqcore import ModelConfig, analyse, estimate, load_csv, simulate
from liqcore.breakouts import BreakoutConfig, find_breakouts, hit_rates, scan, verdict
from liqcore.heatmap import Heatmap
from liqcore.market import Market
from tests.test_chart_titles import lines_too_long_for_a_phone

EDGES = np.arange(90.0, 110.01, 0.5)
REAL = Path(__file__).parents[2] / "shared/data/real"
REAL_30M = REAL / "cg_ismethanhtung/cg_btc_30m_price_liq_oi_funding_2026-05-21_2026-06-08.csv"
CONFIG = BreakoutConfig(range_bars=5, fuel_pct=1.0, horizon=4, follow_atr=1.0)


def book(market: Market, short_above: float = 0.0, long_below: float = 0.0) -> Heatmap:
    """One snapshot at the first bar: `short_above` USD in 100.5–101, `long_below` USD in 99–99.5."""
    short = np.zeros(len(EDGES) - 1)
    long = np.zeros(len(EDGES) - 1)
    short[np.searchsorted(EDGES, 100.5)] = short_above
    long[np.searchsorted(EDGES, 99.0)] = long_below
    times = market.bars.index
    return Heatmap(
        times=times[:1],
        price_edges=EDGES,
        long=long[None, :],
        short=short[None, :],
        implied=pd.DataFrame({"long_usd": 0.0, "short_usd": 0.0}, index=times),
        close=np.array([100.0]),
        config=ModelConfig(),
        driver="open interest",
    )


def path(after: list[float]) -> Market:
    return make_market([100.0] * 6 + after, spread=0.001)


def test_clean_breakout_follows_through() -> None:
    market = path([100.6, 101.5, 102.5, 103.0, 103.0])
    events = find_breakouts(market, book(market, short_above=5e6), CONFIG)
    first = events.iloc[0]
    assert (first["direction"], first["bar"], first["outcome"]) == ("up", 6, "follow-through")
    assert first["level"] == pytest.approx(100.1)
    assert first["fuel_usd"] == pytest.approx(5e6)
    assert len(events) == 1  # the run of closes above the range counts once


def test_breakout_that_snaps_back_is_a_fakeout() -> None:
    market = path([100.6, 100.05, 100.0, 100.0, 100.0])
    first = find_breakouts(market, book(market), CONFIG).iloc[0]
    assert first["outcome"] == "fakeout"
    assert first["bars_to_outcome"] == 1
    assert first["fuel_usd"] == 0


def test_downside_breakout_reads_longs_below() -> None:
    market = path([99.4, 97.5, 96.0, 96.0, 96.0])
    first = find_breakouts(market, book(market, short_above=9e6, long_below=2e6), CONFIG).iloc[0]
    assert first["direction"] == "down"
    assert first["fuel_usd"] == pytest.approx(2e6)
    assert first["outcome"] == "follow-through"


@pytest.mark.parametrize(("direction", "wick", "after"), [("down", 99.0, [99.6, 97.5]), ("up", 101.0, [100.4, 102.5])])
def test_the_bar_just_before_counts_in_the_range_a_breakout_must_clear(direction, wick, after) -> None:
    # Bar 6 closes at 100 but wicks to `wick`; bar 7 closes beyond the old range yet inside that wick (no breakout);
    # bar 8 clears the wick: the breakout is bar 8 and its level is the wick.
    market = path([100.0, *after, *[after[-1]] * 4])
    bars = market.bars.copy()
    bars.iloc[6, bars.columns.get_loc("low" if direction == "down" else "high")] = wick
    market = Market(bars, market.symbol)
    first = find_breakouts(market, book(market), CONFIG).iloc[0]
    assert (first["direction"], first["bar"]) == (direction, 8)
    assert first["level"] == pytest.approx(wick)


def test_fuel_counts_bins_beyond_the_level_pro_rata_and_none_behind_it() -> None:
    market = path([100.6, 101.5, 102.5, 103.0, 103.0])
    heatmap = book(market, short_above=1e6)
    short = heatmap.short.copy()
    short[0, np.searchsorted(EDGES, 99.5)] = 7e6  # 99.5–100: behind the 100.1 level, never fuel
    short[0, np.searchsorted(EDGES, 101.0)] = 2e6  # 101–101.5: the 1 % window ends at 101.101, a fifth of it
    first = find_breakouts(market, replace(heatmap, short=short), CONFIG).iloc[0]
    assert first["level"] == pytest.approx(100.1)
    assert first["fuel_usd"] == pytest.approx(1e6 + 2e6 * (100.1 * 1.01 - 101.0) / 0.5)


def test_a_breakout_after_the_last_snapshot_reads_that_snapshot() -> None:
    market = path([100.6, 101.5, 102.5, 103.0, 103.0])
    first = book(market, short_above=1e6)
    # Two snapshots (bars 0 and 3, both before the breakout at bar 6); only the later one holds shorts above.
    later = Heatmap(
        times=market.bars.index[[0, 3]],
        price_edges=EDGES,
        long=np.vstack([first.long, first.long]),
        short=np.vstack([np.zeros_like(first.short), 4 * first.short]),
        implied=first.implied,
        close=np.array([100.0, 100.0]),
        config=first.config,
        driver=first.driver,
    )
    event = find_breakouts(market, later, CONFIG).iloc[0]
    assert event["bar"] == 6 and event["fuel_usd"] == pytest.approx(4e6)


def test_a_zone_without_finished_breakouts_has_no_rates_rather_than_zero() -> None:
    market = path([100.6, 101.5, 102.5, 103.0, 103.0])
    events = find_breakouts(market, book(market, short_above=5e6), CONFIG)
    table = hit_rates(events.assign(zone="dense")).set_index("zone")
    assert table.loc["thin", "n"] == 0
    assert table.loc["thin", ["fakeout_rate", "follow_rate", "fakeout_low", "follow_high"]].isna().all()
    assert table.loc["dense", "follow_rate"] == 1.0 and table.loc["dense", "unresolved"] == 0


def test_breakout_near_the_end_is_open_and_not_counted() -> None:
    market = path([100.6, 100.7])
    events = find_breakouts(market, book(market), CONFIG)
    assert events.iloc[0]["outcome"] == "open"
    assert hit_rates(events)["n"].sum() == 0


def test_no_look_ahead_future_bars_and_maps_do_not_change_detection_or_fuel() -> None:
    base = [100.6, 101.5, 102.5, 103.0, 103.0]
    market = path(base)
    hm = book(market, short_above=5e6)
    original = find_breakouts(market, hm, CONFIG).iloc[0]
    changed = path([100.6, 90.0, 120.0, 80.0, 100.0])
    later = pd.DatetimeIndex([market.bars.index[0], market.bars.index[8]])
    hm_future = Heatmap(
        times=later,
        price_edges=EDGES,
        long=np.vstack([hm.long, np.full_like(hm.long, 1e9)]),
        short=np.vstack([hm.short, np.full_like(hm.short, 1e9)]),
        implied=hm.implied,
        close=np.array([100.0, 100.0]),
        config=hm.config,
        driver=hm.driver,
    )
    again = find_breakouts(changed, hm_future, CONFIG).iloc[0]
    for column in ("time", "bar", "direction", "level", "close", "fuel_usd"):
        assert again[column] == original[column]
    # the level uses only earlier bars: a breakout bar's own high never raises its level
    assert original["level"] < original["close"]


def test_zones_split_at_the_percentile_and_verdict_reports_rates() -> None:
    events = pd.DataFrame(
        {
            "zone": ["thin"] * 25 + ["dense"] * 21,
            "outcome": ["fakeout"] * 16 + ["follow-through"] * 9 + ["fakeout"] * 8 + ["follow-through"] * 13,
        }
    )
    table = hit_rates(events)
    thin = table.set_index("zone").loc["thin"]
    assert thin["n"] == 25 and thin["fakeout_rate"] == pytest.approx(0.64)
    assert thin["fakeout_low"] < 0.64 < thin["fakeout_high"]
    text = verdict(table)
    assert "thin-zone breakouts failed 64 % (n = 25) vs dense 38 % (n = 21)" in text
    assert text.startswith("No difference")  # these intervals overlap
    far = pd.DataFrame({"zone": ["thin"] * 60 + ["dense"] * 60, "outcome": ["fakeout"] * 100 + ["follow-through"] * 20})
    assert not verdict(hit_rates(far)).startswith("No difference")
    assert verdict(hit_rates(events.head(3))).startswith("Too few")


def test_verdict_compares_zones_with_exactly_min_n_breakouts_each_and_not_with_one_fewer() -> None:
    events = pd.DataFrame({"zone": ["thin"] * 5 + ["dense"] * 5, "outcome": ["fakeout", "follow-through"] * 5})
    assert verdict(hit_rates(events), min_n=5).startswith("No difference on this data")
    assert verdict(hit_rates(events.iloc[1:]), min_n=5).startswith("Too few breakouts to compare (thin n = 4")


def test_scan_on_the_simulator_is_consistent() -> None:
    sim = simulate("fakeout", seed=3)
    result = scan(analyse(sim, ModelConfig(), snapshots=200), BreakoutConfig())
    events = result.frame
    assert len(events) > 10
    dense = events["zone"] == "dense"
    assert (events.loc[dense, "fuel_usd"] >= result.dense_threshold_usd).all()
    assert (events.loc[~dense, "fuel_usd"] < result.dense_threshold_usd).all()
    assert set(events["outcome"]) <= {"follow-through", "fakeout", "unresolved", "open"}
    assert result.table["n"].sum() == (events["outcome"] != "open").sum()
    assert "n =" in result.verdict


def _scanner_script() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path.cwd()))
    from liqcore import ModelConfig, analyse, simulate
    from pages.components.breakouts import render_breakout_scanner

    render_breakout_scanner(analyse(simulate("fakeout", seed=3), ModelConfig(), snapshots=200))


def test_scanner_component_shows_chart_table_and_verdict() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_scanner_script, default_timeout=90).run()
    assert not at.exception
    table = at.table[0].value
    assert list(table.index) == ["Thin (little fuel)", "Dense (much fuel)"]
    assert table["Failed (fakeout)"].str.endswith("%").all()
    assert "n =" in at.info[0].value
    at.number_input(key="bo_range_bars").set_value(12).run()
    assert not at.exception
    assert at.table[0].value["Breakouts (n)"].astype(int).sum() > table["Breakouts (n)"].astype(int).sum()


def test_heatmap_page_offers_the_scanner_below_the_map() -> None:
    from conftest import run_page

    at = run_page("pages/heatmap.py", {"hm_section": "scanner"})
    assert not at.exception
    assert lines_too_long_for_a_phone(at.get("vega_lite_chart")) == []
    assert any(s.value.startswith("Fakeout scanner") for s in at.subheader)
    assert any("n =" in info.value for info in at.info)


@pytest.mark.skipif(not REAL_30M.exists(), reason="real exchange data (shared/data/real) not available")
def test_scan_on_real_30m_btc_has_both_zones_and_honest_verdict() -> None:
    market = load_csv(REAL_30M)
    result = scan(analyse(market, ModelConfig(), snapshots=len(market.bars)))
    table = result.table.set_index("zone")
    assert table["n"].min() >= 15  # measured 22 thin / 22 dense with the defaults
    thin, dense = table.loc["thin"], table.loc["dense"]
    overlap = thin["fakeout_low"] <= dense["fakeout_high"] and dense["fakeout_low"] <= thin["fakeout_high"]
    # both zones have enough breakouts, so the verdict is the one the table's own 95 % intervals call for
    assert result.verdict.startswith("No difference" if overlap else "Thin-zone breakouts failed")
    assert f"(n = {int(thin['n'])})" in result.verdict and f"(n = {int(dense['n'])})" in result.verdict


def test_charts_encode_zone_outcome_and_plan_levels() -> None:
    from liqcore.charts.breakouts import breakout_layer, plan_chart, replay_chart
    from liqcore.plan import TradePlan
    from liqcore.profile import Profile

    market = path([100.6, 101.5, 102.5, 103.0, 103.0])
    events = find_breakouts(market, book(market, short_above=5e6), CONFIG)
    spec = breakout_layer(events).to_dict()
    assert spec["encoding"]["color"]["field"] == "zone" and spec["encoding"]["shape"]["field"] == "outcome"
    assert spec["encoding"]["x"]["scale"]["type"] == "utc"
    hm = book(market, short_above=5e6, long_below=2e6)
    profile = Profile(hm.times[0], 100.0, hm.price_edges, hm.long[0], hm.short[0])
    plan = TradePlan("long", 100.0, 98.0, 104.0, 5)
    spec = plan_chart(profile, plan).to_dict()
    rows = [row for data in spec["datasets"].values() for row in data if "level" in row]
    assert {row["level"]: row["price"] for row in rows} == pytest.approx(
        {"entry": 100.0, "stop": 98.0, "target": 104.0, "liquidation": plan.liquidation}
    )
    assert "USD" in spec["layer"][0]["encoding"]["x"]["title"]
    replay = replay_chart(market.bars[["open", "high", "low", "close"]], market.bars.index[6], plan).to_dict()
    assert len(replay["layer"]) == 4


def _walk(market: Market, heatmap: Heatmap, event: pd.Series, config: BreakoutConfig) -> tuple[float, str, int]:
    """One breakout read literally: fuel bin by bin in its snapshot, then the M bars after it one at a time."""
    column = heatmap.column_at(event["time"])
    edges, level = heatmap.price_edges, event["level"]
    up = event["direction"] == "up"
    low, high = (level, level * (1 + config.fuel_pct / 100)) if up else (level * (1 - config.fuel_pct / 100), level)
    values = heatmap.short[column] if up else heatmap.long[column]
    fuel = sum(
        v * max(0.0, min(b, high) - max(a, low)) / (b - a)
        for v, a, b in zip(values, edges[:-1], edges[1:], strict=True)
    )
    bars, bar, move = market.bars, int(event["bar"]), config.follow_atr * event["atr"]
    for j in range(bar + 1, min(bar + config.horizon, len(bars) - 1) + 1):
        if (bars["high"].iloc[j] >= event["close"] + move) if up else (bars["low"].iloc[j] <= event["close"] - move):
            return fuel, "follow-through", j - bar
        if (bars["close"].iloc[j] <= level) if up else (bars["close"].iloc[j] >= level):
            return fuel, "fakeout", j - bar
    return (fuel, "unresolved", config.horizon) if bar + config.horizon < len(bars) else (fuel, "open", -1)


@pytest.mark.parametrize("config", [BreakoutConfig(), BreakoutConfig(range_bars=12, fuel_pct=3.0, horizon=40)])
def test_vectorised_scan_equals_walking_each_breakout(config: BreakoutConfig) -> None:
    sim = simulate("fakeout", 4)
    heatmap = estimate(sim.market, columns=150)
    events = find_breakouts(sim.market, heatmap, config)
    assert len(events) > 50 and set(events["outcome"]) >= {"follow-through", "fakeout"}
    for _, event in events.iterrows():
        fuel, outcome, after = _walk(sim.market, heatmap, event, config)
        assert event["fuel_usd"] == pytest.approx(fuel, rel=1e-12, abs=1e-6)
        assert (event["outcome"], event["bars_to_outcome"]) == (outcome, after)


def test_breakout_chart_caps_its_markers_evenly_in_time_and_says_so() -> None:
    from liqcore.charts.breakouts import breakout_chart

    sim = simulate("fakeout", 4)
    events = find_breakouts(sim.market, estimate(sim.market, columns=150))
    candles = sim.market.bars.reset_index(names="time")
    capped = breakout_chart(candles, events, max_markers=40).to_dict()
    markers = next(rows for rows in capped["datasets"].values() if rows and "outcome" in rows[0])
    assert len(markers) == 40 and len(events) > 80
    drawn = pd.to_datetime([row["time"] for row in markers])
    assert drawn[0] == events["time"].iloc[0] and drawn[-1] == events["time"].iloc[-1]  # the whole span, not a head
    assert capped["title"]["text"][0] == f"40 of {len(events):,} breakouts drawn"
    assert "evenly spaced in time" in " ".join(capped["title"]["text"])
    whole = breakout_chart(candles, events, max_markers=len(events)).to_dict()
    assert "title" not in whole
    assert len(next(rows for rows in whole["datasets"].values() if rows and "outcome" in rows[0])) == len(events)
