"""Price indicators the analytics share (true range and ATR), computed from bars without look-ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd

from liqcore.market import Market


def _bars(data: Market | pd.DataFrame) -> pd.DataFrame:
    return data.bars if isinstance(data, Market) else data


def true_range(data: Market | pd.DataFrame) -> pd.Series:
    """Largest of high−low, |high−previous close|, |low−previous close| (the first bar uses high−low)."""
    bars = _bars(data)
    previous = bars["close"].shift(1)
    ranges = pd.concat(
        [bars["high"] - bars["low"], (bars["high"] - previous).abs(), (bars["low"] - previous).abs()], axis=1
    )
    return ranges.max(axis=1)


def atr(data: Market | pd.DataFrame, n: int = 14) -> pd.Series:
    """Wilder's average true range in price units; each value uses only that bar and earlier ones."""
    tr = true_range(data)
    return tr.ewm(alpha=1 / n, adjust=False, min_periods=1).mean().rename("atr")


def log_range(data: Market | pd.DataFrame) -> pd.Series:
    """log(high / low) per bar: a robust per-bar volatility measure."""
    bars = _bars(data)
    return np.log(bars["high"] / bars["low"]).rename("log_range")
