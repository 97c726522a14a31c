"""The Scanner page under AppTest: ranks the top-20 preset from a local stand-in for the Binance archive on a Dask
cluster on 127.0.0.1 (named by LIQCORE_DASK_SCHEDULER, as a deployment would), and each row links to its heatmap."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import streamlit as st
from pytest_httpserver import HTTPServer
from streamlit.testing.v1 import AppTest

from liqcore.symbols import TOP_BY_VOLUME
from tests import exchange_fakes as fakes
from tests.dask_cluster import local_cluster

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "scanner.py")
APP = str(ROOT / "streamlit_app.py")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1")
    files = fakes.archive_universe(fakes.UNIVERSE, "5m", fakes.past_days(1))
    server.expect_request(re.compile(r"^/data/.*")).respond_with_handler(fakes.serve_files(files))
    server.start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LIQCORE_ARCHIVE_URL", server.url_for(""))
        patch.setenv("LIQCORE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        with local_cluster(2) as cluster:
            patch.setenv("LIQCORE_DASK_SCHEDULER", cluster.scheduler_address)
            yield server
            st.cache_resource.clear()  # the page's cached client points at this cluster
    server.stop()


def _scanned(**widgets: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180).run()
    at.selectbox(key="scan_span").select("1d")
    for key, value in widgets.items():
        at.text_input(key=key).input(value) if key == "scan_own" else at.radio(key=key).set_value(value)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_top20_is_ranked_with_sparklines_and_a_heatmap_link_per_row(deployment: HTTPServer) -> None:
    at = _scanned()
    [table] = at.dataframe
    ranking = table.value
    assert ranking["symbol"].tolist() != list(TOP_BY_VOLUME[:20])  # ranked by fuel, not listed in preset order
    assert sorted(ranking["symbol"]) == sorted(TOP_BY_VOLUME[:20]) and ranking["rank"].tolist() == list(range(1, 21))
    assert ranking["fuel_to_volume"].is_monotonic_decreasing
    assert all(len(points) == 48 for points in ranking["spark"])
    for symbol, link in zip(ranking["symbol"], ranking["heatmap"], strict=True):
        query = dict(parse_qsl(urlsplit(link).query))
        assert query == {"src": "archive", "archive_symbol": symbol, "archive_interval": "5m", "fetch": "1"}
    assert any("20 symbols ranked in" in c.value and "Dask worker" in c.value for c in at.caption)


def test_typed_symbols_are_text_and_an_unknown_one_is_reported_not_fatal(deployment: HTTPServer) -> None:
    at = _scanned(scan_list="own", scan_own="solusdt, NOSUCHUSDT")
    assert at.dataframe[0].value["symbol"].tolist() == ["SOLUSDT"]
    assert "1 symbol(s) could not be scanned" in at.expander[0].label
    assert at.dataframe[1].value["symbol"].tolist() == ["NOSUCHUSDT"]
    odd = _scanned(scan_list="own", scan_own="BTCUSDT, **bold**<b>x</b>")
    assert odd.error and not odd.dataframe
    assert odd.text[0].value.startswith("'**bold**<b>x</b>' is not a symbol")  # shown as text, not markdown/HTML


def test_a_rows_link_opens_that_symbols_heatmap(deployment: HTTPServer) -> None:
    at = AppTest.from_file(APP, default_timeout=180)
    symbol = "XRPUSDT"
    for key, value in {"src": "archive", "archive_symbol": symbol, "archive_interval": "5m", "fetch": "1"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    analysis = at.session_state["analysis"]
    assert analysis.market.symbol == symbol and "archive" in analysis.market.source
    assert at.title[0].value == "Liquidation heatmap"


def _clients(probe) -> int:
    return probe.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.clients))


def test_clearing_the_cache_closes_the_page_client(deployment: HTTPServer) -> None:
    """A dropped connection closes its client: left open, it kept trying to reach a scheduler that had gone away."""
    import distributed

    _scanned(scan_list="own", scan_own="BTCUSDT")
    with distributed.Client(os.environ["LIQCORE_DASK_SCHEDULER"], timeout="10s") as probe:
        connected = _clients(probe)
        st.cache_resource.clear()
        deadline = time.monotonic() + 30
        while _clients(probe) != connected - 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _clients(probe) == connected - 1
