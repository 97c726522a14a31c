"""liqcore — estimate where leveraged crypto-futures positions would be force-liquidated.

Quick start (a notebook or a script)::

    import liqcore as lc

    sim = lc.simulate("short_squeeze", seed=7)     # a simulated market with a known true position book
    hm = lc.estimate(sim.market, lc.ModelConfig.preset("balanced"))
    prof = hm.profile()                             # longs below price, shorts above, at the last bar

    m = lc.load_csv("BTCUSDT-5m.csv", "BTCUSDT-metrics.csv")   # your own files
    m = lc.fetch_market("binance", "BTCUSDT", interval="5m", lookback="7d")  # live public data

Every number is an estimate from a stated model (see `ModelConfig`); `Market.notes` and `Heatmap.notes` say what was
assumed, repaired or dropped.
"""

from liqcore.config import ModelConfig
from liqcore.engine import estimate
from liqcore.errors import DataError, FetchError
from liqcore.exchanges import fetch_market
from liqcore.heatmap import Heatmap
from liqcore.indicators import atr
from liqcore.loaders import ColumnMapping, LoadLimits, load_csv, sniff, template_csv
from liqcore.market import Market
from liqcore.profile import Profile
from liqcore.simulator import SCENARIOS, Simulation, simulate
from liqcore.stats import wilson_interval
from liqcore.volatility import VolatilityConfig, VolatilityModel

__all__ = [
    "SCENARIOS",
    "ColumnMapping",
    "DataError",
    "FetchError",
    "Heatmap",
    "LoadLimits",
    "Market",
    "ModelConfig",
    "Profile",
    "Simulation",
    "VolatilityConfig",
    "VolatilityModel",
    "atr",
    "estimate",
    "fetch_market",
    "load_csv",
    "simulate",
    "sniff",
    "template_csv",
    "wilson_interval",
]
