"""Maintenance-margin bracket tables (notional cap, maintenance rate, maintenance amount), dated and sourced.

Exchanges change these tables from time to time; the model only needs the first brackets, because a cohort stands
for many small positions, each far below the first cap. Amounts follow the exchanges' rule
``c_k = c_{k-1} + cap_{k-1} · (m_k − m_{k-1})`` so the liquidation price is continuous across brackets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Bracket:
    """One notional bracket: positions up to `notional_cap` USD use rate `mmr` and amount `maint_amount` USD."""

    notional_cap: float
    mmr: float
    maint_amount: float
    max_leverage: float


@dataclass(frozen=True)
class BracketTable:
    """A named, dated bracket table."""

    name: str
    source: str
    brackets: tuple[Bracket, ...]


def _table(name: str, source: str, rows: tuple[tuple[float, float, float], ...]) -> BracketTable:
    """Build a table from (cap, rate, max leverage) rows, deriving the cumulative maintenance amounts."""
    brackets: list[Bracket] = []
    amount = 0.0
    previous_cap, previous_rate = 0.0, rows[0][1]
    for cap, rate, max_leverage in rows:
        amount += previous_cap * (rate - previous_rate)
        brackets.append(Bracket(cap, rate, amount, max_leverage))
        previous_cap, previous_rate = cap, rate
    return BracketTable(name, source, tuple(brackets))


# Binance USDⓈ-M BTCUSDT leverage & margin table, as published on binance.com/en/futures/trading-rules/perpetual/
# leverage-margin (read 2025-06); Binance revises it occasionally.
BINANCE_BTCUSDT = _table(
    "Binance USDⓈ-M BTCUSDT",
    "binance.com futures leverage & margin table, 2025-06",
    (
        (300_000, 0.004, 125),
        (800_000, 0.005, 100),
        (3_000_000, 0.0065, 75),
        (12_000_000, 0.01, 50),
        (70_000_000, 0.02, 25),
        (100_000_000, 0.025, 20),
        (230_000_000, 0.05, 10),
        (480_000_000, 0.1, 5),
        (600_000_000, 0.125, 4),
        (800_000_000, 0.15, 3),
        (1_200_000_000, 0.25, 2),
        (1_800_000_000, 0.5, 1),
    ),
)

# Binance USDⓈ-M ETHUSDT, same page and date as above.
BINANCE_ETHUSDT = _table(
    "Binance USDⓈ-M ETHUSDT",
    "binance.com futures leverage & margin table, 2025-06",
    (
        (300_000, 0.005, 125),
        (800_000, 0.0065, 100),
        (3_000_000, 0.01, 75),
        (12_000_000, 0.02, 50),
        (50_000_000, 0.025, 20),
        (65_000_000, 0.05, 10),
        (150_000_000, 0.1, 5),
        (320_000_000, 0.125, 4),
        (400_000_000, 0.15, 3),
        (530_000_000, 0.25, 2),
        (800_000_000, 0.5, 1),
    ),
)

# Bybit USDT perpetual BTCUSDT risk limit tier 1 (bybit.com/en/announcement-info/transact-parameters, read 2025-06):
# tier 1 up to 2,000,000 USDT at 0.5 % maintenance margin, 100x; higher tiers step the rate by 0.5 %.
BYBIT_TIER1 = _table(
    "Bybit USDT perpetual (tier 1)",
    "bybit.com trading parameters, risk limit tiers, 2025-06",
    (
        (2_000_000, 0.005, 100),
        (2_600_000, 0.01, 66.67),
        (3_200_000, 0.015, 50),
    ),
)

# Generic default for venues and symbols without a table: 0.5 % maintenance on small positions, rising with size.
GENERIC = _table(
    "Generic",
    "liqcore default (typical of major venues' first brackets)",
    (
        (250_000, 0.005, 100),
        (1_000_000, 0.01, 50),
        (5_000_000, 0.025, 20),
        (20_000_000, 0.05, 10),
        (float("inf"), 0.1, 5),
    ),
)

TABLES: dict[str, BracketTable] = {
    "binance_btcusdt": BINANCE_BTCUSDT,
    "binance_ethusdt": BINANCE_ETHUSDT,
    "bybit_tier1": BYBIT_TIER1,
    "generic": GENERIC,
}


def table_for_symbol(symbol: str) -> BracketTable:
    """The table for a symbol name (BTC… → Binance BTCUSDT, ETH… → Binance ETHUSDT, else generic)."""
    upper = symbol.upper()
    if "BTC" in upper:
        return BINANCE_BTCUSDT
    if "ETH" in upper:
        return BINANCE_ETHUSDT
    return GENERIC


def bracket_table(symbol: str, table: str = "auto") -> BracketTable:
    """The table a config names: `TABLES[table]`, or the symbol's own table when "auto"."""
    return table_for_symbol(symbol) if table == "auto" else TABLES[table]


def small_position_bracket(symbol: str, table: str = "auto") -> Bracket:
    """The bracket of a small position: the first of the table `bracket_table` picks.

    The one home of the rule "a cohort, a learner's plan or a walkthrough position is far below the first cap":
    cohorts, `liqcore.plan` and `liqcore.walkthrough` read the maintenance margin through it.
    """
    return bracket_table(symbol, table).brackets[0]


def brackets_for_notional(table: BracketTable, notional: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per position, the (maintenance rate, maintenance amount USD, max leverage) of the bracket its notional falls
    in; notionals past the last cap use the last bracket. The simulator's traders are sized one by one through it."""
    caps, mmr, amount, max_leverage = _columns(table)
    index = np.minimum(caps.searchsorted(np.asarray(notional, dtype=float), side="left"), len(caps) - 1)
    return mmr[index], amount[index], max_leverage[index]


_COLUMNS: dict[int, tuple[BracketTable, tuple[np.ndarray, ...]]] = {}


def _columns(table: BracketTable) -> tuple[np.ndarray, ...]:
    """The table as arrays (caps, maintenance rates, amounts, max leverage), built once per table: the simulator asks
    for every bar. Kept by identity, because hashing the table costs more than the lookup saves."""
    held = _COLUMNS.get(id(table))
    if held is None or held[0] is not table:
        columns = (
            [b.notional_cap for b in table.brackets],
            [b.mmr for b in table.brackets],
            [b.maint_amount for b in table.brackets],
            [b.max_leverage for b in table.brackets],
        )
        held = (table, tuple(np.array(values, dtype=float) for values in columns))
        for array in held[1]:
            array.flags.writeable = False
        _COLUMNS[id(table)] = held
    return held[1]
