"""The replay's frames: the map as of one snapshot shows nothing after it, and the true book is cut the same way."""

from __future__ import annotations

import numpy as np
import pytest

from liqcore import analyse, simulate
from liqcore.charts.raster import heat_raster
from liqcore.replay import frame_at, snapshot_count, true_map


@pytest.fixture(scope="module")
def simulated():
    return analyse(simulate("long_cascade", seed=3, bars=600), snapshots=60)


def test_frame_shows_only_snapshots_and_bars_up_to_its_time(simulated) -> None:
    k = 25
    frame = frame_at(simulated, k)
    time = simulated.heatmap.times[k]
    assert frame.time == time and frame.index == k
    assert len(frame.estimate.times) == k + 1 and frame.estimate.times[-1] == time
    assert frame.candles["time"].max() <= time
    assert frame.candles["t1"].max() <= time + simulated.market.interval
    assert frame.estimate.implied.index.max() <= time
    assert frame.price == pytest.approx(simulated.market.bars.loc[time, "close"])
    spacing = simulated.heatmap.times[1] - simulated.heatmap.times[0]
    assert heat_raster(frame.estimate).t1 <= time + spacing  # the newest column is drawn one snapshot wide at most


def test_frame_keeps_the_estimated_values_of_its_columns(simulated) -> None:
    frame = frame_at(simulated, 10)
    edges = frame.estimate.price_edges
    start = int(np.searchsorted(simulated.heatmap.price_edges, edges[0]))
    bins = slice(start, start + len(edges) - 1)
    np.testing.assert_array_equal(frame.estimate.long, simulated.heatmap.long[:11, bins])
    np.testing.assert_array_equal(frame.estimate.short, simulated.heatmap.short[:11, bins])


def test_axes_stay_put_while_the_replay_plays(simulated) -> None:
    early, late = frame_at(simulated, 3), frame_at(simulated, snapshot_count(simulated) - 1)
    np.testing.assert_array_equal(early.estimate.price_edges, late.estimate.price_edges)
    shared = min(len(early.candles), len(late.candles)) - 1  # the last early candle may still be growing
    assert early.candles["time"].iloc[:shared].equals(late.candles["time"].iloc[:shared])


def test_true_book_is_cut_like_the_estimate(simulated) -> None:
    truth = true_map(simulated)
    frame = frame_at(simulated, 30, truth)
    assert frame.truth is not None
    assert frame.truth.times.equals(frame.estimate.times)
    np.testing.assert_array_equal(frame.truth.price_edges, frame.estimate.price_edges)
    assert frame.truth.long.sum() + frame.truth.short.sum() > 0
    assert not np.array_equal(frame.truth.long, frame.estimate.long)


def test_uploaded_data_has_no_true_book(simulated) -> None:
    uploaded = analyse(simulated.market, snapshots=40)
    assert true_map(uploaded) is None


@pytest.mark.parametrize("k", [-1, 60, 1000])
def test_snapshot_index_out_of_range_is_refused(simulated, k) -> None:
    with pytest.raises(IndexError, match=r"outside 0\.\.59"):
        frame_at(simulated, k)
