"""liqcore — estimate where leveraged crypto-futures positions would be force-liquidated.

Quick start (a notebook or a script)::

    import liqcore as lc

    sim = lc.simulate("short_squeeze", seed=7)     # a simulated market with a known true position book
    m = lc.load_csv("BTCUSDT-5m.csv", "BTCUSDT-metrics.csv")                # your own files, or
    m = lc.fetch_market("binance", "BTCUSDT", interval="5m", span="7d")      # live public data (fetch span 7 days)

    a = lc.analyse(sim, lc.ModelConfig.preset("balanced"), window="3d")     # the map the app shows for this view
    a.heatmap.profile()                              # longs below price, shorts above, at the last bar

`analyse` is the one pipeline: it warms the model up on the span before the window (up to one more window), cuts
the map to the window and keys it by the data's content and the full config — exactly as the app, the Validation
page and ``python -m liqcore.validate`` do. ``lc.estimate(market, config)`` is the bare model on every bar.

Analyses: every one is called as ``fn(analysis, config) -> result`` or as a method of the `Analysis`, and every
result has ``.config``, ``.frame`` (per bar / snapshot / event), ``.table`` (what a person reads, with sample
sizes) and ``.verdict`` (one plain sentence; "no edge found" is a valid answer)::

    a.breakouts(lc.BreakoutConfig(range_bars=48))    # do breakouts into thin zones fail more than into dense?
    a.sentiment(lc.SentimentConfig(size=3.0))        # who is exposed near price, and has the reading meant anything
    a.volatility(lc.VolatilityConfig(horizon=12))    # does pressure near price improve a range forecast?
    a.validation()                                   # implied vs realised (or simulated-true) liquidations
    a.lesson()                                       # the trade walkthrough's decision point and starting plan

Every number is an estimate from a stated model (see `ModelConfig`); `Market.notes` and `Heatmap.notes` say what was
assumed, repaired or dropped.
"""

from liqcore.analysis import Analysis, analyse
from liqcore.breakouts import BreakoutConfig, BreakoutResult
from liqcore.calibration import Calibration, calibrate
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
from liqcore.results import Result
from liqcore.scanner import ScanResult, scan
from liqcore.sentiment import SentimentConfig, SentimentResult
from liqcore.simulator import SCENARIOS, Simulation, simulate
from liqcore.stats import wilson_interval
from liqcore.validation import ValidationConfig, ValidationReport
from liqcore.volatility import ForecastResult, VolatilityConfig, VolatilityModel
from liqcore.walkthrough import Lesson, LessonConfig

__all__ = [
    "SCENARIOS",
    "Analysis",
    "BreakoutConfig",
    "BreakoutResult",
    "Calibration",
    "ColumnMapping",
    "DataError",
    "FetchError",
    "ForecastResult",
    "Heatmap",
    "Lesson",
    "LessonConfig",
    "Liquidations",
    "LoadLimits",
    "Market",
    "ModelConfig",
    "Profile",
    "Result",
    "ScanResult",
    "SentimentConfig",
    "SentimentResult",
    "Simulation",
    "ValidationConfig",
    "ValidationReport",
    "VolatilityConfig",
    "VolatilityModel",
    "analyse",
    "atr",
    "calibrate",
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
