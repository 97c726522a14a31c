"""The side profile: resting liquidation notional per price bin at one moment.

A `Profile` is what a trader reads off one column of the heatmap: longs that would be liquidated below the price,
shorts above. The estimator (`Heatmap.profile`) and the simulator's true book (`Simulation.book`) both return one,
so charts and scores treat the estimate and the truth alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True, eq=False)
class Profile:
    """Long and short liquidation notional (USD) per price bin at `time`, with the price then.

    `price_edges` has B+1 ascending floats; `long` and `short` have B values each.
    """

    time: pd.Timestamp
    price: float
    price_edges: np.ndarray
    long: np.ndarray
    short: np.ndarray

    @property
    def centers(self) -> np.ndarray:
        """Mid price of each bin."""
        return (self.price_edges[:-1] + self.price_edges[1:]) / 2
