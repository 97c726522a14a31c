"""The estimator's result: a time × price map of liquidation notional per side.

Each snapshot column holds, as of the close of its bar, the USD notional of long and short positions the model
believes would be liquidated if price traded into each price bin. `implied` keeps, for every bar of the market, what
the model liquidated in that bar, which is what validation compares with realised liquidations.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from liqcore.profile import Profile

if TYPE_CHECKING:
    from liqcore.config import ModelConfig


class Driver(StrEnum):
    """What drove the map: open-interest changes, or (without open interest) the labelled volume proxy."""

    OPEN_INTEREST = "open interest"
    VOLUME_PROXY = "volume proxy"


@dataclass(frozen=True, eq=False)
class Heatmap:
    """Estimated liquidation map.

    Attributes
    ----------
    times
        C snapshot times (bar open times; each column is the state at that bar's close).
    price_edges
        B+1 ascending bin edges in quote currency (USD).
    long, short
        C×B arrays of USD notional that would be liquidated in each bin (longs sit below price, shorts above).
    implied
        DataFrame indexed by every bar of the market with `long_usd` and `short_usd`: notional the model
        liquidated in that bar.
    close
        C closes of the snapshot bars, for drawing the price against the map.
    config
        The ModelConfig that produced the map.
    driver
        What drove the map: `Driver.OPEN_INTEREST` or `Driver.VOLUME_PROXY` (reads as "open interest" / "volume
        proxy" in text; the names are accepted when building a Heatmap).
    notes
        Assumptions and facts about this map, in words a user reads.
    long_by_tier, short_by_tier
        Optional K×C×B split of `long`/`short` by leverage tier (K = number of tiers), for tooltips; None when not
        computed.
    """

    times: pd.DatetimeIndex
    price_edges: np.ndarray
    long: np.ndarray
    short: np.ndarray
    implied: pd.DataFrame
    close: np.ndarray
    config: ModelConfig
    driver: Driver
    notes: tuple[str, ...] = field(default_factory=tuple)
    long_by_tier: np.ndarray | None = None
    short_by_tier: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "driver", Driver(self.driver))

    @property
    def centers(self) -> np.ndarray:
        """Mid price of each bin."""
        return (self.price_edges[:-1] + self.price_edges[1:]) / 2

    def column_at(self, at: pd.Timestamp | str | int | None = None) -> int:
        """Index of the snapshot column in force at `at` (a time, or a column position; None = last)."""
        if at is None:
            return len(self.times) - 1
        if isinstance(at, (int, np.integer)):
            return int(at) % len(self.times)
        ts = pd.Timestamp(at)
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        pos = int(self.times.searchsorted(ts, side="right")) - 1
        return min(max(pos, 0), len(self.times) - 1)

    def profile(self, at: pd.Timestamp | str | int | None = None) -> Profile:
        """The side profile at time `at` (default: the last snapshot)."""
        j = self.column_at(at)
        return Profile(
            time=self.times[j],
            price=float(self.close[j]),
            price_edges=self.price_edges,
            long=self.long[j].copy(),
            short=self.short[j].copy(),
        )

    def since(self, start: pd.Timestamp) -> Heatmap:
        """The same map limited to snapshots and implied bars at or after `start`.

        The app estimates on a warm-up span before the window a user looks at, so positions opened before the
        window are already on the map, then shows only the window.
        """
        start = pd.Timestamp(start)
        start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
        keep = self.times >= start
        if not keep.any():
            keep[-1] = True
        tiers = {
            name: (None if arr is None else arr[:, keep])
            for name, arr in (("long_by_tier", self.long_by_tier), ("short_by_tier", self.short_by_tier))
        }
        return replace(
            self,
            times=self.times[keep],
            long=self.long[keep],
            short=self.short[keep],
            close=self.close[keep],
            implied=self.implied[self.implied.index >= min(start, self.times[keep][0])],
            **tiers,
        )
