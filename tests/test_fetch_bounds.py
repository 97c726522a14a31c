"""Exchange answers in shapes the clients do not expect, and servers that page forever, against a real local HTTP
server: every one ends in a clear message, never a traceback or an endless loop."""

from __future__ import annotations

import time

import pytest
from pytest_httpserver import HTTPServer
from streamlit.testing.v1 import AppTest

from liqcore import FetchError, fetch_market
from liqcore.exchanges import HttpSettings
from liqcore.exchanges.common import MAX_PAGES
from pages.components.cache import clear_all
from tests import exchange_fakes as fakes
from tests.test_live_component import live_app

FAST = HttpSettings(read_timeout=2.0, retries=1, backoff=0.01)
STATS = ("/futures/data/openInterestHist", "/futures/data/globalLongShortAccountRatio")


def _binance(server: HTTPServer, funding=None) -> None:
    for path in ("/fapi/v1/klines", *STATS):
        server.expect_request(path).respond_with_handler(fakes.binance)
    if funding is not None:
        server.expect_request("/fapi/v1/fundingRate").respond_with_json(funding)


def test_a_funding_server_repeating_one_full_page_is_asked_twice_not_forever(httpserver: HTTPServer) -> None:
    page = [{"symbol": "BTCUSDT", "fundingTime": 1_700_000_000_000, "fundingRate": "0.0001"}] * 1000
    _binance(httpserver, page)
    fetch_market("binance", "BTCUSDT", "1h", "3d", base_url=httpserver.url_for(""), settings=FAST)
    funding_calls = [r for r, _ in httpserver.log if r.path == "/fapi/v1/fundingRate"]
    assert 1 <= len(funding_calls) <= 2


def test_the_page_cap_stops_a_server_that_always_has_one_more_page(httpserver: HTTPServer) -> None:
    calls = {"n": 0}

    def endless(request):
        calls["n"] += 1
        start = int(request.args["startTime"])
        rows = [{"symbol": "BTCUSDT", "fundingTime": start + i, "fundingRate": "0.0001"} for i in range(1000)]
        return fakes.as_json(rows)

    _binance(httpserver)
    httpserver.expect_request("/fapi/v1/fundingRate").respond_with_handler(endless)
    market = fetch_market("binance", "BTCUSDT", "1h", "3d", base_url=httpserver.url_for(""), settings=FAST)
    assert calls["n"] == MAX_PAGES  # stopped at the cap; funding is optional, so the bars still arrive
    assert any("funding history unavailable" in n and f"past {MAX_PAGES}" in n for n in market.notes)


@pytest.fixture
def live(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("LIQCORE_BINANCE_URL", httpserver.url_for(""))
    clear_all()
    return AppTest.from_function(live_app, default_timeout=30)


def test_an_answer_in_an_unexpected_shape_is_an_error_box_not_a_traceback(
    live: AppTest, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/fapi/v1/klines").respond_with_json({"unexpected": "a dict, not rows"})
    live.run()
    live.sidebar.button(key="live_fetch").click().run()
    assert not live.exception
    assert "the binance answer was not in the expected form \\(ValueError\\)" in live.sidebar.error[0].value


@pytest.mark.parametrize("symbol", ["B" * 300, "../../etc/passwd", "<b>BTC</b>", "BTC USDT"])
def test_a_symbol_that_cannot_be_one_is_refused_before_any_request(
    live: AppTest, httpserver: HTTPServer, symbol: str
) -> None:
    live.run()
    live.sidebar.text_input(key="live_symbol").input(symbol).run()
    assert not live.exception
    assert "is not a symbol" in live.sidebar.error[0].value
    assert httpserver.log == []


def _pause_in_a_kept_alive_answer(pause: float):
    """An HTTP/1.1 answer with a Content-Length (so the client keeps the socket open), silent for `pause` seconds
    after its first byte of body."""

    def answer():
        yield b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n["
        time.sleep(pause)
        yield b"]"

    return answer


def test_a_silence_longer_than_the_deadline_but_inside_the_read_timeout_stops_at_the_deadline() -> None:
    settings = HttpSettings(read_timeout=3.0, retries=0, deadline=1.0)
    with fakes.StreamingServer(_pause_in_a_kept_alive_answer(2.5), raw=True) as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"answered too slowly.*after the 1 s one fetch may take"):
            fetch_market("binance", "BTCUSDT", "1h", "1d", base_url=server.url, settings=settings)
        elapsed = time.monotonic() - started
    assert elapsed < 2.5  # the socket waited only what was left of the deadline, not the 3 s read timeout
