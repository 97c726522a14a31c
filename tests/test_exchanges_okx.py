"""OKX v5 client against a real local HTTP server answering in OKX's exact shapes (code "0", newest first)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer

from liqcore import FetchError, fetch_market
from liqcore.exchanges import HttpSettings
from liqcore.exchanges.okx import inst_id
from tests import exchange_fakes as fakes

END = pd.Timestamp.now(tz="UTC").floor("1D")
END_MS = int(END.value // 1_000_000)
PATHS = (
    "/api/v5/public/instruments",
    "/api/v5/market/candles",
    "/api/v5/market/history-candles",
    "/api/v5/rubik/stat/contracts/open-interest-volume",
    "/api/v5/rubik/stat/taker-volume",
)


def fast(**kw) -> HttpSettings:
    return HttpSettings(**{"read_timeout": 2.0, "retries": 2, "backoff": 0.01, **kw})


@pytest.fixture
def okx(httpserver: HTTPServer) -> HTTPServer:
    for path in PATHS:
        httpserver.expect_request(path).respond_with_handler(functools.partial(fakes.okx, now_ms=END_MS))
    return httpserver


def fetch(server: HTTPServer, symbol: str = "BTCUSDT", interval: str = "5m", lookback: str = "1d", **kw):
    return fetch_market("okx", symbol, interval, lookback, base_url=server.url_for(""), end=END, **kw)


def test_instrument_ids() -> None:
    assert inst_id("btcusdt") == inst_id("BTC-USDT") == inst_id("BTC/USDT") == "BTC-USDT-SWAP"
    assert inst_id("ETH-USDT-SWAP") == "ETH-USDT-SWAP" and inst_id("SOLUSDC") == "SOL-USDC-SWAP"


def test_pages_back_through_recent_then_history_candles(okx: HTTPServer) -> None:
    m = fetch(okx, lookback="3d", settings=fast())
    assert len(m) == 864 and m.start == END - pd.Timedelta("3D") and m.end == END
    assert m.symbol == "BTC-USDT-SWAP" and "OKX" in m.source and "5m" in m.source
    calls = [r.path for r, _ in okx.log]
    assert calls.count("/api/v5/market/candles") == 3  # 300 + 200, then empty: the recent endpoint ran out
    assert calls.count("/api/v5/market/history-candles") == 4  # 364 older bars at ≤100 a call
    t = int(m.bars.index[0].value // 1_000_000)
    bar = fakes.bar(t, 300_000)
    assert m.bars["open"].iloc[0] == pytest.approx(bar["o"], abs=0.01)
    assert m.bars["volume"].iloc[0] == pytest.approx(bar["v"], rel=1e-3)  # contracts × ctVal 0.01 = base units
    close = t + 300_000
    assert m.bars["open_interest_usd"].iloc[0] == pytest.approx(fakes.oi_base(close) * fakes.price(close), abs=0.01)
    assert np.allclose(m.bars["open_interest"], m.bars["open_interest_usd"] / m.bars["close"])
    assert np.allclose(m.bars["taker_buy_volume"], 0.6 * m.bars["volume"])
    assert any("ctVal" in n for n in m.notes) and any("across its contracts" in n for n in m.notes)


def test_retry_after_then_success(okx: HTTPServer) -> None:
    okx.expect_oneshot_request("/api/v5/market/candles").respond_with_json(
        {"code": "50011", "msg": "Too Many Requests", "data": []}, status=429, headers={"Retry-After": "1"}
    )
    waits: list[float] = []
    m = fetch(okx, settings=fast(sleep=waits.append))
    assert len(m) == 288 and waits == [1.0]


@pytest.mark.parametrize("status", [451, 403])
def test_region_block(httpserver: HTTPServer, status: int) -> None:
    httpserver.expect_request("/api/v5/public/instruments").respond_with_data("blocked", status=status)
    with pytest.raises(FetchError, match="refuses requests from this server's region") as err:
        fetch(httpserver, settings=fast())
    assert err.value.status == status


def test_unknown_symbol_code_51001(okx: HTTPServer) -> None:
    with pytest.raises(FetchError, match=r"OKX does not list the symbol 'BTC-USTD-SWAP'\. Did you mean BTC-USDT-SWAP"):
        fetch(okx, symbol="BTC-USTD", settings=fast())


def test_missing_statistics_become_notes(httpserver: HTTPServer) -> None:
    for path in PATHS[:3]:
        httpserver.expect_request(path).respond_with_handler(functools.partial(fakes.okx, now_ms=END_MS))
    httpserver.expect_request(PATHS[3]).respond_with_json({"code": "50026", "msg": "System error", "data": []})
    httpserver.expect_request(PATHS[4]).respond_with_json({"code": "50026", "msg": "System error", "data": []})
    m = fetch(httpserver, settings=fast())
    assert len(m) == 288 and not m.has("open_interest")
    assert any("open interest unavailable" in n for n in m.notes)


def test_timeout(httpserver: HTTPServer) -> None:
    slow = fakes.SlowHandler(lambda request: fakes.okx_ok([]))
    httpserver.expect_request("/api/v5/public/instruments").respond_with_handler(slow)
    with pytest.raises(FetchError, match="did not answer in time"):
        fetch(httpserver, settings=fast(read_timeout=0.2))
    slow.drain(httpserver)


def test_malformed_json(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/v5/public/instruments").respond_with_data("Bad Gateway<html>", status=200)
    with pytest.raises(FetchError, match="not valid JSON"):
        fetch(httpserver, settings=fast())
