"""The cohort model: fast engine equals the reference, and the model's invariants hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_market
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liqcore import DataError, ModelConfig, estimate
from liqcore.cohorts import prepare
from liqcore.market import Market


@st.composite
def markets(draw: st.DrawFn) -> Market:
    n = draw(st.integers(3, 60))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    vol = draw(st.sampled_from([0.001, 0.01, 0.05]))
    close = 100 * np.exp(np.cumsum(rng.normal(0, vol, n)))
    open_ = np.concatenate(([close[0]], close[:-1]))
    wick = np.abs(rng.normal(0, vol, (2, n)))
    frame = pd.DataFrame(
        {
            "open": open_,
            "high": np.maximum(open_, close) * (1 + wick[0]),
            "low": np.minimum(open_, close) * (1 - wick[1]),
            "close": close,
        },
        index=pd.date_range("2026-01-01", periods=n, freq="1h", tz="UTC"),
    )
    volume = rng.uniform(1, 10, n)
    if draw(st.booleans()):
        frame["volume"] = volume
        frame["quote_volume"] = volume * (frame["high"] + frame["low"]) / 2
        frame["taker_buy_volume"] = volume * rng.uniform(0, 1, n)
        frame["long_short_ratio"] = rng.uniform(0.3, 3, n)
    else:
        frame["volume"] = volume
    if draw(st.booleans()):
        oi = 1_000 * np.exp(np.cumsum(rng.normal(0, 0.05, n)))
        oi[rng.uniform(size=n) < 0.1] = np.nan
        frame["open_interest"] = oi
    if draw(st.booleans()) and n > 4:
        frame = frame.drop(frame.index[n // 2])
    return Market(frame, draw(st.sampled_from(["BTCUSDT", "ETHUSDT", "XYZUSDT"])))


@st.composite
def configs(draw: st.DrawFn) -> ModelConfig:
    k = draw(st.integers(1, 4))
    tiers = tuple(sorted(draw(st.lists(st.floats(1.5, 125), min_size=k, max_size=k))))
    weights = st.lists(st.floats(0.01, 1), min_size=k, max_size=k).map(tuple)
    return ModelConfig(
        leverage_tiers=tiers,
        long_weights=draw(weights),
        short_weights=draw(weights),
        taker_tilt=draw(st.floats(0, 1)),
        crowd_tilt=draw(st.floats(0, 1)),
        entry_rule=draw(st.sampled_from(["vwap", "typical", "range"])),
        entry_points=draw(st.integers(1, 3)),
        entry_width=draw(st.floats(0.05, 1.0)),
        close_rule=draw(st.sampled_from(["pro_rata", "oldest_first"])),
        turnover_per_hour=draw(st.one_of(st.just(0.0), st.floats(0.0, 0.9))),
        same_bar_liquidations=draw(st.booleans()),
        decay_half_life_hours=draw(st.one_of(st.none(), st.floats(0.5, 100))),
        max_age_hours=draw(st.one_of(st.none(), st.floats(0.5, 100))),
        bin_size=draw(st.one_of(st.none(), st.floats(0.05, 5))),
        max_bins=draw(st.integers(10, 120)),
        contract=draw(st.sampled_from(["linear", "inverse"])),
    )


def _assert_same(a: np.ndarray, b: np.ndarray) -> None:
    scale = max(float(np.abs(b).max(initial=0.0)), 1e-300)
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * scale)


def with_ties(market: Market, config: ModelConfig, born: int, side: str) -> Market:
    """The market with the next bar's low (high) set exactly at a long (short) cohort's liquidation price of bar
    `born`, where the candle allows it: the equivalence must hold when price touches a level without passing it."""
    inputs = prepare(market, config)
    if born + 1 >= len(market) or inputs.opened[born] <= 0:
        return market
    bars = market.bars.copy()
    t = bars.index[born + 1]
    body_low, body_high = min(bars.at[t, "open"], bars.at[t, "close"]), max(bars.at[t, "open"], bars.at[t, "close"])
    if side == "long":
        level = float(inputs.long_liq[born].max())
        if level < body_low:
            bars.at[t, "low"] = level
    else:
        level = float(inputs.short_liq[born].min())
        if level > body_high:
            bars.at[t, "high"] = level
    return Market(bars, market.symbol)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    market=markets(),
    config=configs(),
    columns=st.one_of(st.none(), st.integers(1, 20)),
    tie=st.one_of(st.none(), st.tuples(st.integers(0, 60), st.sampled_from(["long", "short"]))),
)
def test_fast_engine_equals_reference(
    market: Market, config: ModelConfig, columns: int | None, tie: tuple[int, str] | None
) -> None:
    # The reference prepares its own cohorts bar by bar, so this also checks `cohorts.prepare`.
    if tie is not None:
        market = with_ties(market, config, tie[0] % len(market), tie[1])
    fast = estimate(market, config, columns=columns)
    ref = estimate(market, config, columns=columns, engine="reference")
    assert fast.times.equals(ref.times)
    _assert_same(fast.long, ref.long)
    _assert_same(fast.short, ref.short)
    _assert_same(fast.implied.to_numpy(), ref.implied.to_numpy())
    _assert_same(fast.long_by_tier, ref.long_by_tier)


def _wide(**changes: object) -> ModelConfig:
    """A config whose map covers every liquidation price and keeps everything (no decay, no age limit)."""
    base = {
        "decay_half_life_hours": None,
        "max_age_hours": None,
        "price_margin": 0.95,
        "entry_rule": "typical",
        "turnover_per_hour": 0.0,
    }
    return ModelConfig(**{**base, **changes})


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_opened_equals_live_plus_liquidated_when_nothing_closes(engine: str) -> None:
    rng = np.random.default_rng(3)
    closes = 100 * np.exp(np.cumsum(rng.normal(0, 0.03, 200)))
    oi = np.cumsum(rng.uniform(0, 10, 200))  # never falls: nothing closes
    market = make_market(closes, oi, spread=0.01)
    hm = estimate(market, _wide(), engine=engine)
    bars = market.bars
    typical = (bars["high"] + bars["low"] + bars["close"]).to_numpy() / 3
    opened_usd = (np.diff(oi, prepend=np.nan)[1:] * typical[1:]).sum()
    live = hm.long[-1].sum() + hm.short[-1].sum()
    liquidated = hm.implied.to_numpy().sum()
    assert live + liquidated == pytest.approx(2 * opened_usd, rel=1e-9)
    assert liquidated > 0


def test_closes_and_decay_only_remove_notional() -> None:
    rng = np.random.default_rng(4)
    closes = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, 150)))
    oi = 1_000 * np.exp(np.cumsum(rng.normal(0, 0.05, 150)))
    market = make_market(closes, oi, spread=0.01)
    kept = estimate(market, _wide())
    faded = estimate(market, _wide(decay_half_life_hours=1.0))
    for hm in (kept, faded):
        opened = (np.clip(np.diff(oi), 0, None) * closes[1:]).sum() * 2
        assert hm.long[-1].sum() + hm.short[-1].sum() + hm.implied.to_numpy().sum() < opened * 1.05
    assert faded.long[-1].sum() < kept.long[-1].sum()


def test_no_cohort_survives_a_bar_whose_range_crossed_it() -> None:
    # Low leverage and narrow bars: new cohorts sit outside their own bar, so any long heat at or above a bar's
    # low (or short heat at or below its high) at that bar's snapshot would be a cohort that should have died.
    rng = np.random.default_rng(5)
    closes = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))
    oi = 1_000 + np.cumsum(rng.uniform(-5, 10, 300))
    market = make_market(closes, oi, spread=0.002)
    hm = estimate(market, _wide(leverage_tiers=(2.0, 3.0), long_weights=(1, 1), short_weights=(1, 1), bin_size=0.1))
    lows, highs = market.bars["low"].to_numpy(), market.bars["high"].to_numpy()
    edges = hm.price_edges
    for t in range(len(hm.times)):
        assert hm.long[t][edges[:-1] >= lows[t]].sum() == 0
        assert hm.short[t][edges[1:] <= highs[t]].sum() == 0


def test_long_heat_sits_below_price_and_short_heat_above_when_price_stands_still() -> None:
    market = make_market(np.full(50, 100.0), np.linspace(1_000, 2_000, 50))
    hm = estimate(market, ModelConfig())
    centers = hm.centers
    assert hm.long[-1][centers > 100].sum() == 0
    assert hm.short[-1][centers < 100].sum() == 0
    assert hm.long[-1].sum() > 0 and hm.short[-1].sum() > 0


def test_an_unknown_engine_name_is_an_error_naming_it_and_the_choices() -> None:
    market = make_market(np.full(10, 100.0), np.full(10, 1_000.0))
    with pytest.raises(ValueError, match="'fast' or 'reference', got 'turbo'"):
        estimate(market, ModelConfig(), engine="turbo")


def test_flat_open_interest_without_turnover_opens_nothing() -> None:
    rng = np.random.default_rng(6)
    market = make_market(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 80))), np.full(80, 5_000.0))
    hm = estimate(market, ModelConfig(turnover_per_hour=0.0))
    assert hm.long.sum() == 0 and hm.short.sum() == 0 and hm.implied.to_numpy().sum() == 0


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_turnover_fills_the_book_toward_open_interest_at_the_bars_prices(engine: str) -> None:
    # Flat OI, a price that never moves: each 5-minute bar closes a share c of the book and reopens c of the OI, so
    # the book holds (1 − (1 − c)^t) of the OI after t bars — the unknown positions from before the data fill in.
    bars, oi, price, rate = 60, 5_000.0, 250.0, 0.2
    market = make_market(np.full(bars, price), np.full(bars, oi), spread=0.0)
    hm = estimate(market, _wide(turnover_per_hour=rate), engine=engine)
    c = 1 - (1 - rate) ** (5 / 60)
    expected = oi * price * (1 - (1 - c) ** np.arange(bars))
    np.testing.assert_allclose(hm.long.sum(axis=1), expected, rtol=1e-9)
    np.testing.assert_allclose(hm.short.sum(axis=1), expected, rtol=1e-9)
    assert hm.implied.to_numpy().sum() == 0


def test_a_market_that_never_moves_liquidates_nothing() -> None:
    market = make_market(np.full(120, 250.0), np.linspace(10, 500, 120), spread=0.0)
    hm = estimate(market, ModelConfig.preset("aggressive"))
    assert hm.implied.to_numpy().sum() == 0
    assert hm.long[-1].sum() > 0


def test_without_open_interest_the_volume_proxy_drives_the_map_and_says_so() -> None:
    rng = np.random.default_rng(7)
    market = make_market(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 100))), None)
    hm = estimate(market)
    assert hm.driver == "volume proxy"
    assert any("volume proxy" in note for note in hm.notes)
    assert hm.long[-1].sum() > 0


def test_snapshot_columns_are_evenly_spaced_and_end_at_the_last_bar() -> None:
    market = make_market(np.linspace(100, 110, 100), np.linspace(1, 100, 100))
    hm = estimate(market, columns=10)
    assert len(hm.times) == 10 and hm.times[-1] == market.bars.index[-1]
    assert len(hm.implied) == len(market)
    assert hm.long.shape == (10, len(hm.price_edges) - 1)
    full = estimate(market)
    np.testing.assert_allclose(hm.long[-1], full.long[-1])
    assert hm.profile().price == pytest.approx(110)


def test_notebook_use_on_a_hand_made_dataframe() -> None:
    index = pd.date_range("2026-03-01", periods=4, freq="1h", tz="UTC")
    frame = pd.DataFrame(
        {
            "open": [100, 101, 102, 99],
            "high": [102, 103, 103, 101],
            "low": [99, 100, 98, 97],
            "close": [101, 102, 99, 100],
            "open_interest": [10, 12, 15, 14],
        },
        index=index,
    )
    hm = estimate(Market(frame, "TESTUSDT"))
    assert hm.driver == "open interest"
    assert hm.long.shape[0] == 4


def test_prices_alone_raise_a_data_error_that_says_what_to_add() -> None:
    times = pd.date_range("2026-01-01", periods=50, freq="1h", tz="UTC")
    price = np.full(50, 100.0)
    market = Market(pd.DataFrame({"open": price, "high": price, "low": price, "close": price}, index=times), "X")
    with pytest.raises(DataError, match="open_interest' or 'volume'"):
        estimate(market)
