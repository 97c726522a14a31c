"""Shared statistics: Wilson intervals, Spearman correlation, ATR."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import make_market

from liqcore.indicators import atr, true_range
from liqcore.stats import past_quantiles, spearman, wilson_interval


def test_wilson_interval_known_values() -> None:
    low, high = wilson_interval(16, 25)
    assert (low, high) == (pytest.approx(0.4445, abs=1e-3), pytest.approx(0.7975, abs=1e-3))
    assert wilson_interval(0, 10)[0] == 0.0
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_spearman_matches_a_hand_computation_with_ties() -> None:
    x = [1, 2, 2, 3, 4]
    y = [10, 30, 20, 40, 50]
    # Ranks x: 1, 2.5, 2.5, 4, 5; y: 1, 3, 2, 4, 5 → Pearson of ranks.
    rx, ry = np.array([1, 2.5, 2.5, 4, 5]), np.array([1, 3, 2, 4, 5])
    expected = np.corrcoef(rx, ry)[0, 1]
    assert spearman(x, y) == pytest.approx(expected)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1)
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))
    assert spearman([1, np.nan, 3, 4, 5], [1, 9, 3, 4, 5]) == pytest.approx(1)


def test_atr_uses_true_range_with_gaps_and_no_look_ahead() -> None:
    market = make_market([100, 110, 105, 120, 90], spread=0.0)
    tr = true_range(market)
    assert tr.iloc[1] == pytest.approx(10)
    first = atr(market, 3)
    changed = make_market([100, 110, 105, 120, 300], spread=0.0)
    assert atr(changed, 3).iloc[:4].equals(first.iloc[:4])


@pytest.mark.parametrize("seed", [0, 1])
def test_past_quantiles_equal_pandas_expanding_quantiles_of_earlier_rows(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(size=3000), 1)  # many ties
    values[rng.random(3000) < 0.2] = np.nan
    values[:30] = np.nan
    series = pd.Series(values)
    quantiles = (0.0, 1 / 3, 0.5, 2 / 3, 1.0)
    for q, fast in zip(quantiles, past_quantiles(series, quantiles, min_periods=20), strict=True):
        expected = series.expanding(min_periods=20).quantile(q).shift(1)
        np.testing.assert_allclose(fast.to_numpy(), expected.to_numpy(), rtol=0, atol=1e-12)
    assert np.isnan(past_quantiles(series, (0.5,), 20)[0].iloc[:55]).sum() >= 30
    assert past_quantiles(pd.Series([3.0, 1.0, 2.0, 5.0]), (0.5,), 1)[0].tolist()[1:] == [3.0, 2.0, 2.0]
