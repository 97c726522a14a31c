"""The sidebar's live and archive sources in a real Streamlit script run, pointed at a local fake exchange."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from streamlit.testing.v1 import AppTest
from werkzeug import Request, Response

from pages.components.cache import clear_all
from tests import exchange_fakes as fakes


def live_app() -> None:
    import streamlit as st

    from pages.components.live import live_source

    with st.sidebar:
        market = live_source()
    if market is not None:
        st.metric("bars", len(market))
        st.write(market.source)


@pytest.fixture
def app(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    for path in (
        "/fapi/v1/klines",
        "/futures/data/openInterestHist",
        "/futures/data/globalLongShortAccountRatio",
        "/fapi/v1/fundingRate",
    ):
        httpserver.expect_request(path).respond_with_handler(fakes.binance)
    monkeypatch.setenv("LIQCORE_BINANCE_URL", httpserver.url_for(""))
    clear_all()
    return AppTest.from_function(live_app, default_timeout=30)


def test_fetch_shows_market_and_last_updated(app: AppTest, httpserver: HTTPServer) -> None:
    app.run()
    assert not app.exception and not app.metric
    app.sidebar.button(key="live_fetch").click().run()
    assert not app.exception and not app.error
    assert app.metric[0].value == "2016"  # 7 days of 5-minute bars
    assert any("Last updated" in c.value and "UTC" in c.value for c in app.sidebar.caption)
    calls = len(httpserver.log)
    app.run()  # a rerun takes the cached market
    assert len(httpserver.log) == calls and app.metric[0].value == "2016"


def test_error_is_shown_and_previous_market_kept(app: AppTest, httpserver: HTTPServer) -> None:
    app.run()
    app.sidebar.button(key="live_fetch").click().run()
    assert app.metric[0].value == "2016"
    httpserver.clear_all_handlers()
    httpserver.expect_request("/fapi/v1/klines").respond_with_json({"code": 0, "msg": "restricted"}, status=451)
    app.sidebar.button(key="live_fetch").click().run()  # Refresh with the same inputs bypasses the cache
    assert not app.exception
    assert "refuses requests from this server's region" in app.sidebar.error[0].value
    assert app.metric[0].value == "2016"
    assert any("previous data" in c.value for c in app.sidebar.caption)


def test_unknown_symbol_without_previous_market(app: AppTest) -> None:
    app.run()
    app.sidebar.text_input(key="live_symbol").input("BTCUSTD").run()
    app.sidebar.button(key="live_fetch").click().run()
    assert not app.exception and not app.metric
    assert "does not list the symbol 'BTCUSTD'" in app.sidebar.error[0].value


def test_all_venues_source_aggregates_and_says_which_venues_answered(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    now_ms = int(pd.Timestamp.now(tz="UTC").value // 1_000_000)
    fakes.serve_venues(httpserver, now_ms, venues=("binance", "okx"))  # Bybit answers 500: named, not fatal
    for env in ("LIQCORE_BINANCE_URL", "LIQCORE_BYBIT_URL", "LIQCORE_OKX_URL"):
        monkeypatch.setenv(env, httpserver.url_for(""))
    clear_all()
    app = AppTest.from_function(live_app, default_timeout=60)
    app.query_params["live_exchange"] = "all"
    app.query_params["live_lookback"] = "1d"  # an old link's name for the fetch span (now live_span) still works
    app.run()
    assert app.sidebar.selectbox(key="live_exchange").value == "all"
    app.sidebar.button(key="live_fetch").click().run()
    assert not app.exception and not app.error
    assert app.metric[0].value == "288"
    assert "Binance + OKX aggregate" in app.markdown[0].value
    assert any(c.value == "Open interest summed over Binance, OKX." for c in app.sidebar.caption)


def test_too_many_bars_is_refused_with_advice(app: AppTest) -> None:
    app.run()
    app.sidebar.selectbox(key="live_interval").select("1m").run()
    app.sidebar.selectbox(key="live_span").select("30d").run()
    assert not app.exception and "archive" in app.sidebar.warning[0].value


def archive_app() -> None:
    import streamlit as st

    from pages.components.live import archive_source

    with st.sidebar:
        market = archive_source()
    if market is not None:
        st.metric("bars", len(market))


def _fetch_two_archive_days(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, handler: Callable[[Request], Response]
) -> AppTest:
    """The archive source pointed at the local server, 2024-01-30..31 picked and fetched."""
    httpserver.expect_request(re.compile(r"^/data/.*")).respond_with_handler(handler)
    monkeypatch.setenv("LIQCORE_ARCHIVE_URL", httpserver.url_for(""))
    monkeypatch.setenv("LIQCORE_CACHE_DIR", str(tmp_path))
    clear_all()
    app = AppTest.from_function(archive_app, default_timeout=30).run()
    app.sidebar.date_input(key="archive_days").set_value((dt.date(2024, 1, 30), dt.date(2024, 1, 31))).run()
    return app.sidebar.button(key="archive_fetch").click().run()


def test_archive_source_downloads_a_date_range(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files = fakes.archive_files("BTCUSDT", "5m", ["2024-01-30", "2024-01-31"])
    app = _fetch_two_archive_days(httpserver, monkeypatch, tmp_path, fakes.serve_files(files))
    assert not app.exception and not app.error
    assert app.metric[0].value == "576"  # two days of 5-minute bars
    assert any("Last updated" in c.value for c in app.sidebar.caption)


def test_archive_range_is_sized_to_the_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIQCORE_ARCHIVE_URL", "http://127.0.0.1:9")
    app = AppTest.from_function(archive_app, default_timeout=30).run()
    app.sidebar.selectbox(key="archive_interval").select("1m").run()
    app.sidebar.date_input(key="archive_days").set_value((dt.date(2024, 1, 1), dt.date(2024, 6, 30))).run()
    assert not app.exception
    assert "At most 90 days of 1m bars" in app.sidebar.warning[0].value


def test_base_url_from_streamlit_secrets(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    httpserver.expect_request("/fapi/v1/klines").respond_with_handler(fakes.binance)
    httpserver.expect_request("/fapi/v1/fundingRate").respond_with_json([])
    for path in ("/futures/data/openInterestHist", "/futures/data/globalLongShortAccountRatio"):
        httpserver.expect_request(path).respond_with_json([])
    monkeypatch.delenv("LIQCORE_BINANCE_URL", raising=False)
    clear_all()
    app = AppTest.from_function(live_app, default_timeout=30)
    app.secrets["LIQCORE_BINANCE_URL"] = httpserver.url_for("")
    app.query_params["live_interval"] = "1h"
    app.query_params["live_symbol"] = "ethusdt"
    app.run()
    app.sidebar.button(key="live_fetch").click().run()
    assert not app.exception and not app.error
    assert app.metric[0].value == "168"  # 7 days of 1-hour bars, interval taken from the link
    assert "ETHUSDT" in app.markdown[0].value


def test_archive_download_stopping_part_way_shows_a_warning_and_the_days_obtained(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served = fakes.serve_files(fakes.archive_files("BTCUSDT", "5m", ["2024-01-30", "2024-01-31"]))

    def second_day_fails(request: Request) -> Response:
        if "2024-01-31" in request.path:  # Retry-After: 0 keeps the client's retries instant
            return Response(b"", status=503, headers={"Retry-After": "0"})
        return served(request)

    app = _fetch_two_archive_days(httpserver, monkeypatch, tmp_path, second_day_fails)
    assert not app.exception and not app.error
    assert app.metric[0].value == "288"  # the first day's 5-minute bars
    [warning] = app.sidebar.warning
    assert warning.value.replace("\\", "").startswith("Incomplete download: stopped after 2 of 4 files")
    assert "HTTP 503" in warning.value and "2024-01-31 was not downloaded" in warning.value
    assert any("Press Refresh" in c.value for c in app.sidebar.caption)

    httpserver.clear_all_handlers()
    httpserver.expect_request(re.compile(r"^/data/.*")).respond_with_handler(served)
    httpserver.clear_log()
    app.sidebar.button(key="archive_fetch").click().run()  # Refresh
    assert not app.exception and not app.error and not app.sidebar.warning
    assert app.metric[0].value == "576"
    assert all("2024-01-31" in r.path for r, _ in httpserver.log)  # the first day came from the cache


def test_refresh_replaces_a_cached_archive_file_damaged_on_disk(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files = fakes.archive_files("BTCUSDT", "5m", ["2024-01-30", "2024-01-31"])
    app = _fetch_two_archive_days(httpserver, monkeypatch, tmp_path, fakes.serve_files(files))
    assert app.metric[0].value == "576"
    path = "/data/futures/um/daily/klines/BTCUSDT/5m/BTCUSDT-5m-2024-01-31.zip"
    cached = tmp_path / path.lstrip("/")
    cached.write_bytes(cached.read_bytes()[:100])  # a killed write or a full disk
    httpserver.clear_log()
    app.sidebar.button(key="archive_fetch").click().run()  # Refresh
    assert not app.exception and not app.error and not app.sidebar.warning
    assert app.metric[0].value == "576"
    assert [r.path for r, _ in httpserver.log if r.path.endswith(".zip")] == [path]
    assert cached.read_bytes() == files[path]


def test_refresh_asks_the_archive_again_for_a_day_it_lacked(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files = fakes.archive_files("BTCUSDT", "5m", ["2024-01-30", "2024-01-31"])
    late_day = "/data/futures/um/daily/klines/BTCUSDT/5m/BTCUSDT-5m-2024-01-31.zip"
    published = {path: data for path, data in files.items() if not path.startswith(late_day)}
    app = _fetch_two_archive_days(httpserver, monkeypatch, tmp_path, fakes.serve_files(published))
    assert app.metric[0].value == "288"  # the archive had not published 2024-01-31 yet: remembered as missing
    assert (tmp_path / (late_day.lstrip("/") + ".missing")).is_file()

    published.update(files)  # now it has
    httpserver.clear_log()
    app.sidebar.button(key="archive_fetch").click().run()  # Refresh
    assert not app.exception and not app.error
    assert app.metric[0].value == "576"
    assert late_day in [r.path for r, _ in httpserver.log]
    assert not (tmp_path / (late_day.lstrip("/") + ".missing")).exists()
