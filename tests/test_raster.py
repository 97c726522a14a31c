"""The raster heat layer: one pixel per snapshot and bin, in place, with side hues and scale-driven opacity."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from liqcore.charts.raster import LONG_RGB, SHORT_RGB, heat_raster
from liqcore.config import ModelConfig
from liqcore.heatmap import Heatmap


def make(long: np.ndarray, short: np.ndarray, times: pd.DatetimeIndex | None = None) -> Heatmap:
    columns, bins = long.shape
    times = times if times is not None else pd.date_range("2026-01-01", periods=columns, freq="1h", tz="UTC")
    bars = pd.date_range(times[0], times[-1], freq="5min")
    return Heatmap(
        times=times,
        price_edges=np.linspace(100.0, 100.0 + bins, bins + 1),
        long=long,
        short=short,
        implied=pd.DataFrame({"long_usd": 0.0, "short_usd": 0.0}, index=bars),
        close=np.full(columns, 100.0 + bins / 2),
        config=ModelConfig(),
        driver="open interest",
    )


def pixels(raster) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(raster.png)).convert("RGBA"))


def test_every_column_and_bin_is_one_pixel_with_the_top_row_the_highest_price() -> None:
    long, short = np.zeros((6, 4)), np.zeros((6, 4))
    long[2, 0] = 10.0  # column 2, lowest bin
    short[5, 3] = 5.0  # last column, highest bin
    raster = heat_raster(make(long, short), scale="linear")
    image = pixels(raster)
    assert image.shape == (4, 6, 4)
    assert tuple(image[3, 2, :3]) == LONG_RGB and image[3, 2, 3] == 255  # densest cell fully opaque
    assert tuple(image[0, 5, :3]) == SHORT_RGB and 0 < image[0, 5, 3] < 255
    assert np.count_nonzero(image[..., 3]) == 2  # empty cells are transparent
    assert raster.p0 == 100.0 and raster.p1 == 104.0
    assert raster.t0 == pd.Timestamp("2026-01-01", tz="UTC")
    assert raster.t1 == pd.Timestamp("2026-01-01 06:00", tz="UTC")  # the newest (one-bar) column is one pixel wide
    assert raster.url.startswith("data:image/png;base64,")


def test_uneven_snapshots_are_drawn_where_they_are() -> None:
    times = pd.DatetimeIndex(["2026-01-01 00:00", "2026-01-01 01:00", "2026-01-01 03:00"], tz="UTC")
    long = np.array([[1.0], [2.0], [3.0]])
    image = pixels(heat_raster(make(long, np.zeros((3, 1)), times), scale="linear"))
    alpha = image[0, :, 3]
    assert len(alpha) == 4  # 3 h 05 in one-hour pixels (the narrowest gap)
    assert alpha[0] < alpha[1] == alpha[2] < alpha[3]  # hours 1-3 hold the second snapshot; the last pixel the newest


def test_side_and_threshold_hide_what_they_say() -> None:
    rng = np.random.default_rng(2)
    long, short = rng.random((20, 10)), rng.random((20, 10))
    longs_only = pixels(heat_raster(make(long, short), side="long", scale="linear"))
    shown = longs_only[..., 3] > 0
    assert shown.all() and (longs_only[shown][:, :3] == LONG_RGB).all()
    bright = pixels(heat_raster(make(long, short), scale="percentile", threshold=0.5))
    assert np.count_nonzero(bright[..., 3]) == pytest.approx(100, abs=2)  # half of 200 cells
    with pytest.raises(ValueError, match="scale"):
        heat_raster(make(long, short), scale="cubic")


def test_log_scale_spans_three_decades_and_percentile_inks_only_the_top() -> None:
    long = np.array([[1e6, 1e4, 1e2, 1.0]])
    alpha = pixels(heat_raster(make(long, np.zeros((1, 4))), scale="log"))[::-1, 0, 3]  # bottom bin first
    assert alpha[0] == 255 and alpha[0] > alpha[1] > 0
    assert alpha[2] == 0 and alpha[3] == 0  # 1/10,000 of the densest and fainter: below the scale
    rng = np.random.default_rng(1)
    book = rng.exponential(1.0, (50, 40))
    percentile = pixels(heat_raster(make(book, np.zeros((50, 40))), scale="percentile"))[..., 3]
    assert np.median(percentile) < 0.25 * 255  # not a flood: the median cell is faint
    assert np.quantile(percentile, 0.99) > 0.9 * 255


def test_mixed_pixel_blends_the_two_hues_by_share() -> None:
    long, short = np.array([[3.0]]), np.array([[1.0]])
    rgb = pixels(heat_raster(make(long, short), scale="linear"))[0, 0, :3].astype(float)
    expected = 0.75 * np.asarray(LONG_RGB) + 0.25 * np.asarray(SHORT_RGB)
    assert np.abs(rgb - expected).max() <= 1
