"""Profile analytics on hand-built books: cumulative curves, clusters, notional on the way to a price."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_neighbouring_peaks_share_no_bin() -> None:
    prof = book([0] * 10, [0, 0, 5, 9, 4, 3, 8, 6, 0, 0], price=101.0)
    clusters = find_clusters(prof, smooth_bins=1, min_share=0.0).sort_values("price_low")
    assert len(clusters) == 2
    assert clusters["price_high"].iloc[0] <= clusters["price_low"].iloc[1]
    assert clusters["notional_usd"].sum() == pytest.approx(35)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(0, 1e9, allow_nan=False), min_size=2, max_size=60),
    smooth=st.integers(1, 5),
)
def test_clusters_never_count_a_dollar_twice(values: list[float], smooth: int) -> None:
    n = len(values)
    prof = book(values, [0.0] * n, price=100.0 + n)
    clusters = find_clusters(prof, smooth_bins=smooth, min_share=0.0, max_clusters=n).sort_values("price_low")
    assert (clusters["price_high"].to_numpy()[:-1] <= clusters["price_low"].to_numpy()[1:]).all()
    assert clusters["notional_usd"].sum() <= sum(values) * (1 + 1e-9) + 1e-6
    assert (clusters["distance_pct"] <= 0).all()


def test_a_small_cluster_below_a_big_one_does_not_hide_it() -> None:
    prof = book([1, 0, 0, 0, 100, 0, 0, 0], [0] * 8, price=109.0)
    clusters = find_clusters(prof, smooth_bins=1, min_share=0.05)
    assert clusters["notional_usd"].tolist() == [100]


def test_a_flat_shoulder_belongs_to_its_peaks_cluster_on_both_sides() -> None:
    above = find_clusters(book([0, 3, 9, 4, 4, 0], [0] * 6, price=107.0), smooth_bins=1, min_share=0.0)
    assert above[["price_low", "price_high", "notional_usd"]].values.tolist() == [[101, 105, 20]]
    # Below: the big peak's range stops at its floor (a twentieth of 100), so the flat 2, 2 go to the small peak.
    below = find_clusters(book([100, 2, 2, 10, 0, 0], [0] * 6, price=107.0), smooth_bins=1, min_share=0.0)
    assert below[["price_low", "price_high", "notional_usd"]].values.tolist() == [[100, 101, 100], [101, 104, 14]]


def test_by_default_a_lone_spike_is_smoothed_over_three_bins() -> None:
    prof = book([0, 0, 0, 0, 0, 30, 0, 0, 0, 0, 0], [0] * 11, price=111.0)
    cluster = find_clusters(prof).iloc[0]
    assert (cluster["price_low"], cluster["price_high"]) == (104, 107)
    assert cluster["notional_usd"] == 30


def test_clusters_of_equal_notional_are_listed_lowest_peak_first() -> None:
    long = [0, 5, 0, 0, 0, 0, 0, 0, 0, 0]
    short = [0, 0, 0, 0, 0, 0, 0, 5, 0, 0]
    clusters = find_clusters(book(long, short, price=104.0), smooth_bins=1)
    assert list(clusters["notional_usd"]) == [5, 5]
    assert list(clusters["side"]) == ["long", "short"]
    assert clusters["peak_price"].is_monotonic_increasing
