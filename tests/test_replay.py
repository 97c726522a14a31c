"""The replay's frames: the map as of one snapshot shows nothing after it, and the true book is cut the same way."""

from __future__ import annotations

import numpy as np
import pytest

from liqcore import analyse, simulate
from liqcore.charts.raster import heat_raster
from liqcore.replay import frame_at, replay_tape, snapshot_count, true_map


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


def test_tape_frames_draw_what_frame_at_draws(simulated) -> None:
    """Frame k in the browser = the whole raster clipped at snapshot k + 1 and the candles up to its bar, so the
    tape's partial candle for every snapshot must be frame_at's last candle and its columns the same snapshots."""
    tape = replay_tape(simulated)
    times = simulated.heatmap.times
    assert tape["times"] == [int(t.value // 1_000_000) for t in times]
    whole = tape["candles"]
    for k in (0, 7, 31, snapshot_count(simulated) - 1):
        shown = frame_at(simulated, k).candles
        last = tape["partial"]["candle"][k]
        assert last == len(shown) - 1  # candles before it are whole, this one is drawn from the partial values
        assert whole["time"][: last + 1] == [int(t.value // 1_000_000) for t in shown["time"]]
        assert whole["open"][last] == pytest.approx(shown["open"].iloc[-1])
        for name in ("high", "low", "close"):
            assert tape["partial"][name][k] == pytest.approx(shown[name].iloc[-1]), (k, name)
        assert tape["partial"]["t1"][k] == int(shown["t1"].iloc[-1].value // 1_000_000)
        assert tape["prices"][k] == pytest.approx(frame_at(simulated, k).price)


def test_tape_maps_share_the_window_and_the_true_book_only_on_simulated_data(simulated) -> None:
    tape = replay_tape(simulated)
    estimate, truth = tape["maps"]
    assert "estimate" in estimate["title"] and "not an estimate" in truth["title"]
    for key in ("t0", "t1", "p0", "p1"):
        assert estimate[key] == truth[key]
    first = frame_at(simulated, 0).estimate
    assert estimate["p0"] == pytest.approx(first.price_edges[0])  # the price bins of every frame
    assert tape["low"] < min(tape["candles"]["low"]) and tape["high"] > max(tape["candles"]["high"])
    assert tape["start"] <= estimate["t0"] < estimate["t1"] <= tape["end"]
    assert len(replay_tape(analyse(simulated.market, snapshots=40))["maps"]) == 1
