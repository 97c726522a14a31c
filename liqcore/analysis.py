"""One loaded view: the market, the map estimated from it and, for simulated data, the truth behind it.

`analyse(data, config, window)` is the one place that decides how a map is built for people to read:

- **window**: the span of the latest bars a user looks at (None: all of them);
- **warm-up**: the model first runs on up to twice the window (as much of it as the data has), so positions opened
  before the window are already on the map, and the map is then cut to the window;
- **snapshots**: `SNAPSHOTS_IN_WINDOW` evenly spaced columns inside the window (the warm-up gets its share), with
  `Heatmap.implied` still per bar;
- **label** and **key**: the dataset's name for people, and a short digest of the data's *content*
  (`Market.digest`), the window, the snapshots, the label and the full model config, so any cache keyed by it can
  only return this exact map.

The app, `python -m liqcore.validate` and notebooks all call it, so they see the same map and the same scores.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from liqcore.config import ModelConfig
from liqcore.durations import parse_duration
from liqcore.engine import estimate
from liqcore.heatmap import Heatmap
from liqcore.market import Market
from liqcore.simulator import Simulation

if TYPE_CHECKING:
    from liqcore.breakouts import BreakoutConfig, BreakoutResult
    from liqcore.loaders.events import Liquidations
    from liqcore.sentiment import SentimentConfig, SentimentResult
    from liqcore.validation import ValidationConfig, ValidationReport
    from liqcore.volatility import ForecastResult, VolatilityConfig
    from liqcore.walkthrough import Lesson, LessonConfig
    from liqcore.where import WhereCheck

SNAPSHOTS_IN_WINDOW = 300


@dataclass(frozen=True, eq=False)
class Analysis:
    """A market cut to the window, the map estimated on it with its warm-up, and the simulation behind it.

    `history` is the whole market the window was cut from (the warm-up reads it); `window` is None when the whole
    history is shown; `simulation` is set for simulated data, whose true book is known; `key` names the data by its
    content and the model by its full config (use it as a cache key); `label` names the dataset for people.
    """

    market: Market
    heatmap: Heatmap
    history: Market
    window: pd.Timedelta | None
    snapshots: int
    label: str
    key: str
    simulation: Simulation | None = None

    @property
    def config(self) -> ModelConfig:
        """The model assumptions that produced the map."""
        return self.heatmap.config

    @property
    def is_simulated(self) -> bool:
        """True when the true position book is known (simulated data)."""
        return self.simulation is not None

    def with_config(self, config: ModelConfig) -> Analysis:
        """The same data, window and snapshots under other model assumptions (e.g. another preset)."""
        data = self.simulation if self.simulation is not None else self.history
        return analyse(data, config, self.window, snapshots=self.snapshots, label=self.label)

    @classmethod
    def of(cls, market: Market, heatmap: Heatmap, label: str | None = None) -> Analysis:
        """Wrap a map estimated elsewhere (a hand-made or research map) so the analyses can read it.

        No window or warm-up is decided here: `analyse` is how the app builds its map. The key digests the market
        and the map's arrays, so caches still key by content.
        """
        h = hashlib.blake2b(digest_size=12)
        h.update(market.digest.encode())
        for values in (heatmap.times.asi8, heatmap.price_edges, heatmap.long, heatmap.short):
            h.update(np.ascontiguousarray(values).tobytes())
        h.update(repr(heatmap.config).encode())
        label = label if label is not None else market.source
        return cls(market, heatmap, market, None, len(heatmap.times), label, "of:" + h.hexdigest())

    def breakouts(self, config: BreakoutConfig | None = None) -> BreakoutResult:
        """`liqcore.breakouts.scan`: do breakouts into thin liquidation zones fail more often than into dense?"""
        from liqcore.breakouts import scan

        return scan(self, config)

    def sentiment(self, config: SentimentConfig | None = None) -> SentimentResult:
        """`liqcore.sentiment.read`: which side is more exposed near price, and has the reading meant anything."""
        from liqcore.sentiment import read

        return read(self, config)

    def volatility(self, config: VolatilityConfig | None = None) -> ForecastResult:
        """`liqcore.volatility.forecast`: does liquidation pressure near price improve a range forecast here?"""
        from liqcore.volatility import forecast

        return forecast(self, config)

    def validation(self, config: ValidationConfig | None = None) -> ValidationReport:
        """`liqcore.validation.validate`: how well the implied liquidations match realised (or true) ones."""
        from liqcore.validation import validate

        return validate(self, config)

    def held_out(self, fit_share: float = 0.5) -> pd.DataFrame:
        """`liqcore.validation.held_out`: the scores on the bars after the first `fit_share` (the presets' fit span)."""
        from liqcore.validation import held_out

        return held_out(self.market, self.heatmap, fit_share)

    def where(self, liquidations: Liquidations) -> WhereCheck:
        """`liqcore.where.check`: WHERE this model puts liquidations, against events, on their span of the history."""
        from liqcore.where import check

        return check(self, liquidations)

    def lesson(self, config: LessonConfig | None = None) -> Lesson:
        """`liqcore.walkthrough.build_lesson`: one decision point and what the map and analytics said there."""
        from liqcore.walkthrough import build_lesson

        return build_lesson(self, config)


def market_of(data: Market | Simulation) -> Market:
    """The market of a `Market` or of a `Simulation`: what the sidebar and the loaders hand over."""
    return data.market if isinstance(data, Simulation) else data


def _window(window: pd.Timedelta | str | None, market: Market) -> pd.Timedelta | None:
    """None when the window covers the whole market (nothing to cut), else the window as a Timedelta."""
    if window is None or (isinstance(window, str) and window.strip().lower() == "all"):
        return None
    span = parse_duration(window)
    return None if span >= market.end - market.start else span


def _key(market: Market, config: ModelConfig, window: pd.Timedelta | None, snapshots: int, label: str) -> str:
    text = f"{market.digest}|{window}|{snapshots}|{label}|{config!r}"
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def analyse(
    data: Market | Simulation,
    config: ModelConfig | None = None,
    window: pd.Timedelta | str | None = None,
    *,
    snapshots: int = SNAPSHOTS_IN_WINDOW,
    label: str | None = None,
) -> Analysis:
    """Build the map a person reads: estimate with warm-up, cut to `window`, `snapshots` columns in the window.

    Parameters
    ----------
    data
        A `Market`, or a `Simulation` (its market is mapped and its true book kept for comparison).
    config
        Model assumptions; `ModelConfig()` (the balanced preset) when None.
    window
        The latest span to show ("3d", "12h", a Timedelta); None or "all" shows the whole market.
    snapshots
        Heatmap columns inside the window (fewer when the window has fewer bars).
    label
        The dataset's name for people; the market's `source` when None.

    Raises `DataError` when the data cannot be mapped (e.g. prices without volume or open interest) or the window
    is not a duration.
    """
    simulation = data if isinstance(data, Simulation) else None
    history = market_of(data)
    config = config or ModelConfig()
    label = label if label is not None else history.source
    span = _window(window, history)
    if span is None:
        heatmap = estimate(history, config, columns=min(len(history), snapshots))
        market = history
    else:
        warm = history.tail(2 * span)
        share = (warm.end - warm.start) / span
        heatmap = estimate(warm, config, columns=min(len(warm), int(snapshots * share))).since(history.end - span)
        market = history.tail(span)
    return Analysis(
        market=market,
        heatmap=heatmap,
        history=history,
        window=span,
        snapshots=snapshots,
        label=label,
        key=_key(history, config, span, snapshots, label),
        simulation=simulation,
    )
