"""The aggregate market across Binance, Bybit and OKX, fetched from the three fake exchanges on one local server.

Each fake answers in its exchange's documented units (Binance: coins and USD; Bybit: coins; OKX: candle volume in
contracts of ctVal coins, open interest in USD) with its own open-interest scale, so the sums are checkable."""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer

from liqcore import DataError, FetchError, Market, fetch_market
from liqcore.aggregate import combine
from liqcore.exchanges import HttpSettings
from liqcore.loaders.venue_files import load_files, venue_named
from tests import exchange_fakes as fakes

END = pd.Timestamp.now(tz="UTC").floor("1D")
END_MS = int(END.value // 1_000_000)
FAST = HttpSettings(read_timeout=2.0, retries=1, backoff=0.01)


def fetch_all(server: HTTPServer, symbol: str = "BTCUSDT", **kw) -> Market:
    url = server.url_for("")
    urls = dict.fromkeys(("binance", "bybit", "okx"), url)
    return fetch_market("all", symbol, "5m", "1d", end=END, settings=FAST, base_urls=urls, **kw)


def test_open_interest_is_summed_in_usd_and_coins_with_per_venue_columns(httpserver: HTTPServer) -> None:
    fakes.serve_venues(httpserver, END_MS)
    m = fetch_all(httpserver)
    assert m.venues == ("binance", "bybit", "okx") and len(m) == 288
    bars = m.bars
    t = bars.index[10]
    close_ms = int(t.value // 1_000_000) + 300_000
    oi = fakes.oi_base(close_ms)
    bybit_close = fakes.bar(close_ms - 300_000, 300_000)["c"]
    # Binance publishes USD; Bybit coins × its close; OKX publishes USD (rubik).
    expected = {
        "binance": oi * fakes.price(close_ms),
        "bybit": oi * 0.5 * round(bybit_close, 2),
        "okx": oi * 0.25 * fakes.price(close_ms),
    }
    for venue, usd in expected.items():
        assert bars.loc[t, f"open_interest_usd_{venue}"] == pytest.approx(usd, rel=1e-4)
    assert bars.loc[t, "open_interest_usd"] == pytest.approx(sum(expected.values()), rel=1e-4)
    # Coins: each venue's own count (OKX's from USD / close), not the USD sum over one price.
    okx_coins = expected["okx"] / round(bybit_close, 2)
    assert bars.loc[t, "open_interest"] == pytest.approx(oi * 1.5 + okx_coins, rel=1e-3)
    # Price and volume are Binance's (the reference), not a blend.
    assert bars.loc[t, "close"] == pytest.approx(fakes.bar(close_ms - 300_000, 300_000)["c"], abs=0.01)
    assert "price from Binance" in m.source and "Binance + Bybit + OKX" in m.source
    assert any("from Binance (the reference venue)" in n for n in m.notes)
    assert any(n.startswith("OKX: Volume converted from contracts") for n in m.notes)


def test_okx_contracts_become_coins_through_each_instruments_ctval(httpserver: HTTPServer) -> None:
    fakes.serve_venues(httpserver, END_MS, venues=("okx",))
    m = fetch_market("okx", "ETHUSDT", "5m", "1d", base_url=httpserver.url_for(""), end=END, settings=FAST)
    t = int(m.bars.index[0].value // 1_000_000)
    assert m.bars["volume"].iloc[0] == pytest.approx(fakes.bar(t, 300_000)["v"], rel=1e-3)  # contracts × 0.1
    assert any("ctVal = 0.1" in n for n in m.notes)


def test_a_failing_venue_is_named_and_the_others_still_make_the_market(httpserver: HTTPServer) -> None:
    fakes.serve_venues(httpserver, END_MS)
    m = fetch_all(httpserver, symbol="BTCUSDC")  # Binance and Bybit list it, the fake OKX does not
    assert m.venues == ("binance", "bybit")
    assert any(n.startswith("OKX failed and is not in the aggregate") and "BTC-USDC-SWAP" in n for n in m.notes)
    per_venue = m.bars["open_interest_usd_binance"] + m.bars["open_interest_usd_bybit"]
    np.testing.assert_allclose(m.bars["open_interest_usd"], per_venue)


def test_reference_failure_moves_prices_to_the_next_venue(httpserver: HTTPServer) -> None:
    fakes.serve_venues(httpserver, END_MS, venues=("bybit", "okx"))  # Binance answers 500 to everything
    m = fetch_all(httpserver)
    assert m.venues == ("bybit", "okx") and "price from Bybit" in m.source
    assert any("reference venue Binance failed" in n for n in m.notes)


def test_every_venue_failing_is_one_error_with_each_reason(httpserver: HTTPServer) -> None:
    fakes.serve_venues(httpserver, END_MS)
    with pytest.raises(FetchError, match="Every venue failed") as err:
        fetch_all(httpserver, symbol="NOSUCHUSDT")
    assert all(name in str(err.value) for name in ("Binance", "Bybit", "OKX"))


def test_all_venues_share_one_deadline_and_the_late_and_unasked_venues_are_named(httpserver: HTTPServer) -> None:
    fakes.serve_venues(httpserver, END_MS, venues=("bybit", "okx"))
    settings = HttpSettings(read_timeout=2.0, retries=0, deadline=5.0)
    with fakes.StreamingServer(fakes.header_drip(total_seconds=12.0, every=0.05), raw=True) as dripping:
        urls = {"bybit": httpserver.url_for(""), "binance": dripping.url, "okx": httpserver.url_for("")}
        started = time.monotonic()
        m = fetch_market(
            "all", "BTCUSDT", "5m", "1d", end=END, settings=settings, base_urls=urls, venues=("bybit", "binance", "okx")
        )
        elapsed = time.monotonic() - started
    assert elapsed < 5.0 + 1.0  # one budget for the whole fetch, not 5 s per venue
    assert m.venues == ("bybit",)
    assert any(n.startswith("Binance did not answer in time") and "5 s" in n for n in m.notes)
    assert any(n.startswith("OKX was not asked") for n in m.notes)
    assert not any(r.path.startswith("/api/v5") for r, _ in httpserver.log)  # OKX really was not asked


def test_a_fetch_where_no_venue_answers_in_time_names_each(httpserver: HTTPServer) -> None:
    settings = HttpSettings(read_timeout=2.0, retries=0, deadline=1.5)
    with fakes.StreamingServer(fakes.header_drip(total_seconds=8.0, every=0.05), raw=True) as dripping:
        urls = dict.fromkeys(("binance", "bybit", "okx"), dripping.url)
        with pytest.raises(FetchError, match="Every venue failed") as err:
            fetch_market("all", "BTCUSDT", "5m", "1d", end=END, settings=settings, base_urls=urls)
    assert "Binance did not answer in time" in str(err.value)
    assert "Bybit was not asked" in str(err.value) and "OKX was not asked" in str(err.value)
    assert dripping.requests == 1


def _venue_market(scale: float, oi_from: int = 0, liq: bool = False, freq: str = "5min") -> Market:
    index = pd.date_range("2024-03-01", periods=100, freq=freq, tz="UTC")
    close = 100 + np.sin(np.arange(100) / 5)
    oi = scale * (1000 + np.arange(100.0))
    oi[:oi_from] = np.nan
    bars = pd.DataFrame(
        {"open": close, "high": close + 1, "low": close - 1, "close": close, "volume": 5.0, "open_interest": oi},
        index=index,
    )
    if liq:
        bars["liq_long_usd"] = scale
        bars["liq_short_usd"] = 0.0
    return Market(bars, "BTCUSDT")


def test_a_venue_covering_part_of_the_span_is_stated_and_not_padded() -> None:
    m = combine({"a": _venue_market(1.0), "b": _venue_market(2.0, oi_from=50), "c": _venue_market(3.0, oi_from=5)})
    notes = " ".join(m.notes)
    assert "b open interest covers 50% of the bars" in notes and "left out of the sum" in notes
    assert "c open interest covers 95% of the bars" in notes
    coins = m.bars["open_interest"]
    assert coins.iloc[:5].isna().all()  # c lacks them: no total rather than c counted as zero
    assert coins.iloc[60] == pytest.approx(4 * (1000 + 60))  # a + c; b kept only as its own column
    assert m.bars["open_interest_b"].iloc[60] == pytest.approx(2 * 1060)


def test_liquidations_sum_over_the_venues_that_report_them() -> None:
    m = combine({"a": _venue_market(1.0, liq=True), "b": _venue_market(2.0), "c": _venue_market(3.0, liq=True)})
    assert (m.bars["liq_long_usd"] == 4.0).all() and "liq_long_usd_c" in m.bars
    assert any("summed over a, c; b report none" in n for n in m.notes)


def test_venues_with_different_intervals_are_refused() -> None:
    with pytest.raises(DataError, match="different intervals"):
        combine({"a": _venue_market(1.0), "b": _venue_market(1.0, freq="1h")})


def _venue_csv(scale: float, start: str = "2024-03-01") -> bytes:
    market = _venue_market(scale)
    frame = market.bars.copy()
    frame.index = pd.date_range(start, periods=len(frame), freq="5min", tz="UTC")
    return frame.rename_axis("timestamp").reset_index().to_csv(index=False).encode()


def _named(name: str, data: bytes) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_uploads_naming_different_exchanges_are_aggregated_like_the_live_source() -> None:
    m = load_files(
        _named("OKX_BTCUSDT_5m.csv", _venue_csv(3.0)),
        _named("binance-BTCUSDT-5m.csv", _venue_csv(1.0)),
        _named("bybit BTCUSDT.csv", _venue_csv(2.0)),
    )
    assert m.venues == ("binance", "bybit", "okx") and "price from Binance" in m.source
    assert m.bars["open_interest"].iloc[7] == pytest.approx(6 * (1000 + 7))
    assert any("Combined uploads of Binance, Bybit, OKX by file name" in n for n in m.notes)


def test_uploads_of_one_exchange_load_as_one_market_and_an_unnamed_file_among_venues_is_refused() -> None:
    single = load_files(_named("binance-BTCUSDT-5m.csv", _venue_csv(1.0)))
    assert single.venues == () and single.bars["open_interest"].iloc[0] == 1000
    assert venue_named("okxish.csv") is None and venue_named("binance-vs-okx.csv") is None
    with pytest.raises(DataError, match=r"mystery\.csv: the other files name their exchanges \(binance, okx\)"):
        load_files(
            _named("binance.csv", _venue_csv(1.0)), _named("okx.csv", _venue_csv(1.0)), _named("mystery.csv", b"x")
        )
