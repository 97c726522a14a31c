"""The cohort model's rules on hand-made bars whose answer is known: crossing ties, inverse contracts, the taker
tilt, VWAP entries. Both implementations are checked, so a rule dropped in the shared preparation fails here even
though the fast engine and the reference would still agree with each other."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from liqcore import ModelConfig, estimate
from liqcore.brackets import TABLES
from liqcore.margin import liquidation_price
from liqcore.market import Market

ENGINES = ["fast", "reference"]
MMR = TABLES["generic"].brackets[0].mmr


def _market(rows: list[tuple[float, float, float, float]], oi: list[float], **extra: list[float]) -> Market:
    """Hourly bars from (open, high, low, close) rows, with open interest and any extra columns."""
    frame = pd.DataFrame(rows, columns=["open", "high", "low", "close"], dtype=float)
    frame["open_interest"] = np.asarray(oi, dtype=float)
    for name, values in extra.items():
        frame[name] = np.asarray(values, dtype=float)
    frame.index = pd.date_range("2026-01-01", periods=len(rows), freq="1h", tz="UTC")
    return Market(frame, "XYZUSDT")


def _config(**changes: object) -> ModelConfig:
    """One leverage tier, typical-price entries, nothing fades: every cohort's price is known in closed form."""
    base = {
        "leverage_tiers": (10.0,),
        "long_weights": (1.0,),
        "short_weights": (1.0,),
        "taker_tilt": 0.0,
        "crowd_tilt": 0.0,
        "entry_rule": "typical",
        "decay_half_life_hours": None,
        "max_age_hours": None,
        "brackets": "generic",
        "bin_size": 0.01,
        "price_margin": 0.3,  # the map reaches the 5x prices too
        "turnover_per_hour": 0.0,  # no churn: every cohort is one of the bars' openings
    }
    return ModelConfig(**{**base, **changes})


FLAT = (100.0, 100.0, 100.0, 100.0)  # typical price exactly 100


def _bin_of(heatmap, price: float) -> int:
    return int(np.searchsorted(heatmap.price_edges, price, side="right") - 1)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_low_exactly_at_the_liquidation_price_liquidates_the_long(engine: str) -> None:
    price = liquidation_price(100.0, 10.0, "long", MMR)
    touch = (100.0, 100.0, price, 100.0)
    hm = estimate(_market([FLAT, FLAT, touch, FLAT], [10, 20, 20, 20]), _config(), engine=engine)
    # 10 contracts opened at 100 in bar 1: 1,000 USD on each side, all of the long side gone in bar 2.
    assert hm.implied["long_usd"].tolist() == pytest.approx([0, 0, 1000, 0])
    assert hm.long[-1].sum() == pytest.approx(0)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_low_a_hair_above_the_liquidation_price_leaves_the_long_alive(engine: str) -> None:
    price = liquidation_price(100.0, 10.0, "long", MMR)
    near = (100.0, 100.0, float(np.nextafter(price, np.inf)), 100.0)
    hm = estimate(_market([FLAT, FLAT, near, FLAT], [10, 20, 20, 20]), _config(), engine=engine)
    assert hm.implied["long_usd"].sum() == 0
    assert hm.long[-1].sum() == pytest.approx(1000)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_high_exactly_at_the_liquidation_price_liquidates_the_short_and_a_hair_below_does_not(engine: str) -> None:
    price = liquidation_price(100.0, 10.0, "short", MMR)
    touch = (100.0, price, 100.0, 100.0)
    near = (100.0, float(np.nextafter(price, -np.inf)), 100.0, 100.0)
    hit = estimate(_market([FLAT, FLAT, touch, FLAT], [10, 20, 20, 20]), _config(), engine=engine)
    miss = estimate(_market([FLAT, FLAT, near, FLAT], [10, 20, 20, 20]), _config(), engine=engine)
    assert hit.implied["short_usd"].tolist() == pytest.approx([0, 0, 1000, 0])
    assert miss.implied["short_usd"].sum() == 0 and miss.short[-1].sum() == pytest.approx(1000)


@pytest.mark.parametrize("engine", ENGINES)
def test_without_same_bar_liquidations_a_bar_does_not_consume_its_own_cohorts(engine: str) -> None:
    # Bar 1 opens the cohorts and its own range reaches far beyond both liquidation prices.
    wide = (100.0, 150.0, 50.0, 100.0)  # typical price still 100
    hm = estimate(_market([FLAT, wide, FLAT], [10, 20, 20]), _config(same_bar_liquidations=False), engine=engine)
    assert hm.implied.to_numpy().sum() == 0
    assert hm.long[-1].sum() == pytest.approx(1000) and hm.short[-1].sum() == pytest.approx(1000)


def _vwap_market(opening_bar: tuple[float, float, float, float]) -> Market:
    """Three bars; the second opens 10 contracts per side at a VWAP of exactly 100 whatever its candle."""
    return _market([FLAT, opening_bar, FLAT], [10, 20, 20], volume=[1, 1, 1], quote_volume=[100, 100, 100])


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bar_that_closes_up_squeezes_its_new_shorts_with_its_high(engine: str) -> None:
    # Read as open → low → high → close: the high comes after positions opened at 100, the later low does not.
    up = (95.0, 120.0, 80.0, 100.0)
    hm = estimate(_vwap_market(up), _config(entry_rule="vwap", same_bar_liquidations=True), engine=engine)
    assert hm.implied["short_usd"].tolist() == pytest.approx([0, 1000, 0])
    assert hm.implied["long_usd"].sum() == 0  # the close (100) is above the long price (~90.5): it lives
    assert hm.short[-1].sum() == 0 and hm.long[-1].sum() == pytest.approx(1000)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bar_that_closes_down_flushes_its_new_longs_with_its_low(engine: str) -> None:
    # Read as open → high → low → close: the high (120) came before the entries, so the shorts live.
    down = (105.0, 120.0, 80.0, 100.0)
    hm = estimate(_vwap_market(down), _config(entry_rule="vwap", same_bar_liquidations=True), engine=engine)
    assert hm.implied["long_usd"].tolist() == pytest.approx([0, 1000, 0])
    assert hm.implied["short_usd"].sum() == 0
    assert hm.long[-1].sum() == 0 and hm.short[-1].sum() == pytest.approx(1000)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bar_that_closes_down_squeezes_new_shorts_only_when_its_close_reaches_them(engine: str) -> None:
    price = liquidation_price(100.0, 10.0, "short", MMR)
    at, below = price, float(np.nextafter(price, -np.inf))
    for close, dies in ((at, True), (below, False)):
        # Open above the close (a down bar); the low (100) comes before the close that rallies to the short's price.
        bar = (close + 5.0, close + 10.0, 100.0, close)
        hm = estimate(_vwap_market(bar), _config(entry_rule="vwap", same_bar_liquidations=True), engine=engine)
        assert hm.implied["short_usd"].sum() == pytest.approx(1000 if dies else 0)
        assert hm.short[-1].sum() == pytest.approx(0 if dies else 1000)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bar_that_closes_up_flushes_new_longs_only_when_its_close_reaches_them(engine: str) -> None:
    price = liquidation_price(100.0, 10.0, "long", MMR)
    at, above = price, float(np.nextafter(price, np.inf))
    for close, dies in ((at, True), (above, False)):
        bar = (close - 5.0, 100.0, close - 10.0, close)  # closes up from far below: the high (100) came first
        hm = estimate(_vwap_market(bar), _config(entry_rule="vwap", same_bar_liquidations=True), engine=engine)
        assert hm.implied["long_usd"].sum() == pytest.approx(1000 if dies else 0)
        assert hm.long[-1].sum() == pytest.approx(0 if dies else 1000)


@pytest.mark.parametrize("engine", ENGINES)
def test_same_bar_liquidation_takes_only_the_tiers_the_bar_reaches(engine: str) -> None:
    # 5x and 50x shorts at 100: the 50x price (~101.5) is inside the up bar's high (105), the 5x one (~119) is not.
    up = (99.0, 105.0, 99.0, 104.0)
    config = _config(
        entry_rule="vwap",
        same_bar_liquidations=True,
        leverage_tiers=(5.0, 50.0),
        long_weights=(1.0, 3.0),
        short_weights=(1.0, 3.0),
    )
    hm = estimate(_vwap_market(up), config, engine=engine)
    assert hm.implied["short_usd"].tolist() == pytest.approx([0, 750, 0])
    assert hm.short[-1].sum() == pytest.approx(250)


@pytest.mark.parametrize("engine", ENGINES)
def test_inverse_contracts_put_the_heat_at_the_coin_margined_prices(engine: str) -> None:
    market = _market([FLAT, FLAT, FLAT], [10, 20, 20])
    inverse = estimate(market, _config(contract="inverse"), engine=engine)
    linear = estimate(market, _config(), engine=engine)
    for side in ("long", "short"):
        inverse_price = liquidation_price(100.0, 10.0, side, MMR, contract="inverse")
        linear_price = liquidation_price(100.0, 10.0, side, MMR)
        assert _bin_of(inverse, inverse_price) != _bin_of(inverse, linear_price)  # the test can tell them apart
        inverse_heat, linear_heat = getattr(inverse, side)[-1], getattr(linear, side)[-1]
        assert inverse_heat[_bin_of(inverse, inverse_price)] == pytest.approx(1000)
        assert linear_heat[_bin_of(linear, linear_price)] == pytest.approx(1000)


def _share_at_high_leverage(buy_share: float, side: str, engine: str) -> float:
    """Share of one side's new notional at 50x when takers bought `buy_share` of the opening bar's volume."""
    market = _market([FLAT, FLAT, FLAT], [10, 20, 20], volume=[1, 1, 1], taker_buy_volume=[0.5, buy_share, 0.5])
    config = _config(leverage_tiers=(5.0, 50.0), long_weights=(1.0, 1.0), short_weights=(1.0, 1.0), taker_tilt=1.0)
    hm = estimate(market, config, engine=engine)
    heat = getattr(hm, side)[-1]
    return heat[_bin_of(hm, liquidation_price(100.0, 50.0, side, MMR))] / heat.sum()


@pytest.mark.parametrize("engine", ENGINES)
def test_taker_buying_puts_longs_at_higher_leverage_and_shorts_at_lower(engine: str) -> None:
    # Full tilt: the taker side takes the leverage-weighted mix (5:50), its counterparty the inverse one (1/5:1/50).
    heavy, light = 50 / 55, (1 / 50) / (1 / 5 + 1 / 50)
    assert _share_at_high_leverage(1.0, "long", engine) == pytest.approx(heavy)
    assert _share_at_high_leverage(1.0, "short", engine) == pytest.approx(light)
    assert _share_at_high_leverage(0.0, "long", engine) == pytest.approx(light)
    assert _share_at_high_leverage(0.0, "short", engine) == pytest.approx(heavy)
    assert _share_at_high_leverage(0.5, "long", engine) == pytest.approx(0.5)  # balanced takers: the base mix


def test_without_taker_tilt_the_takers_do_not_change_the_mix() -> None:
    market = _market([FLAT, FLAT, FLAT], [10, 20, 20], volume=[1, 1, 1], taker_buy_volume=[0.5, 1.0, 0.5])
    config = _config(leverage_tiers=(5.0, 50.0), long_weights=(1.0, 1.0), short_weights=(1.0, 1.0), taker_tilt=0.0)
    hm = estimate(market, config)
    heat = hm.long[-1]
    assert heat[_bin_of(hm, liquidation_price(100.0, 50.0, "long", MMR))] == pytest.approx(heat.sum() / 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_vwap_entries_inside_the_bar_set_the_price_and_impossible_vwaps_fall_back_to_typical(engine: str) -> None:
    bar = (100.0, 101.0, 99.0, 100.0)  # typical 100
    inside = _market([FLAT, bar, FLAT], [10, 20, 20], volume=[1, 1, 1], quote_volume=[100, 100.6, 100])
    outside = _market([FLAT, bar, FLAT], [10, 20, 20], volume=[1, 1, 1], quote_volume=[100, 150, 100])
    at_vwap = estimate(inside, _config(entry_rule="vwap", same_bar_liquidations=True), engine=engine)
    at_typical = estimate(outside, _config(entry_rule="vwap", same_bar_liquidations=True), engine=engine)
    assert at_vwap.long[-1][_bin_of(at_vwap, liquidation_price(100.6, 10.0, "long", MMR))] == pytest.approx(1006)
    assert at_typical.long[-1][_bin_of(at_typical, liquidation_price(100.0, 10.0, "long", MMR))] == pytest.approx(1000)


@pytest.mark.parametrize("engine", ENGINES)
def test_falling_open_interest_closes_the_oldest_longs_first_or_every_long_alike(engine: str) -> None:
    # Bar 1 opens 10 contracts at 100, bar 2 opens 10 more at 110, bar 3 closes 10.
    up = (110.0, 110.0, 110.0, 110.0)
    market = _market([FLAT, FLAT, up, up], [10, 20, 30, 20])
    old_bin, new_bin = (liquidation_price(entry, 10.0, "long", MMR) for entry in (100.0, 110.0))
    oldest = estimate(market, _config(close_rule="oldest_first"), engine=engine)
    alike = estimate(market, _config(close_rule="pro_rata"), engine=engine)
    assert oldest.long[-1][_bin_of(oldest, old_bin)] == pytest.approx(0, abs=1e-9)
    assert oldest.long[-1][_bin_of(oldest, new_bin)] == pytest.approx(1100)
    assert alike.long[-1][_bin_of(alike, old_bin)] == pytest.approx(1000 * 2 / 3)
    assert alike.long[-1][_bin_of(alike, new_bin)] == pytest.approx(1100 * 2 / 3)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("touch, liquidated", [(15, True), (16, False)])
def test_a_long_series_liquidates_a_cohort_on_its_drop_bar_but_not_after(
    engine: str, touch: int, liquidated: bool
) -> None:
    # 200 hourly bars, a 5 h age limit: the cohort opened in bar 10 leaves the map at the end of bar 15. The fast
    # engine looks only as far ahead as the age limit needs, so a horizon one bar short would put a death at bar 14.
    price = liquidation_price(100.0, 10.0, "long", MMR)
    rows = [FLAT] * 200
    rows[touch] = (100.0, 100.0, price, 100.0)
    oi = [10.0] * 10 + [20.0] * 190
    hm = estimate(_market(rows, oi), _config(max_age_hours=5.0), engine=engine)
    expected = np.zeros(200)
    expected[touch] = 1000.0 if liquidated else 0.0
    assert hm.implied["long_usd"].to_numpy() == pytest.approx(expected)
