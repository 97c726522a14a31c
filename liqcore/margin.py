"""Margin maths: where an isolated position is liquidated, for linear (USDⓈ-M) and inverse (coin-M) contracts.

Binance's published isolated-margin formula, for one position with no other positions in the account:

- linear long   ``P = (E·(1 − 1/L) − c/Q) / (1 − m)``,  linear short ``P = (E·(1 + 1/L) + c/Q) / (1 + m)``
- inverse long  ``P = E·(1 + m) / (1 + 1/L)`` (no amount term), inverse short ``P = E·(1 − m) / (1 − 1/L)``

where E is the entry price, L the leverage, m the maintenance-margin rate of the notional's bracket, c the bracket's
maintenance amount (USD) and Q the position size in base units. Brackets come from `liqcore.brackets`.
"""

from __future__ import annotations

import numpy as np

from liqcore.brackets import Bracket, BracketTable


def bracket_for(table: BracketTable, notional_usd: float) -> Bracket:
    """The bracket whose notional range holds `notional_usd` (the last one above its cap)."""
    for bracket in table.brackets:
        if notional_usd <= bracket.notional_cap:
            return bracket
    return table.brackets[-1]


def liquidation_price(
    entry: float | np.ndarray,
    leverage: float | np.ndarray,
    side: str,
    mmr: float | np.ndarray,
    maint_amount: float | np.ndarray = 0.0,
    quantity: float | np.ndarray = 1.0,
    contract: str = "linear",
) -> float | np.ndarray:
    """Isolated liquidation price of a position (see the module docstring for the formulas).

    Parameters
    ----------
    entry, leverage
        Entry price (USD) and leverage (> 1 for a finite long liquidation price).
    side
        "long" or "short".
    mmr, maint_amount
        Maintenance-margin rate (0.004 = 0.4 %) and maintenance amount (USD) of the position's bracket.
    quantity
        Position size in base units (only the maintenance amount depends on it).
    contract
        "linear" (USDⓈ-M, margin in USD) or "inverse" (coin-M, margin in the coin).
    """
    entry = np.asarray(entry, dtype=float)
    inv_lev = 1.0 / np.asarray(leverage, dtype=float)
    mmr = np.asarray(mmr, dtype=float)
    amount_per_unit = np.asarray(maint_amount, dtype=float) / np.asarray(quantity, dtype=float)
    if contract == "linear":
        if side == "long":
            price = (entry * (1 - inv_lev) - amount_per_unit) / (1 - mmr)
        elif side == "short":
            price = (entry * (1 + inv_lev) + amount_per_unit) / (1 + mmr)
        else:
            raise ValueError(f"side must be 'long' or 'short', got {side!r}")
    elif contract == "inverse":
        if side == "long":
            price = entry * (1 + mmr) / (1 + inv_lev)
        elif side == "short":
            with np.errstate(divide="ignore"):
                price = np.where(inv_lev < 1, entry * (1 - mmr) / (1 - inv_lev), np.inf)
        else:
            raise ValueError(f"side must be 'long' or 'short', got {side!r}")
    else:
        raise ValueError(f"contract must be 'linear' or 'inverse', got {contract!r}")
    return float(price) if np.ndim(price) == 0 else price
