"""Binance USDⓈ-M client against a real local HTTP server answering in Binance's exact shapes."""

from __future__ import annotations

import email.utils
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from liqcore import FetchError, fetch_market
from liqcore.exchanges import HttpSettings
from tests import exchange_fakes as fakes

END = pd.Timestamp.now(tz="UTC").floor("1D")


def fast(**kw) -> HttpSettings:
    return HttpSettings(**{"read_timeout": 2.0, "retries": 2, "backoff": 0.01, **kw})


@pytest.fixture
def binance(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/fapi/v1/klines").respond_with_handler(fakes.binance)
    for path in ("/futures/data/openInterestHist", "/futures/data/globalLongShortAccountRatio"):
        httpserver.expect_request(path).respond_with_handler(fakes.binance)
    httpserver.expect_request("/fapi/v1/fundingRate").respond_with_handler(fakes.binance)
    httpserver.expect_request("/fapi/v1/exchangeInfo").respond_with_handler(fakes.binance)
    return httpserver


def paths(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log]


def test_pages_klines_and_open_interest_into_one_market(binance: HTTPServer) -> None:
    progress: list[tuple[int, int]] = []
    m = fetch_market(
        "binance", "btcusdt", "1m", "2d", base_url=binance.url_for(""), end=END,
        on_progress=lambda d, t: progress.append((d, t)), settings=fast(),
    )  # fmt: skip
    assert len(m) == 2 * 1440 and m.interval == pd.Timedelta("1min")
    assert m.start == END - pd.Timedelta("2D") and m.end == END
    assert m.symbol == "BTCUSDT" and "Binance" in m.source and "BTCUSDT" in m.source and "1m" in m.source
    calls = paths(binance)
    assert calls.count("/fapi/v1/klines") == 2  # 2880 bars at ≤1500 a call
    assert calls.count("/futures/data/openInterestHist") == 2  # 577 snapshots of 5m at ≤500 a call
    first = m.bars.index[0]
    bar = fakes.bar(int(first.value // 1_000_000), 60_000)
    assert m.bars["open"].iloc[0] == pytest.approx(bar["o"], abs=0.01)
    assert m.bars["taker_buy_volume"].iloc[0] == pytest.approx(bar["v"] * 0.6, abs=1e-3)
    # open interest at a bar's close = the 5m snapshot taken at or before that close
    close_ms = int((first + pd.Timedelta("1min")).value // 1_000_000)
    snap = close_ms // 300_000 * 300_000
    assert m.bars["open_interest"].iloc[0] == pytest.approx(fakes.oi_base(snap), abs=1e-3)
    assert m.bars["open_interest_usd"].iloc[0] == pytest.approx(fakes.oi_base(snap) * fakes.price(snap), rel=1e-6)
    assert np.isfinite(m.bars["open_interest"]).all() and np.isfinite(m.bars["funding_rate"]).all()
    assert (m.bars["long_short_ratio"] == 1.5).all()
    assert progress[-1][0] == progress[-1][1] and len(progress) == len(calls)


def test_history_older_than_30_days_has_no_open_interest_and_says_so(binance: HTTPServer) -> None:
    m = fetch_market("binance", "BTCUSDT", "1h", "40d", base_url=binance.url_for(""), settings=fast())
    oi = m.bars["open_interest"]
    assert oi.isna().iloc[: 24 * 9].all() and oi.notna().iloc[-24 * 29 :].all()
    assert any("30 days" in note and "archive" in note for note in m.notes)


def test_retry_after_is_honoured_then_succeeds(binance: HTTPServer) -> None:
    binance.expect_oneshot_request("/fapi/v1/klines").respond_with_data(
        '{"code":-1003,"msg":"Too many requests"}', status=429, headers={"Retry-After": "7"}
    )
    waits: list[float] = []
    m = fetch_market("binance", "BTCUSDT", "5m", "1d", base_url=binance.url_for(""), settings=fast(sleep=waits.append))
    assert len(m) == 288 and waits == [7.0]


def test_retry_after_as_http_date(binance: HTTPServer) -> None:
    when = email.utils.format_datetime(pd.Timestamp.now(tz="UTC").to_pydatetime() + pd.Timedelta("5s"), usegmt=True)
    binance.expect_oneshot_request("/fapi/v1/klines").respond_with_data("", status=429, headers={"Retry-After": when})
    waits: list[float] = []
    fetch_market("binance", "BTCUSDT", "1h", "1d", base_url=binance.url_for(""), settings=fast(sleep=waits.append))
    assert len(waits) == 1 and 3.0 < waits[0] <= 5.0


def test_retry_after_wait_is_capped_and_retries_are_bounded(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fapi/v1/klines").respond_with_data("", status=429, headers={"Retry-After": "3600"})
    waits: list[float] = []
    with pytest.raises(FetchError, match="rate limiting") as err:
        fetch_market("binance", "BTCUSDT", base_url=httpserver.url_for(""), settings=fast(sleep=waits.append))
    assert err.value.status == 429 and waits == [10.0, 10.0]
    assert len(httpserver.log) == 3


def test_server_errors_back_off_exponentially(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fapi/v1/klines").respond_with_data("busy", status=503)
    waits: list[float] = []
    with pytest.raises(FetchError, match="server error") as err:
        fetch_market("binance", "BTCUSDT", base_url=httpserver.url_for(""), settings=fast(sleep=waits.append))
    assert err.value.status == 503 and waits == [0.01, 0.02]


def test_ban_is_a_rate_limit_message_without_retry(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fapi/v1/klines").respond_with_json({"code": -1003, "msg": "banned"}, status=418)
    with pytest.raises(FetchError, match="banned") as err:
        fetch_market("binance", "BTCUSDT", base_url=httpserver.url_for(""), settings=fast())
    assert err.value.status == 418 and len(httpserver.log) == 1


@pytest.mark.parametrize("status", [451, 403])
def test_region_block(httpserver: HTTPServer, status: int) -> None:
    httpserver.expect_request("/fapi/v1/klines").respond_with_json(
        {"code": 0, "msg": "Service unavailable from a restricted location"}, status=status
    )
    with pytest.raises(FetchError) as err:
        fetch_market("binance", "BTCUSDT", base_url=httpserver.url_for(""), settings=fast())
    assert err.value.status == status
    assert "refuses requests from this server's region; try another exchange or upload a CSV" in str(err.value)


def test_unknown_symbol_lists_close_matches(binance: HTTPServer) -> None:
    with pytest.raises(FetchError, match="does not list the symbol 'BTCUSTD'") as err:
        fetch_market("binance", "BTCUSTD", base_url=binance.url_for(""), settings=fast())
    assert err.value.status == 400 and "BTCUSDT" in str(err.value) and "ETHUSDT" not in str(err.value)


def test_unknown_symbol_without_symbol_list_still_explains(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fapi/v1/klines").respond_with_json({"code": -1121, "msg": "Invalid symbol."}, 400)
    with pytest.raises(FetchError, match=r"does not list the symbol 'XYZ'.*spelling"):
        fetch_market("binance", "XYZ", base_url=httpserver.url_for(""), settings=fast())


def test_timeout(httpserver: HTTPServer) -> None:
    slow = fakes.SlowHandler(lambda request: Response("[]", content_type="application/json"))
    httpserver.expect_request("/fapi/v1/klines").respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not answer in time") as err:
        fetch_market("binance", "BTCUSDT", base_url=httpserver.url_for(""), settings=fast(read_timeout=0.2))
    assert err.value.status is None and time.monotonic() - started < 0.6
    slow.drain(httpserver)


def test_malformed_json(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fapi/v1/klines").respond_with_data("<html>maintenance", content_type="text/html")
    with pytest.raises(FetchError, match="not valid JSON") as err:
        fetch_market("binance", "BTCUSDT", base_url=httpserver.url_for(""), settings=fast())
    assert err.value.status == 200


def test_network_down_is_a_plain_fetch_error() -> None:
    with pytest.raises(FetchError, match="Could not reach Binance"):
        fetch_market("binance", "BTCUSDT", base_url="http://127.0.0.1:9", settings=fast(connect_timeout=0.5))


def test_base_url_from_environment(binance: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIQCORE_BINANCE_URL", binance.url_for(""))
    assert len(fetch_market("binance", "BTCUSDT", "1h", "1d", settings=fast())) == 24


def test_missing_extras_become_notes_not_errors(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fapi/v1/klines").respond_with_handler(fakes.binance)
    httpserver.expect_request("/fapi/v1/fundingRate").respond_with_handler(fakes.binance)
    httpserver.expect_request("/futures/data/openInterestHist").respond_with_json({"code": -1, "msg": "down"}, 400)
    httpserver.expect_request("/futures/data/globalLongShortAccountRatio").respond_with_handler(fakes.binance)
    m = fetch_market("binance", "BTCUSDT", "1h", "1d", base_url=httpserver.url_for(""), settings=fast())
    assert "open_interest" not in m.bars.columns and m.has("long_short_ratio")
    assert any("open interest history unavailable" in n for n in m.notes)


def test_unsupported_interval_and_exchange() -> None:
    with pytest.raises(FetchError, match="does not serve 7m"):
        fetch_market("binance", "BTCUSDT", "7m", base_url="http://127.0.0.1:9")
    with pytest.raises(FetchError, match="Unknown exchange"):
        fetch_market("kraken", "BTCUSDT")


REAL = Path(__file__).parents[2] / "shared/data/real"
P1 = REAL / "binance_um_1h_taker_pojono_2025-05_08/binance_um_BTCUSDT_1h_klines_2025-05-11_2025-08-10.csv"


@pytest.mark.realdata
@pytest.mark.skipif(not P1.exists(), reason="real data folder ../shared/data/real is absent")
def test_real_binance_klines_replayed_through_the_client(httpserver: HTTPServer) -> None:
    """Real Binance USDⓈ-M 1h klines served in the REST shape come back unchanged, page by page."""
    real = pd.read_csv(P1).drop_duplicates()
    open_ms = ((pd.to_datetime(real["timestamp"]) - pd.Timestamp(0)) // pd.Timedelta("1ms")).to_numpy()
    fields = ["open", "high", "low", "close", "volume", "close_time", "quote_volume", "trades", "taker_buy_base"]
    rows = [
        [int(t), *(str(v) for v in values), "0", "0"]
        for t, values in zip(open_ms, real[fields].to_numpy(), strict=True)
    ]

    def klines(request: Request) -> Response:
        start, end, limit = (int(request.args[k]) for k in ("startTime", "endTime", "limit"))
        return fakes.as_json([r for r in rows if start <= r[0] <= end][:limit])

    httpserver.expect_request("/fapi/v1/klines").respond_with_handler(klines)
    httpserver.expect_request("/fapi/v1/fundingRate").respond_with_json([])
    m = fetch_market(
        "binance", "BTCUSDT", "1h", base_url=httpserver.url_for(""), start="2025-05-11", end="2025-08-11",
        settings=fast(),
    )  # fmt: skip
    assert len(m) == len(real) == 2208
    assert np.allclose(m.bars["close"], real["close"]) and np.allclose(
        m.bars["taker_buy_volume"], real["taker_buy_base"]
    )
    assert [r.path for r, _ in httpserver.log].count("/fapi/v1/klines") == 2
    assert any("No open interest" in n and "30 days" in n for n in m.notes)
