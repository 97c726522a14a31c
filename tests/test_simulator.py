"""The market simulator: exact bookkeeping, realistic statistics, and each scenario's lesson over several seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from liqcore import DataError
from liqcore.brackets import BINANCE_BTCUSDT
from liqcore.simulator import SCENARIOS, simulate

SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def sims() -> dict[tuple[str, int], object]:
    return {(scenario, seed): simulate(scenario, seed) for scenario in SCENARIOS for seed in SEEDS}


def test_default_market_has_every_column_and_two_weeks_of_5m_bars(sims) -> None:
    sim = sims[("range", 0)]
    bars = sim.market.bars
    assert len(bars) == 4032 and sim.market.interval.total_seconds() == 300
    for column in (
        "open",
        "high",
        "low",
        "close",
        "volume",
        "quote_volume",
        "taker_buy_volume",
        "open_interest",
        "open_interest_usd",
        "funding_rate",
        "long_short_ratio",
        "liq_long_usd",
        "liq_short_usd",
    ):
        assert np.isfinite(bars[column]).all(), column
    assert sim.story and "Simulator" in sim.market.source


def test_open_interest_is_exact_bookkeeping(sims) -> None:
    sim = sims[("short_squeeze", 1)]
    pos = sim.positions
    bars = np.arange(len(sim.market))
    for t in bars[::97]:
        alive = (pos["open_bar"] <= t) & (pos["end_bar"] > t)
        long_qty = pos.loc[alive & (pos["side"] == "long"), "qty"].sum()
        short_qty = pos.loc[alive & (pos["side"] == "short"), "qty"].sum()
        assert sim.market.bars["open_interest"].iloc[t] == pytest.approx(max(long_qty, short_qty), rel=1e-9)


def test_every_true_liquidation_is_inside_its_bar(sims) -> None:
    for sim in sims.values():
        liq = sim.liquidations
        bars = sim.market.bars.loc[liq["time"]]
        assert (liq["price"].to_numpy() >= bars["low"].to_numpy() - 1e-9).all()
        assert (liq["price"].to_numpy() <= bars["high"].to_numpy() + 1e-9).all()
        per_bar = liq.groupby(["time", "side"])["notional_usd"].sum().unstack(fill_value=0.0)
        realised = sim.market.bars.loc[per_bar.index, "liq_long_usd"]
        assert realised.to_numpy() == pytest.approx(per_bar.get("long", 0.0).to_numpy())


def test_returns_are_fat_tailed_and_volatility_clusters(sims) -> None:
    for seed in SEEDS:
        close = sims[("range", seed)].market.bars["close"].to_numpy()
        r = np.diff(np.log(close))
        kurtosis = ((r - r.mean()) ** 4).mean() / r.var() ** 2 - 3
        clustering = np.corrcoef(np.abs(r[1:]), np.abs(r[:-1]))[0, 1]
        assert kurtosis > 0
        assert clustering > 0.05


def test_liquidations_concentrate_in_the_largest_moves(sims) -> None:
    bars = sims[("long_cascade", 0)].market.bars
    size = np.log(bars["high"] / bars["low"])
    liq = bars["liq_long_usd"] + bars["liq_short_usd"]
    top = size >= size.quantile(0.95)
    assert liq[top].sum() / liq.sum() > 0.25  # 5 % of bars carry over a quarter of all liquidations


@pytest.mark.parametrize("seed", SEEDS)
def test_scenario_lessons_hold(sims, seed: int) -> None:
    squeeze = sims[("short_squeeze", seed)].market.bars
    assert squeeze["liq_short_usd"].sum() > squeeze["liq_long_usd"].sum()
    assert squeeze["close"].iloc[-1] > squeeze["close"].iloc[0]
    cascade = sims[("long_cascade", seed)].market.bars
    assert cascade["liq_long_usd"].sum() > cascade["liq_short_usd"].sum()
    assert cascade["close"].iloc[-1] < cascade["close"].iloc[0]
    ranged = sims[("range", seed)].market.bars
    ratio = ranged["liq_long_usd"].sum() / ranged["liq_short_usd"].sum()
    assert 0.5 < ratio < 2
    # Fakeout: the first breakout above the earlier range closes back below its level within a few hours.
    fake = sims[("fakeout", seed)].market.bars
    n = len(fake)
    earlier_high = fake["high"].iloc[: int(0.55 * n)].max()
    after = fake["close"].iloc[int(0.55 * n) : int(0.62 * n)]
    assert after.max() > earlier_high * 0.995 or fake["high"].iloc[int(0.55 * n) : int(0.62 * n)].max() > earlier_high
    assert fake["close"].iloc[int(0.62 * n)] < earlier_high


def test_book_matches_later_liquidations(sims) -> None:
    sim = sims[("short_squeeze", 0)]
    t = int(0.65 * len(sim.market))
    book = sim.book(t)
    assert book.short[book.centers < book.price].sum() == 0
    assert book.long[book.centers > book.price].sum() == 0
    pos = sim.positions
    alive = (pos["open_bar"] <= t) & (pos["end_bar"] > t)
    later = pos[alive & pos["liquidated"] & (pos["side"] == "short")]
    assert len(later) > 0
    # Shorts resting in the book at t and liquidated later sit where the book shows short notional.
    bins = np.searchsorted(book.price_edges, later["liq"], side="right") - 1
    inside = (bins >= 0) & (bins < len(book.short))
    assert (book.short[bins[inside]] > 0).all()


def test_same_seed_same_market_and_unknown_scenario_is_explained() -> None:
    a, b = simulate("fakeout", 4, bars=300), simulate("fakeout", 4, bars=300)
    assert a.market.bars.equals(b.market.bars)
    assert not simulate("fakeout", 5, bars=300).market.bars.equals(a.market.bars)
    with pytest.raises(DataError, match="range, short_squeeze, long_cascade, fakeout"):
        simulate("moon")


def test_book_holds_every_open_position_once(sims) -> None:
    sim = sims[("long_cascade", 2)]
    pos = sim.positions
    t = int(0.7 * len(sim.market))
    alive = (pos["open_bar"] <= t) & (pos["end_bar"] > t)
    lo, hi = pos["liq"].min() - 1, pos["liq"].max() + 1
    book = sim.book(sim.market.bars.index[t], price_edges=np.linspace(lo, hi, 50))
    for side in ("long", "short"):
        mine = pos[alive & (pos["side"] == side)]
        assert getattr(book, side).sum() == pytest.approx((mine["qty"] * mine["entry"]).sum(), rel=1e-9)
    # Longs liquidated later, from the book at t, sit where the book shows long notional below price.
    later = pos[alive & pos["liquidated"] & (pos["side"] == "long")]
    assert len(later) > 0
    default = sim.book(t)
    bins = np.searchsorted(default.price_edges, later["liq"], side="right") - 1
    inside = (bins >= 0) & (bins < len(default.long))
    assert inside.mean() > 0.9 and (default.long[bins[inside]] > 0).all()
    last = sim.market.bars.index[-1]
    assert sim.book(-1).time == last and sim.book().time == last
    with pytest.raises(DataError, match="outside"):
        sim.book(len(sim.market))


def test_liquidation_prices_follow_the_margin_formula_and_sit_on_the_right_side(sims) -> None:
    pos = sims[("range", 0)].positions
    long_ = pos["side"] == "long"
    assert (pos.loc[long_, "liq"] < pos.loc[long_, "entry"]).all()
    assert (pos.loc[~long_, "liq"] > pos.loc[~long_, "entry"]).all()
    # Nobody holds more leverage than Binance allows for the size of the position.
    notional = pos["qty"] * pos["entry"]
    for bracket in BINANCE_BTCUSDT.brackets:
        assert (pos.loc[notional > bracket.notional_cap, "leverage"] <= bracket.max_leverage).all()
    assert pos["leverage"].between(1.5, 125).all() and (pos["leverage"] >= 50).mean() > 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_fakeout_second_break_runs_through_the_long_cluster(sims, seed: int) -> None:
    bars = sims[("fakeout", seed)].market.bars
    n = len(bars)
    range_low = bars["low"].iloc[: int(0.55 * n)].min()
    drop = bars.iloc[int(0.8 * n) : int(0.86 * n)]
    assert drop["low"].min() < range_low
    assert drop["liq_long_usd"].sum() > 2 * drop["liq_short_usd"].sum()


def test_other_intervals_and_lengths() -> None:
    sim = simulate("short_squeeze", 3, bars=500, interval="1h")
    assert len(sim.market) == 500 and sim.market.interval.total_seconds() == 3600
    assert sim.market.start == pd.Timestamp("2026-03-02", tz="UTC")
    assert sim.market.bars["open_interest"].gt(0).all()


def test_volumes_funding_and_ratio_follow_the_flows(sims) -> None:
    for sim in sims.values():
        bars = sim.market.bars
        assert (bars["taker_buy_volume"] >= 0).all() and (bars["taker_buy_volume"] <= bars["volume"]).all()
        assert (bars["quote_volume"] >= bars["volume"] * bars["low"] - 1e-6).all()
        assert (bars["quote_volume"] <= bars["volume"] * bars["high"] + 1e-6).all()
        assert np.allclose(bars["open_interest_usd"], bars["open_interest"] * bars["close"])
    # While shorts crowd in (before the squeeze), shorts outnumber longs in the book and longs are paid funding.
    for seed in SEEDS:
        n = len(sims[("short_squeeze", seed)].market)
        build = slice(int(0.4 * n), int(0.68 * n))
        squeeze = sims[("short_squeeze", seed)].market.bars.iloc[build]
        cascade = sims[("long_cascade", seed)].market.bars.iloc[build]
        assert squeeze["long_short_ratio"].median() < 1 < cascade["long_short_ratio"].median()
        assert squeeze["funding_rate"].mean() < cascade["funding_rate"].mean()
