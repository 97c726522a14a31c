"""True range and Wilder ATR against hand computations; Market and bars DataFrame give the same answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import liqcore as lc
from liqcore.indicators import atr, log_range, true_range
from liqcore.market import Market


def bars() -> pd.DataFrame:
    index = pd.date_range("2026-01-01", periods=4, freq="1h", tz="UTC")
    return pd.DataFrame(
        {
            "open": [100.0, 101.0, 108.0, 104.0],
            "high": [102.0, 103.0, 110.0, 105.0],
            "low": [99.0, 100.0, 107.0, 95.0],
            "close": [101.0, 102.0, 108.0, 96.0],
        },
        index=index,
    )


def test_true_range_takes_the_gap_from_the_previous_close() -> None:
    # Bar 0: 102−99 = 3. Bar 1: max(3, |103−101|, |100−101|) = 3. Bar 2 gaps up: max(3, |110−102|, |107−102|) = 8.
    # Bar 3: max(10, |105−108|, |95−108|) = 13.
    assert true_range(bars()).tolist() == [3.0, 3.0, 8.0, 13.0]


def test_atr_is_wilder_smoothing_of_true_range_in_price_units() -> None:
    n = 3
    expected = [3.0]
    for tr in (3.0, 8.0, 13.0):
        expected.append(expected[-1] + (tr - expected[-1]) / n)
    result = atr(bars(), n)
    assert result.to_numpy() == pytest.approx(expected)
    assert result.index.equals(bars().index) and result.name == "atr"


def test_market_and_its_bars_give_the_same_atr() -> None:
    market = Market(bars(), "TEST")
    assert np.allclose(lc.atr(market, 3), atr(market.bars, 3))
    assert log_range(market).iloc[3] == pytest.approx(np.log(105 / 95))
