"""One loaded view: the market, its estimated heatmap and, for simulated data, the truth behind it.

The app builds one `Analysis` per sidebar choice and hands it to every page; a notebook user can build one with
`analyse(market)` and pass it to the same analytics. `key` identifies the data and settings in a short string, so
a page can cache its own derived results against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from liqcore.heatmap import Heatmap
from liqcore.market import Market


@dataclass(frozen=True, eq=False)
class Analysis:
    """A market, the heatmap estimated from it, and the simulation behind it when it was simulated.

    `simulation` is a `liqcore.simulator.Simulation` or None; `key` is a short stable string naming the data and
    settings (use it as a cache key); `label` names the dataset for people ("Simulator · short_squeeze · seed 7").
    """

    market: Market
    heatmap: Heatmap
    key: str
    label: str
    simulation: Any = None

    @property
    def is_simulated(self) -> bool:
        """True when the true position book is known (simulated data)."""
        return self.simulation is not None
