"""Liquidation-price maths against worked examples of the exchanges' published formulas."""

from __future__ import annotations

import numpy as np
import pytest

from liqcore.brackets import (
    BINANCE_BTCUSDT,
    GENERIC,
    TABLES,
    Bracket,
    BracketTable,
    _table,
    brackets_for_notional,
    table_for_symbol,
)
from liqcore.margin import bracket_for, liquidation_price


def test_binance_linear_worked_example_tier_one() -> None:
    # BTC at 100,000 with 10x, maintenance rate 0.4 % (first BTCUSDT bracket), no maintenance amount.
    assert liquidation_price(100_000, 10, "long", 0.004) == pytest.approx(90_361.45, abs=0.01)
    assert liquidation_price(100_000, 10, "short", 0.004) == pytest.approx(109_561.75, abs=0.01)


def test_maintenance_amount_moves_the_price_by_amount_over_quantity() -> None:
    # 5 BTC at 60,000 with 20x: notional 300,000 sits in the second bracket (0.5 %, amount 300 USD).
    bracket = bracket_for(BINANCE_BTCUSDT, 400_000)
    assert (bracket.mmr, bracket.maint_amount) == (0.005, pytest.approx(300.0))
    long = liquidation_price(60_000, 20, "long", bracket.mmr, bracket.maint_amount, quantity=5)
    assert long == pytest.approx((60_000 * 0.95 - 300 / 5) / 0.995)


def test_inverse_contracts_follow_the_coin_margined_formula() -> None:
    # Coin-margined: the long is liquidated when margin plus coin PnL equals maintenance on the value at P.
    entry, lev, m = 50_000.0, 10.0, 0.005
    long = liquidation_price(entry, lev, "long", m, contract="inverse")
    assert 1 / (entry * lev) + 1 / entry - 1 / long == pytest.approx(m / long)
    short = liquidation_price(entry, lev, "short", m, contract="inverse")
    assert 1 / (entry * lev) - 1 / entry + 1 / short == pytest.approx(m / short)


@pytest.mark.parametrize("contract", ["linear", "inverse"])
@pytest.mark.parametrize("leverage", [2, 5, 25, 100])
def test_long_liquidates_below_entry_and_short_above(contract: str, leverage: float) -> None:
    assert liquidation_price(30_000, leverage, "long", 0.005, contract=contract) < 30_000
    assert liquidation_price(30_000, leverage, "short", 0.005, contract=contract) > 30_000


def test_vectorised_call_matches_scalar_calls() -> None:
    entries = np.array([100.0, 200.0, 300.0])
    out = liquidation_price(entries, 10, "long", 0.01)
    assert out == pytest.approx([liquidation_price(e, 10, "long", 0.01) for e in entries])


def test_bad_side_or_contract_is_rejected() -> None:
    with pytest.raises(ValueError, match="side"):
        liquidation_price(100, 10, "up", 0.01)
    with pytest.raises(ValueError, match="contract"):
        liquidation_price(100, 10, "long", 0.01, contract="quanto")


@pytest.mark.parametrize("table", list(TABLES.values()))
def test_bracket_amounts_keep_the_maintenance_margin_continuous(table) -> None:
    # Maintenance margin N·m − c must be the same on both sides of each bracket cap.
    for lower, upper in zip(table.brackets, table.brackets[1:], strict=False):
        cap = lower.notional_cap
        assert cap * lower.mmr - lower.maint_amount == pytest.approx(cap * upper.mmr - upper.maint_amount)


def test_tables_are_dated_and_chosen_by_symbol() -> None:
    assert all("20" in t.source for t in TABLES.values() if t is not GENERIC)
    assert table_for_symbol("btcusdt") is BINANCE_BTCUSDT
    assert table_for_symbol("SOLUSDT") is GENERIC
    assert bracket_for(GENERIC, 1e12).mmr == GENERIC.brackets[-1].mmr


@pytest.mark.parametrize("table", list(TABLES.values()))
def test_a_notional_exactly_at_a_cap_is_still_in_that_bracket(table) -> None:
    # "Positions up to notional_cap use rate mmr": the cap itself belongs to the lower bracket, a cent more does not.
    for lower, upper in zip(table.brackets, table.brackets[1:], strict=False):
        assert bracket_for(table, lower.notional_cap) is lower
        assert bracket_for(table, lower.notional_cap + 0.01) is upper
    assert bracket_for(table, 0.0) is table.brackets[0]


def test_amounts_accumulate_from_every_lower_bracket() -> None:
    # c_k = c_{k-1} + cap_{k-1} · (m_k − m_{k-1}): the third BTCUSDT bracket's amount, worked by hand.
    first, second, third = BINANCE_BTCUSDT.brackets[:3]
    assert first.maint_amount == 0
    assert third.maint_amount == pytest.approx(300_000 * (0.005 - 0.004) + 800_000 * (0.0065 - 0.005))
    assert (second.notional_cap, second.mmr, second.max_leverage) == (800_000, 0.005, 100)


def test_symbols_pick_their_exchange_table_whatever_the_case() -> None:
    assert table_for_symbol("ethusdt") is TABLES["binance_ethusdt"]
    assert table_for_symbol("1000PEPEUSDT") is GENERIC


def test_an_inverse_short_at_one_times_leverage_is_never_liquidated() -> None:
    assert liquidation_price(100.0, 1.0, "short", 0.005, contract="inverse") == np.inf


def test_the_inverse_long_formula_has_no_maintenance_amount_term() -> None:
    with_amount = liquidation_price(100.0, 10.0, "long", 0.005, maint_amount=50, quantity=1, contract="inverse")
    assert with_amount == pytest.approx(100.0 * 1.005 / 1.1)


def test_a_table_derives_each_amount_from_the_caps_and_rates_below_it() -> None:
    # The published tables are built at import; the rule itself is checked on a small hand-made table.
    table = _table("t", "hand-made", ((100.0, 0.01, 50), (1_000.0, 0.02, 20), (5_000.0, 0.05, 10)))
    assert (table.name, table.source) == ("t", "hand-made")
    assert [(b.notional_cap, b.mmr, b.max_leverage) for b in table.brackets] == [
        (100.0, 0.01, 50),
        (1_000.0, 0.02, 20),
        (5_000.0, 0.05, 10),
    ]
    assert [b.maint_amount for b in table.brackets] == pytest.approx([0.0, 100 * 0.01, 100 * 0.01 + 1_000 * 0.03])


@pytest.mark.parametrize("table", list(TABLES.values()))
def test_vectorised_brackets_agree_with_the_one_position_lookup(table) -> None:
    # The simulator sizes each trader through the vectorised lookup: it must pick bracket_for's bracket for every
    # notional, the caps themselves, a cent past them and notionals past the last cap included.
    caps = np.array([b.notional_cap for b in table.brackets])
    notional = np.concatenate(([0.0, 1.0], caps, caps + 0.01, [caps[-1] * 10]))
    mmr, amount, max_leverage = brackets_for_notional(table, notional)
    expected = [bracket_for(table, float(n)) for n in notional]
    assert mmr.tolist() == [b.mmr for b in expected]
    assert amount.tolist() == pytest.approx([b.maint_amount for b in expected])
    assert max_leverage.tolist() == [b.max_leverage for b in expected]


def test_a_table_made_after_earlier_lookups_is_read_from_its_own_rows() -> None:
    # A fresh table (the column cache cannot hold it yet): notionals at and past each cap get that cap's bracket.
    table = BracketTable("Test", "hand-made", (Bracket(1_000.0, 0.01, 0.0, 50.0), Bracket(5_000.0, 0.03, 20.0, 20.0)))
    mmr, amount, max_leverage = brackets_for_notional(table, np.array([500.0, 1_000.0, 3_000.0, 9_000.0]))
    assert list(mmr) == [0.01, 0.01, 0.03, 0.03]
    assert list(amount) == [0.0, 0.0, 20.0, 20.0]
    assert list(max_leverage) == [50.0, 50.0, 20.0, 20.0]


def test_maintenance_amounts_of_any_numeric_dtype_give_float_prices() -> None:
    # An object-dtype column (what pandas gives for a column read with mixed types) is read as numbers, like entry.
    amounts = np.array([0, 50], dtype=object)
    price = liquidation_price(100.0, 10.0, "long", 0.005, amounts, 2.0)
    assert price.dtype == np.float64
    np.testing.assert_allclose(price, [90 / 0.995, (90 - 25) / 0.995])
