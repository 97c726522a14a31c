"""Profile analytics on hand-built books: cumulative curves, clusters, notional on the way to a price."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from liqcore.profile import Profile, cumulative, find_clusters, notional_between


def book(long: list[float], short: list[float], price: float = 105.0) -> Profile:
    edges = np.arange(100.0, 100.0 + len(long) + 1)
    return Profile(pd.Timestamp("2026-01-01", tz="UTC"), price, edges, np.array(long, float), np.array(short, float))


def test_cumulative_curves_grow_outward_from_price() -> None:
    prof = book([1, 2, 3, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 4, 5, 0, 6])
    cum = cumulative(prof)
    assert cum["long_cum"].iloc[0] == 6 and cum["long_cum"].iloc[2] == 3
    assert cum["short_cum"].iloc[-1] == 15 and cum["short_cum"].iloc[6] == 4
    assert np.isnan(cum["short_cum"].iloc[0]) and np.isnan(cum["long_cum"].iloc[-1])


def test_clusters_are_peaks_with_ranges_sorted_by_size() -> None:
    long = [0, 1, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    short = [0, 0, 0, 0, 0, 0, 0, 2, 20, 2, 0, 0]
    prof = book(long, short, price=106.0)
    clusters = find_clusters(prof, smooth_bins=1)
    assert list(clusters["side"]) == ["short", "long"]
    top = clusters.iloc[0]
    assert top["notional_usd"] == 24 and top["price_low"] == 107 and top["price_high"] == 110
    assert top["distance_pct"] == pytest.approx(100 * (108.5 / 106 - 1))
    assert find_clusters(book([0] * 5, [0] * 5)).empty


def test_small_clusters_are_dropped_and_output_is_deterministic() -> None:
    prof = book([0, 100, 0, 0, 1, 0, 0, 0], [0] * 8)
    first = find_clusters(prof, smooth_bins=1, min_share=0.05)
    assert len(first) == 1
    pd.testing.assert_frame_equal(first, find_clusters(prof, smooth_bins=1, min_share=0.05))


def test_notional_between_counts_bins_crossed_on_the_way() -> None:
    prof = book([4, 4, 4, 0, 0, 0], [0, 0, 0, 0, 10, 10], price=103.5)
    assert notional_between(prof, 103.5, 101.0) == {"side": "long", "usd": pytest.approx(4 + 4)}
    assert notional_between(prof, 103.5, 105.5) == {"side": "short", "usd": pytest.approx(10 + 5)}
