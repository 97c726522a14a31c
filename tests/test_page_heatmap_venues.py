"""The heatmap page's "By venue" section on the aggregate of the three fake exchanges (a real fetch on 127.0.0.1)."""

from __future__ import annotations

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from streamlit.testing.v1 import AppTest

from tests import exchange_fakes as fakes

SCRIPT = """
import streamlit as st
from liqcore import ModelConfig, analyse, fetch_market
from pages.components.venues import render_venue_split

urls = dict.fromkeys(("binance", "bybit", "okx"), {url!r})
market = fetch_market("{exchange}", "BTCUSDT", "5m", "1d", base_url={url!r}, base_urls=urls)
render_venue_split(analyse(market, ModelConfig(), snapshots=50, label="{exchange}"))
st.write("done")
"""


def _page(server: HTTPServer, exchange: str) -> AppTest:
    fakes.serve_venues(server, int(pd.Timestamp.now(tz="UTC").value // 1_000_000))
    at = AppTest.from_string(SCRIPT.format(url=server.url_for(""), exchange=exchange), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_aggregate_map_is_split_by_venue_and_names_its_venues(httpserver: HTTPServer) -> None:
    at = _page(httpserver, "all")
    assert [h.value for h in at.subheader] == ["By venue"]
    assert any("sums open interest over **Binance, Bybit, OKX**" in c.value for c in at.caption)
    [table] = at.dataframe
    shares = table.value
    assert len(shares) > 0
    # The fakes' open interest is 1 : 0.5 : 0.25 of one path, so every cluster splits in those proportions.
    assert shares["share_binance"].tolist() == pytest.approx([1 / 1.75] * len(shares), abs=1e-3)
    assert shares["share_okx"].tolist() == pytest.approx([0.25 / 1.75] * len(shares), abs=1e-3)
    assert any("add up to the aggregate map" in c.value for c in at.caption)
    assert len(at.get("vega_lite_chart")) == 1


def test_a_single_venue_map_has_no_venue_section(httpserver: HTTPServer) -> None:
    at = _page(httpserver, "binance")
    assert not at.subheader and not at.dataframe and at.markdown[-1].value == "done"
