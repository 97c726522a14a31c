"""Two users, one server: the caches every session shares key data by content, so two uploads with the same file
name, span and row count (two people's `BTCUSDT-5m-2026-01.csv`, or a corrected re-upload) each get their own map."""

from __future__ import annotations

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from liqcore.market import Market

NAME = "BTCUSDT-5m-2026-01.csv"


def _csv(level: float, seed: int, rows: int = 400) -> bytes:
    """Generic OHLCV+OI bars at 5 minutes around `level`; same times and row count for every level."""
    rng = np.random.default_rng(seed)
    close = level * np.exp(np.cumsum(rng.normal(0, 0.002, rows)))
    open_ = np.r_[level, close[:-1]]
    spread = level * 0.001
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range("2026-01-01", periods=rows, freq="5min").strftime("%Y-%m-%dT%H:%M:%SZ"),
            "open": open_,
            "high": np.maximum(open_, close) + spread,
            "low": np.minimum(open_, close) - spread,
            "close": close,
            "volume": rng.uniform(10, 20, rows),
            "open_interest": 1e4 + np.cumsum(rng.normal(0, 5, rows)),
        }
    )
    return frame.to_csv(index=False).encode()


# The frame's data path (source picker, shared estimate cache) without the page navigation, whose sidebar AppTest
# does not keep across reruns.
SCRIPT = """
import streamlit as st
from liqcore.config import ModelConfig
from pages.components import data_sources, session

with st.sidebar:
    data = data_sources.choose_source(st.container())
if data is not None:
    st.session_state["analysis"] = session.analyse_or_stop(data, "all", ModelConfig())
"""


def _session(content: bytes) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=120)
    at.query_params["src"] = "upload"
    at.run()
    at.file_uploader(key="upload_files").set_value((NAME, content, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_same_named_uploads_in_two_sessions_each_get_their_own_map() -> None:
    cheap, dear = _csv(100.0, 1), _csv(50_000.0, 2)
    first, second = _session(cheap), _session(dear)
    for at, level in ((first, 100.0), (second, 50_000.0)):
        analysis = at.session_state["analysis"]
        assert 0.5 * level < analysis.market.last_price < 2 * level
        edges = analysis.heatmap.price_edges
        assert edges[0] < analysis.market.last_price < edges[-1]  # the map is drawn around this session's prices
        np.testing.assert_allclose(analysis.heatmap.close[-1], analysis.market.last_price)
    assert first.session_state["analysis"].key != second.session_state["analysis"].key
    first.run()  # the first session, rerun after the second filled the cache, still sees its own map
    assert first.session_state["analysis"].heatmap.close[-1] < 200


def test_digest_changes_with_any_value_and_not_with_the_object() -> None:
    index = pd.date_range("2026-01-01", periods=3, freq="1h", tz="UTC")
    bars = pd.DataFrame({"open": [1.0, 2, 3], "high": [2.0, 3, 4], "low": [0.5, 1, 2], "close": [1.5, 2.5, 3.5]}, index)
    base = Market(bars, "BTCUSDT", source="a")
    assert base.digest == Market(bars.copy(), "BTCUSDT", source="another name").digest
    changed = bars.copy()
    changed.iloc[1, 3] = 2.6
    assert Market(changed, "BTCUSDT").digest != base.digest
    assert Market(bars.assign(volume=[1.0, 1, 1]), "BTCUSDT").digest != base.digest
    assert Market(bars, "ETHUSDT").digest != base.digest
    shifted = bars.set_axis(index + pd.Timedelta("1h"))
    assert Market(shifted, "BTCUSDT").digest != base.digest
