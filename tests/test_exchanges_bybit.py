"""Bybit v5 client against a real local HTTP server answering in Bybit's exact shapes (newest first, retCode)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from liqcore import FetchError, fetch_market
from liqcore.exchanges import HttpSettings
from tests import exchange_fakes as fakes

END = pd.Timestamp.now(tz="UTC").floor("1D")
PATHS = (
    "/v5/market/kline",
    "/v5/market/open-interest",
    "/v5/market/account-ratio",
    "/v5/market/funding/history",
    "/v5/market/instruments-info",
)


def fast(**kw) -> HttpSettings:
    return HttpSettings(**{"read_timeout": 2.0, "retries": 2, "backoff": 0.01, **kw})


@pytest.fixture
def bybit(httpserver: HTTPServer) -> HTTPServer:
    for path in PATHS:
        httpserver.expect_request(path).respond_with_handler(fakes.bybit)
    return httpserver


def fetch(server: HTTPServer, symbol: str = "BTCUSDT", interval: str = "5m", lookback: str = "1d", **kw):
    return fetch_market("bybit", symbol, interval, lookback, base_url=server.url_for(""), end=END, **kw)


def test_pages_newest_first_lists_into_ascending_bars(bybit: HTTPServer) -> None:
    m = fetch(bybit, interval="1m", lookback="1d", settings=fast())
    assert len(m) == 1440 and m.start == END - pd.Timedelta("1D") and m.end == END
    assert m.bars.index.is_monotonic_increasing
    assert "Bybit" in m.source and "BTCUSDT" in m.source and "1m" in m.source
    calls = [r.path for r, _ in bybit.log]
    assert calls.count("/v5/market/kline") == 2  # 1440 bars at ≤1000 a call
    assert calls.count("/v5/market/open-interest") == 2  # 289 snapshots at ≤200 a call
    t = int(m.bars.index[-1].value // 1_000_000)
    bar = fakes.bar(t, 60_000)
    assert m.bars["close"].iloc[-1] == pytest.approx(bar["c"], abs=0.01)
    assert m.bars["quote_volume"].iloc[-1] == pytest.approx(bar["v"] * bar["c"], abs=0.01)
    snap = (t + 60_000) // 300_000 * 300_000
    assert m.bars["open_interest"].iloc[-1] == pytest.approx(fakes.oi_base(snap))
    usd = m.bars["open_interest"] * m.bars["close"]
    assert np.allclose(m.bars["open_interest_usd"], usd)
    assert np.allclose(m.bars["long_short_ratio"], 1.5)
    assert np.isfinite(m.bars["funding_rate"]).all()


def test_funding_pages_ask_for_the_page_size_the_stop_rule_counts_on(bybit: HTTPServer) -> None:
    # The loop stops at the first page shorter than FUNDING_LIMIT, so each request must ask for that many rows:
    # a server answering its own smaller default would otherwise end the history after one page.
    from liqcore.exchanges.bybit import FUNDING_LIMIT

    fetch(bybit, interval="1h", lookback="3d", settings=fast())
    funding = [r.args for r, _ in bybit.log if r.path == "/v5/market/funding/history"]
    assert funding and all(args.get("limit") == str(FUNDING_LIMIT) for args in funding)


def test_every_request_asks_for_the_linear_usdt_contracts(bybit: HTTPServer) -> None:
    # Bybit's v5 market endpoints serve spot, linear and inverse alike: without category=linear an answer may be
    # another product's (or a refusal), so every call names it.
    fetch(bybit, interval="1h", lookback="3d", settings=fast())
    asked = {(r.path, r.args.get("category")) for r, _ in bybit.log}
    assert {path for path, _ in asked} >= {"/v5/market/kline", "/v5/market/funding/history"}
    assert all(category == "linear" for _, category in asked), asked


def test_single_open_interest_is_preferred(httpserver: HTTPServer) -> None:
    def one_side(request: Request) -> Response:
        t = int(request.args["startTime"]) + 3_600_000  # the close of the one 1h bar
        item = {"openInterest": "2000", "singleOpenInterest": "1000", "timestamp": str(t)}
        return fakes.bybit_ok([item])

    for path in PATHS:
        if path != "/v5/market/open-interest":
            httpserver.expect_request(path).respond_with_handler(fakes.bybit)
    httpserver.expect_request("/v5/market/open-interest").respond_with_handler(one_side)
    m = fetch(httpserver, interval="1h", lookback="1h", settings=fast())
    assert m.bars["open_interest"].iloc[-1] == 1000.0


def test_retry_after_then_success(bybit: HTTPServer) -> None:
    bybit.expect_oneshot_request("/v5/market/kline").respond_with_data("", status=429, headers={"Retry-After": "2"})
    waits: list[float] = []
    m = fetch(bybit, settings=fast(sleep=waits.append))
    assert len(m) == 288 and waits == [2.0]


@pytest.mark.parametrize("status", [451, 403])
def test_region_block(httpserver: HTTPServer, status: int) -> None:
    httpserver.expect_request("/v5/market/kline").respond_with_data("<html>CloudFront blocked</html>", status=status)
    with pytest.raises(FetchError, match="refuses requests from this server's region") as err:
        fetch(httpserver, settings=fast())
    assert err.value.status == status


def test_unknown_symbol_ret_code_10001(bybit: HTTPServer) -> None:
    with pytest.raises(FetchError, match=r"Bybit does not list the symbol 'ETHUSDTT'\. Did you mean ETHUSDT"):
        fetch(bybit, symbol="ETHUSDTT", settings=fast())


def test_other_ret_codes_are_plain_errors(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v5/market/kline").respond_with_json({"retCode": 10006, "retMsg": "Too many visits!"})
    with pytest.raises(FetchError, match="rate limiting") as err:
        fetch(httpserver, settings=fast())
    assert err.value.status == 429


def test_timeout(httpserver: HTTPServer) -> None:
    slow = fakes.SlowHandler(lambda request: fakes.bybit_ok([]))
    httpserver.expect_request("/v5/market/kline").respond_with_handler(slow)
    with pytest.raises(FetchError, match="did not answer in time"):
        fetch(httpserver, settings=fast(read_timeout=0.2))
    slow.drain(httpserver)


def test_malformed_json(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v5/market/kline").respond_with_data('{"retCode":0,"result":{"list":[[')
    with pytest.raises(FetchError, match="not valid JSON"):
        fetch(httpserver, settings=fast())
