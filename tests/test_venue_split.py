"""Splitting an aggregate map by venue: venue maps add up to the aggregate where the model is linear in open interest
(venues moving together), differ by a stated amount where they move apart, and give each cluster's venue shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from liqcore import DataError, Market, ModelConfig
from liqcore.aggregate import combine
from liqcore.profile import find_clusters
from liqcore.venue_split import split_by_venue


def _venue(oi: np.ndarray) -> Market:
    n = len(oi)
    rng = np.random.default_rng(3)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.004, n)))
    index = pd.date_range("2024-03-01", periods=n, freq="5min", tz="UTC")
    bars = pd.DataFrame(
        {"open": np.r_[close[0], close[:-1]], "close": close, "volume": 10.0, "open_interest": oi}, index=index
    )
    bars["high"] = bars[["open", "close"]].max(axis=1) * 1.002
    bars["low"] = bars[["open", "close"]].min(axis=1) * 0.998
    return Market(bars, "BTCUSDT")


def _oi(n: int, seed: int) -> np.ndarray:
    steps = np.random.default_rng(seed).normal(0, 4, n)  # rises and falls: opens, closes and netting
    return 1000 + np.cumsum(steps) - np.minimum(0, np.cumsum(steps).min())


def test_venue_maps_add_up_to_the_aggregate_when_venues_move_together() -> None:
    base = _oi(400, 1)
    split = split_by_venue(combine({"a": _venue(base), "b": _venue(0.5 * base), "c": _venue(0.2 * base)}))
    assert split.venues == ("a", "b", "c")
    for side in ("long", "short"):
        summed = sum(getattr(m, side) for m in split.maps.values())
        np.testing.assert_allclose(summed, getattr(split.aggregate, side), rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(
            getattr(split.maps["b"], side), 0.5 / 1.7 * getattr(split.aggregate, side), atol=1e-6
        )
    assert split.mismatch() < 1e-9


def test_venues_moving_apart_differ_from_the_aggregate_by_a_measured_amount() -> None:
    split = split_by_venue(combine({"a": _venue(_oi(400, 1)), "b": _venue(_oi(400, 2))}))
    assert split.mismatch() > 0.01  # the aggregate nets one venue's opens against the other's closes


def test_cluster_shares_name_the_venue_whose_positions_make_it() -> None:
    base = _oi(400, 1)
    split = split_by_venue(combine({"a": _venue(base), "b": _venue(3 * base)}))
    clusters = find_clusters(split.aggregate.profile())
    shares = split.cluster_shares(clusters)
    assert len(shares) > 0
    np.testing.assert_allclose(shares["share_b"], 0.75, atol=1e-9)
    np.testing.assert_allclose(shares["usd_a"] + shares["usd_b"], clusters["notional_usd"], rtol=1e-6)
    frame = split.profile_frame()
    assert set(frame["venue"]) == {"a", "b"} and (frame["usd"] > 0).all()


def test_a_single_venue_market_cannot_be_split() -> None:
    with pytest.raises(DataError, match="not an aggregate of several venues"):
        split_by_venue(_venue(_oi(50, 1)), ModelConfig())
