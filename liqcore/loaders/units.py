"""Units of one file's columns: open interest in coins or USD (and one side), funding as a fraction."""

from __future__ import annotations

import pandas as pd

from liqcore.loaders.formats import ColumnMapping, normalise
from liqcore.loaders.notes import repair

USD_NOTIONAL = 1e11  # open interest whose value in coins × price would exceed this many USD is taken to be USD
PERCENT_FUNDING = 0.002  # a median |funding| above this (0.2 % per period as a fraction) means the file is in percent
_USD_WORDS = ("usd", "value", "notional")


def _oi_is_usd(oi: pd.Series, close: pd.Series | None, column: str, unit: str) -> tuple[bool, str]:
    """Decide the open-interest unit: the user's word, else the column name, else its size against the price."""
    if unit != "auto":
        return unit == "usd", "as you mapped it"
    if any(word in normalise(column) for word in _USD_WORDS):
        return True, f"from the column name '{column}'"
    if normalise(column) == "sum_open_interest":
        return False, "as Binance reports 'sum_open_interest'"
    if close is not None:
        notional = float((oi * close).median())
        if notional > USD_NOTIONAL:
            return True, (f"because in coins it would be worth about ${notional:,.0f} — far more than any market holds")
    return False, "(assumed; if it is in USD, set the unit in the column mapping)"


def apply_units(frame: pd.DataFrame, mapping: ColumnMapping, name: str, notes: list[str]) -> pd.DataFrame:
    """Open interest to one side in coins or USD, funding to a fraction."""
    frame = frame.copy()
    if "open_interest" in frame.columns:
        close = frame["close"] if "close" in frame.columns else None
        is_usd, why = _oi_is_usd(frame["open_interest"], close, mapping.get("open_interest") or "", mapping.oi_unit)
        if is_usd and "open_interest_usd" not in frame.columns:
            frame = frame.rename(columns={"open_interest": "open_interest_usd"})
            notes.append(f"{name}: open interest read as USD {why}.")
        elif is_usd:
            frame = frame.drop(columns="open_interest")
            notes.append(f"{name}: '{mapping.get('open_interest')}' looks like USD too; the USD column was kept.")
        else:
            notes.append(f"{name}: open interest read as coins (base units) {why}.")
    if mapping.oi_sides == 2:
        for column in ("open_interest", "open_interest_usd"):
            if column in frame.columns:
                frame[column] = frame[column] / 2
        notes.append(repair(f"{name}: open interest counted both sides; halved to one side."))
    if "funding_rate" in frame.columns:
        typical = float(frame["funding_rate"].abs().median())
        if typical > PERCENT_FUNDING:
            frame["funding_rate"] = frame["funding_rate"] / 100
            notes.append(
                repair(f"{name}: funding looks like percent (typical {typical:.4g}); divided by 100 to a fraction.")
            )
    return frame
