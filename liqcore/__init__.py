"""liqcore — estimate where leveraged crypto-futures positions would be force-liquidated.

A notebook follows four steps: **load** a market, **analyse** it (the map the app shows), run **analyses** on that
one analysis, and read their **results**::

    import liqcore as lc

    # 1. Load: a simulated market (its true position book is known), your files, or live public data.
    sim = lc.simulate("short_squeeze", seed=7)
    m = lc.load_csv("BTCUSDT-5m.csv", "BTCUSDT-metrics.csv")               # notes say what was repaired or dropped
    m = lc.fetch_market("binance", "BTCUSDT", interval="5m", span="7d")      # fetch span: 7 days of bars

    # 2. Analyse: the one pipeline (warm-up, window, snapshot columns, cache key), as the app and the CLI build it.
    a = lc.analyse(sim, lc.ModelConfig.preset("balanced"), window="3d")      # window = the span of bars shown
    a.heatmap.profile()                                # longs below price, shorts above, at the last bar
    a.config.describe()                                # the model's assumptions in words

    # 3. Analyses: each is fn(analysis, config) -> result, or the same as a method of the analysis.
    b = a.breakouts(lc.BreakoutConfig(range_bars=48))  # do breakouts into thin zones fail more than into dense?
    s = a.sentiment(lc.SentimentConfig(size=3.0))      # who is exposed near price, and has the reading meant anything
    v = a.volatility(lc.VolatilityConfig(horizon=12))  # does pressure near price improve a range forecast?
    r = a.validation()                                 # implied vs realised (or simulated-true) liquidations
    w = a.where(lc.load_liquidations("forceOrder.csv"))  # WHERE the map puts liquidations, against events
    h = a.held_out()                                   # scores on the half the presets were not fitted on
    lesson = a.lesson()                                # the trade walkthrough's decision point and starting plan

    # 4. Results: every analysis result has the same four attributes.
    r.config, r.frame, r.table, r.verdict              # settings used; per-bar data; summary with sample sizes; words

`analyse` warms the model up on the span before the window (up to one more window), cuts the map to the window and
keys it by the data's content and the full config, so the app, the Validation page, ``python -m liqcore.validate``
and a notebook see the same map and the same scores. ``a.with_config(other)`` is the same view under other
assumptions. ``lc.estimate(market, config)`` is the bare model on every bar (research; no window, no warm-up).
Three spans have three names: ``window`` (bars shown), ``span`` (bars fetched) and ``ModelConfig.max_age_hours``
(how old a position may get before it leaves the map).

Every number is an estimate from a stated model (see `ModelConfig`); `Market.notes` and `Heatmap.notes` say what was
assumed, repaired or dropped ("no edge found" is a valid verdict).
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
