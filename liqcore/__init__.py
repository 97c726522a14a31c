"""liqcore — estimate where leveraged crypto-futures positions would be force-liquidated.

Quick start (a notebook or a script)::

    import liqcore as lc

    sim = lc.simulate("short_squeeze", seed=7)     # a simulated market with a known true position book
    a = lc.analyse(sim, lc.ModelConfig.preset("balanced"), window="3d")  # the map the app shows for this view
    prof = a.heatmap.profile()                      # longs below price, shorts above, at the last bar

    m = lc.load_csv("BTCUSDT-5m.csv", "BTCUSDT-metrics.csv")   # your own files
    m = lc.fetch_market("binance", "BTCUSDT", interval="5m", lookback="7d")  # live public data

`analyse` warms the model up on the span before the window and cuts the map to it, exactly as the app, the
Validation page and `python -m liqcore.validate` do; `lc.estimate(market, config)` is the bare model on all the bars.

Every number is an estimate from a stated model (see `ModelConfig`); `Market.notes` and `Heatmap.notes` say what was
assumed, repaired or dropped.
"""

from liqcore.analysis import Analysis, analyse
from liqcore.config import ModelConfig
from liqcore.engine import estimate
from liqcore.errors import DataError, FetchError
from liqcore.exchanges import fetch_market
from liqcore.heatmap import Heatmap
from liqcore.indicators import atr
from liqcore.loaders import ColumnMapping, LoadLimits, load_csv, sniff, template_csv
from liqcore.loaders.events import Liquidations, load_liquidations
from liqcore.market import Market
from liqcore.profile import Profile
from liqcore.scanner import ScanResult, scan
from liqcore.simulator import SCENARIOS, Simulation, simulate
from liqcore.stats import wilson_interval
from liqcore.volatility import VolatilityConfig, VolatilityModel

__all__ = [
    "SCENARIOS",
    "Analysis",
    "ColumnMapping",
    "DataError",
    "FetchError",
    "Heatmap",
    "Liquidations",
    "LoadLimits",
    "Market",
    "ModelConfig",
    "Profile",
    "ScanResult",
    "Simulation",
    "VolatilityConfig",
    "VolatilityModel",
    "analyse",
    "atr",
    "estimate",
    "fetch_market",
    "load_csv",
    "load_liquidations",
    "scan",
    "simulate",
    "sniff",
    "template_csv",
    "wilson_interval",
]
