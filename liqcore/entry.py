"""At which prices a bar's new positions open: small named rules that both cohort implementations ask.

Each rule maps a bar's low, high, typical price and VWAP (NaN where the data cannot give one) to P entry prices; the
same call works on one bar (floats, the per-bar reference) or on every bar at once (arrays, the fast preparation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


class EntryRule(Protocol):
    name: str

    @property
    def points(self) -> int: ...

    def prices(self, low, high, typical, vwap) -> np.ndarray: ...

    def words(self) -> str: ...

    def note(self, has_vwap: bool) -> str: ...


@dataclass(frozen=True)
class VwapEntry:
    """One entry at the bar's VWAP, the price the bar's volume traded at on average (typical price when unknown)."""

    name: str = "vwap"
    points: int = 1

    def prices(self, low, high, typical, vwap) -> np.ndarray:
        usable = np.isfinite(vwap) & (vwap >= low) & (vwap <= high)
        return np.where(usable, vwap, typical)[..., None]

    def words(self) -> str:
        return "at the bar's volume-weighted average price (typical price when volume is unknown)"

    def note(self, has_vwap: bool) -> str:
        if has_vwap:
            return "bar VWAP (typical price where VWAP is unknown)"
        return "typical price (high + low + close) / 3"


@dataclass(frozen=True)
class TypicalEntry:
    """One entry at the typical price (high + low + close) / 3."""

    name: str = "typical"
    points: int = 1

    def prices(self, low, high, typical, vwap) -> np.ndarray:
        return np.asarray(typical, dtype=float)[..., None]

    def words(self) -> str:
        return "at the bar's typical price (high + low + close) / 3"

    def note(self, has_vwap: bool) -> str:
        return "typical price (high + low + close) / 3"


@dataclass(frozen=True)
class RangeEntry:
    """Entries spread evenly over the middle `width` share of the bar's low..high: trades fill the whole bar, and
    the buyers of its high are the first longs a later dip liquidates."""

    points: int = 3
    width: float = 1.0
    name: str = "range"

    def prices(self, low, high, typical, vwap) -> np.ndarray:
        fractions = 0.5 + self.width * ((np.arange(self.points) + 0.5) / self.points - 0.5)
        low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
        return low[..., None] + (high - low)[..., None] * fractions

    def words(self) -> str:
        share = "the bar's range" if self.width == 1 else f"the middle {self.width:.0%} of the bar's range"
        return f"spread evenly over {share} at {self.points} prices"

    def note(self, has_vwap: bool) -> str:
        return self.words()


def entry_rule(name: str, points: int = 3, width: float = 1.0) -> EntryRule:
    """The rule named by a ModelConfig's `entry_rule` (with its points and width when it is "range")."""
    if name == "vwap":
        return VwapEntry()
    if name == "typical":
        return TypicalEntry()
    if name == "range":
        return RangeEntry(points, width)
    raise ValueError("entry_rule must be 'vwap', 'typical' or 'range'")


ENTRY_RULE_NAMES: tuple[str, ...] = ("vwap", "typical", "range")
