"""Sentiment balance on hand-built books and on the simulator; the page under AppTest."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_market, run_page

from liqcore import ModelConfig, estimate, load_csv, simulate
from liqcore.charts.sentiment import balance_gauge, balance_over_time
from liqcore.heatmap import Heatmap
from liqcore.market import Market
from liqcore.profile import Profile
from liqcore.sentiment import (
    CheckRow,
    SentimentConfig,
    _verdict,
    balance_series,
    first_touch,
    first_touches,
    historical_check,
    label,
    nearest_clusters,
)
from liqcore.stats import spearman, wilson_interval


def heatmap(long: list[float], short: list[float], price: float = 105.0) -> tuple[Heatmap, object]:
    n = len(long)
    edges = np.arange(100.0, 100.0 + n + 1)
    market = make_market(np.full(3, price))
    times = market.bars.index
    hm = Heatmap(
        times=times[-1:],
        price_edges=edges,
        long=np.array([long], float),
        short=np.array([short], float),
        implied=pd.DataFrame({"long_usd": 0.0, "short_usd": 0.0}, index=times),
        close=np.array([price]),
        config=ModelConfig(),
        driver="open interest",
    )
    return hm, market


def test_all_mass_above_is_plus_one_and_symmetric_is_zero() -> None:
    hm, m = heatmap([0] * 10, [0, 0, 0, 0, 0, 0, 5, 5, 0, 0])
    assert balance_series(hm, m, SentimentConfig(size=10)).balance.iloc[0] == pytest.approx(1)
    hm, m = heatmap([0, 0, 0, 4, 0, 0, 4, 0, 0, 0], [0, 0, 0, 0, 0, 0, 4, 0, 0, 0], price=105.0)
    sym, m2 = heatmap([0, 0, 0, 4, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 4, 0, 0, 0], price=105.0)
    assert balance_series(sym, m2, SentimentConfig(size=10, weighted=False)).balance.iloc[0] == pytest.approx(0)


def test_window_excludes_far_clusters_and_weighting_favours_near_ones() -> None:
    hm, m = heatmap([0, 10, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 3, 0, 0, 0, 0], price=104.6)
    narrow = balance_series(hm, m, SentimentConfig(size=1.5, weighted=False)).iloc[0]
    assert narrow.below_usd == 0 and narrow.balance == pytest.approx(1)
    wide = balance_series(hm, m, SentimentConfig(size=10, weighted=False)).iloc[0]
    near = balance_series(hm, m, SentimentConfig(size=10, weighted=True)).iloc[0]
    assert wide.balance < 0 and near.balance > wide.balance


def test_atr_window_scales_with_atr_and_empty_window_is_flagged() -> None:
    # Bars range 0.1 % around 105, so ATR = 0.21: ×10 reaches 2.1 (the short 1.5 above), ×20 also the long 3.5 below.
    hm, m = heatmap([0, 4, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 4, 0, 0, 0], price=105.0)
    near = balance_series(hm, m, SentimentConfig(window="atr", size=10, weighted=False)).iloc[0]
    wide = balance_series(hm, m, SentimentConfig(window="atr", size=20, weighted=False)).iloc[0]
    assert (near.above_usd, near.below_usd, near.balance) == (4, 0, 1)
    assert (wide.above_usd, wide.below_usd, wide.balance) == (4, 4, 0)
    empty = balance_series(hm, m, SentimentConfig(window="atr", size=1)).iloc[0]
    assert empty.balance == 0 and empty.label == "no exposure in window"
    with pytest.raises(ValueError, match="window"):
        balance_series(hm, m, SentimentConfig(window="bars"))


def test_each_snapshot_carries_the_price_it_was_read_at() -> None:
    # The balance-over-time chart draws the price above the balance from this column.
    hm, m = heatmap([0, 0, 0, 4, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 4, 0, 0, 0], price=104.2)
    series = balance_series(hm, m, SentimentConfig(size=10))
    assert list(series.columns[:1]) == ["price"] and series["price"].tolist() == [104.2]


def test_a_label_never_read_is_a_row_of_zero_readings_not_an_error() -> None:
    market = make_market(100 + np.sin(np.arange(200) / 5))
    series = pd.DataFrame({"label": "balanced"}, index=market.bars.index[:150])
    check = historical_check(series, market, horizon=12)
    assert [(row.label, row.n, row.hits) for row in check.rows] == [
        ("short-squeeze risk", 0, 0),
        ("long-squeeze risk", 0, 0),
    ]
    assert all(np.isnan(row.rate) and np.isnan(row.mean_return_pct) for row in check.rows)
    assert "too few “short-squeeze risk” readings to judge (n = 0)" in check.verdict


def test_nearest_big_cluster_per_side_ignores_small_ripples() -> None:
    edges = np.arange(90.0, 111.0)
    long = np.zeros(20)
    long[[2, 3, 4]] = [50, 100, 50]  # wall around 93.5
    long[8] = 1  # ripple at 98.5, under 5 % of the side
    short = np.zeros(20)
    short[[14, 15, 16]] = [20, 40, 20]
    prof = Profile(pd.Timestamp("2026-01-01", tz="UTC"), 100.0, edges, long, short)
    near = nearest_clusters(prof).set_index("side")
    assert list(near.index) == ["short", "long"]
    assert near.loc["long", "peak_price"] == pytest.approx(93.5)
    assert near.loc["short", "peak_price"] == pytest.approx(105.5)
    assert nearest_clusters(Profile(prof.time, 100.0, edges, np.zeros(20), short)).side.tolist() == ["short"]


def test_labels_use_the_visible_threshold() -> None:
    assert label(0.3, 0.2) == "short-squeeze risk"
    assert label(-0.3, 0.2) == "long-squeeze risk"
    assert label(0.1, 0.2) == "balanced" and label(0.3, 0.5) == "balanced"


def test_first_touch_sees_which_side_is_reached_first() -> None:
    market = make_market([100, 100, 103, 97, 100], spread=0.0)
    assert first_touch(market, 1, 3, 2.0) == 1
    assert first_touch(market, 1, 3, 5.0) == 0


def test_first_touches_of_many_bars_equal_walking_each_window() -> None:
    bars = simulate("fakeout", 1).market.bars
    high, low, close = bars["high"].to_numpy(), bars["low"].to_numpy(), bars["close"].to_numpy()
    starts = np.arange(0, len(bars), 3)
    distance = np.abs(np.random.default_rng(0).normal(0, 3 * float(np.median(high - low)), len(starts)))
    fast = first_touches(simulate("fakeout", 1).market, starts, 24, distance)
    for bar, reach, touch in zip(starts, distance, fast, strict=True):
        up = np.flatnonzero(high[bar + 1 : bar + 25] >= close[bar] + reach)
        down = np.flatnonzero(low[bar + 1 : bar + 25] <= close[bar] - reach)
        first_up, first_down = (up[0] if len(up) else 99), (down[0] if len(down) else 99)
        assert touch == (1 if first_up < first_down else -1 if first_down < first_up else 0)
    assert {-1, 0, 1} <= set(fast)  # every outcome occurs: the comparison is not one-sided


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_short_squeeze_shows_shorts_exposed_before_the_squeeze(seed: int) -> None:
    sim = simulate("short_squeeze", seed)
    series = balance_series(estimate(sim.market, columns=300), sim.market)
    n = len(series)
    assert series.balance.iloc[int(0.5 * n) : int(0.7 * n)].mean() > 0


def test_estimated_balance_tracks_the_simulators_true_book() -> None:
    sim = simulate("short_squeeze", 0)
    est = estimate(sim.market, columns=40)
    books = [sim.book(t, price_edges=est.price_edges) for t in est.times]
    truth = Heatmap(
        times=est.times,
        price_edges=est.price_edges,
        long=np.array([b.long for b in books]),
        short=np.array([b.short for b in books]),
        implied=est.implied,
        close=est.close,
        config=est.config,
        driver=est.driver,
    )
    rho = spearman(balance_series(est, sim.market).balance, balance_series(truth, sim.market).balance)
    assert rho > 0.6


def _expected_part(row: CheckRow) -> str:
    """What the verdict must say about one row, from that row's own numbers (the rule the page states)."""
    if row.n < 10:
        return f"too few “{row.label}” readings to judge (n = {row.n})"
    if row.low > row.base_rate:
        return "an edge on this data"
    if row.high < row.base_rate:
        return "price went the other way more often than usual"
    return "no edge found on this data"


def _assert_verdict_follows_rows(check) -> None:
    assert [row.label for row in check.rows] == ["short-squeeze risk", "long-squeeze risk"]
    assert check.verdict.endswith(".") and not check.verdict.endswith("..")
    parts = re.split(r"; (?=after “|too few)", check.verdict.rstrip("."))
    assert len(parts) == len(check.rows)
    for part, row in zip(parts, check.rows, strict=True):
        assert _expected_part(row) in part, (part, row)
        edge, other_way = "an edge on this data" in part, "other way" in part
        assert (edge, other_way) == (row.n >= 10 and row.low > row.base_rate, row.n >= 10 and row.high < row.base_rate)


def test_historical_check_reports_sample_sizes_and_a_plain_verdict() -> None:
    sim = simulate("range", 0)
    series = balance_series(estimate(sim.market, columns=200), sim.market)
    check = historical_check(series, sim.market, horizon=12)
    assert all(row.n >= 0 and (row.n == 0 or 0 <= row.low <= row.rate <= row.high <= 1) for row in check.rows)
    _assert_verdict_follows_rows(check)
    assert list(check.table.columns)[1] == "snapshots (n)"
    closes = sim.market.bars["close"]
    starts = closes.index.get_indexer(series.index)
    starts = starts[starts + 12 < len(closes)]
    forward = 100 * (closes.to_numpy()[starts + 12] / closes.to_numpy()[starts] - 1)
    assert check.base_return_pct == pytest.approx(forward.mean())


def test_balance_uses_no_future_bars_once_the_bin_height_is_fixed() -> None:
    # The automatic bin height depends on the whole loaded range (a small effect); with it fixed, nothing later leaks.
    sim, config = simulate("short_squeeze", 1, bars=600), ModelConfig(bin_size=25.0)
    cut = Market(sim.market.bars.iloc[:400], sim.market.symbol)
    full = balance_series(estimate(sim.market, config), sim.market)
    part = balance_series(estimate(cut, config), cut)
    assert np.allclose(full.balance.iloc[:400], part.balance)


def test_verdict_claims_an_edge_only_when_the_interval_clears_the_base_rate() -> None:
    def row(hits: int, n: int, base: float) -> CheckRow:
        return CheckRow("short-squeeze risk", n, hits, hits / n, *wilson_interval(hits, n), base, 0.0)

    assert "an edge on this data" in _verdict([row(80, 100, 0.5)])
    assert "no edge found" in _verdict([row(55, 100, 0.5)]) and "other way" not in _verdict([row(55, 100, 0.5)])
    assert "other way" in _verdict([row(20, 100, 0.5)])
    assert "too few" in _verdict([row(5, 8, 0.1)])


def test_sentiment_page_renders() -> None:
    at = run_page("pages/sentiment.py")
    assert not at.exception
    assert at.title[0].value.startswith("Sentiment")
    assert len(at.metric) >= 3 and len(at.dataframe) == 2  # history check, truth versus estimate
    analysis = at.session_state["analysis"]
    series = balance_series(analysis.heatmap, analysis.market, SentimentConfig())
    check = historical_check(series, analysis.market, 24)
    shown = at.dataframe[0].value.set_index("after a reading of")  # a column per reading: it fits a phone
    assert list(shown.columns) == [r.label for r in check.rows] == ["short-squeeze risk", "long-squeeze risk"]
    for r in check.rows:
        assert shown.loc["snapshots (n)", r.label] == f"{r.n:,}"
        assert shown.loc["heavier side first", r.label] == f"{100 * r.rate:.1f} %"
        assert shown.loc["base rate", r.label] == f"{100 * r.base_rate:.1f} %"
        assert shown.loc["return, next 24 bars", r.label] == f"{r.mean_return_pct:+.2f} %"
    assert at.info[0].value == historical_check(series, analysis.market, 24).verdict  # the defaults' own verdict
    assert any(c.value.startswith("Nearest big") for c in at.caption)
    assert not at.warning  # the default simulator has open interest, so no volume-proxy warning


REAL_CSV = (
    Path(__file__).parents[2]
    / "shared/data/real/cg_ismethanhtung/cg_btc_30m_price_liq_oi_funding_2026-05-21_2026-06-08.csv"
)


@pytest.mark.skipif(not REAL_CSV.exists(), reason="../shared/data/real is not beside the repo")
def test_real_btc_file_gives_a_reading_and_a_plain_verdict() -> None:
    market = load_csv(REAL_CSV)
    series = balance_series(estimate(market, columns=300), market, SentimentConfig())
    assert series.balance.between(-1, 1).all() and (series.above_usd + series.below_usd).iloc[-1] > 0
    check = historical_check(series, market, horizon=24)
    assert sum(row.n for row in check.rows) >= 100
    _assert_verdict_follows_rows(check)


def test_charts_share_time_and_carry_usd_totals() -> None:
    sim = simulate("range", 0, bars=300)
    series = balance_series(estimate(sim.market, columns=100), sim.market)
    over_time = balance_over_time(series, 0.2).to_dict()
    assert over_time["resolve"]["scale"]["x"] == "shared" and len(over_time["vconcat"]) == 2
    bars = over_time["vconcat"][1]
    assert bars["encoding"]["color"]["field"] == "label" and "±0.2" in bars["encoding"]["color"]["legend"]["title"]
    gauge = balance_gauge(0.4, 0.2, 1.5e6, 0.5e6)
    marker = gauge.layer[1]
    assert marker.data.iloc[0].to_dict() == {"balance": 0.4, "above_usd": 1.5e6, "below_usd": 0.5e6}
    assert "USD" in str(gauge.to_dict())


def test_the_window_is_described_in_the_unit_it_is_measured_in() -> None:
    assert SentimentConfig(window="pct", size=3.0).describe_window() == "±3 % (nearer counts more)"
    assert SentimentConfig(window="atr", size=10.0, weighted=False).describe_window() == "±10 × ATR"
