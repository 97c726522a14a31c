"""OKX v5 public REST (USDT perpetual swaps): candles, currency open interest in USD, taker volume, contract size.

OKX answers ``{"code": "0", "data": [...]}`` with rows newest first. Candles (``[ts, o, h, l, c, vol, volCcy,
volCcyQuote, confirm]``, volume in contracts) page backwards with ``after``: ``/market/candles`` serves recent bars
(≤300 a call), ``/market/history-candles`` older ones (≤100 a call). Contracts become base units through the
instrument's ``ctVal``. Open interest and taker volume come from the ``rubik`` statistics, which are per currency
(all of OKX's contracts on it), in USD.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from liqcore.errors import FetchError
from liqcore.exchanges.common import (
    Progress,
    Window,
    align_at_close,
    array_frame,
    check_interval,
    coverage_note,
    from_ms,
    pages,
    symbols_or_none,
    without_empty_columns,
)
from liqcore.exchanges.http import HttpClient, UnknownSymbol, unknown_symbol_error
from liqcore.market import Market

NAME = "OKX"
DEFAULT_URL = "https://www.okx.com"
BARS = {
    "1m": "1m",
    "3m": "3m",
    "5m": "5m",
    "15m": "15m",
    "30m": "30m",
    "1h": "1H",
    "2h": "2H",
    "4h": "4H",
    "6h": "6Hutc",
    "12h": "12Hutc",
    "1d": "1Dutc",
}
INTERVALS = tuple(BARS)
RECENT_LIMIT = 300
HISTORY_LIMIT = 100
QUOTES = ("USDT", "USDC", "USD")


def check(status: int, payload: object) -> None:
    """OKX reports errors as a non-zero text code: 51001 is an instrument that does not exist."""
    if not isinstance(payload, dict) or "code" not in payload:
        raise FetchError(f"OKX sent an answer in an unexpected shape (HTTP {status}).", status)
    code = str(payload["code"])
    if code == "0":
        return
    message = str(payload.get("msg", ""))
    if code == "51001":
        raise UnknownSymbol(message, status)
    if code == "50011":
        raise FetchError("OKX is rate limiting this server. Wait a minute and press Refresh.", 429)
    raise FetchError(f"OKX rejected the request (code {code}): {message}", status)


def inst_id(symbol: str) -> str:
    """BTCUSDT, BTC-USDT or BTC-USDT-SWAP to OKX's instrument id BTC-USDT-SWAP."""
    text = symbol.upper().replace("/", "-").strip()
    if "-" in text:
        return text if text.endswith("-SWAP") else f"{text}-SWAP"
    for quote in QUOTES:
        if text.endswith(quote) and len(text) > len(quote):
            return f"{text[: -len(quote)]}-{quote}-SWAP"
    return f"{text}-USDT-SWAP"


def list_symbols(client: HttpClient) -> list[str]:
    payload = client.get_json("/api/v5/public/instruments", {"instType": "SWAP"})
    return [row["instId"] for row in payload["data"]]


def rubik_period(interval: pd.Timedelta) -> tuple[str, pd.Timedelta]:
    """The rubik statistics period at or below the bar interval: 5m, 1H or 1D."""
    for text, step in (("1D", pd.Timedelta("1D")), ("1H", pd.Timedelta("1h"))):
        if interval >= step:
            return text, step
    return "5m", pd.Timedelta("5min")


def fetch(
    client: HttpClient,
    symbol: str,
    interval: str,
    window: Window,
    on_progress: Callable[[int, int], None] | None = None,
) -> Market:
    """Bars (base-unit volume via ctVal) plus open interest and taker share where OKX's statistics cover them."""
    check_interval(NAME, interval, INTERVALS)
    instrument = inst_id(symbol)
    tick = Progress(window.bars // RECENT_LIMIT + 4, on_progress)
    try:
        spec = client.get_json("/api/v5/public/instruments", {"instType": "SWAP", "instId": instrument})["data"]
    except UnknownSymbol as exc:
        raise unknown_symbol_error(NAME, instrument, symbols_or_none(list_symbols, client), exc.status) from None
    if not spec:
        raise unknown_symbol_error(NAME, instrument, symbols_or_none(list_symbols, client), None)
    ct_val = float(spec[0].get("ctVal") or 1.0)
    tick()
    rows = _candles(client, instrument, interval, window, tick)
    if not rows:
        raise FetchError(f"OKX returned no {interval} bars for {instrument} between {window.start} and {window.end}.")
    bars = _candles_frame(rows, window, ct_val)
    notes = [f"Volume converted from contracts to base units with OKX's contract size ctVal = {ct_val:g}."]

    ccy = instrument.split("-")[0]
    period, period_td = rubik_period(window.interval)
    span = {"ccy": ccy, "period": period, "begin": window.start_ms, "end": window.end_ms + period_td.value // 10**6}
    tolerance = max(period_td, window.interval)
    try:
        oi_rows = client.get_json("/api/v5/rubik/stat/contracts/open-interest-volume", span)["data"]
        tick()
        oi = pd.DataFrame({"usd": [float(r[1]) for r in oi_rows]}, index=from_ms(r[0] for r in oi_rows))
        bars["open_interest_usd"] = align_at_close(bars.index, window.interval, oi, tolerance)["usd"]
        bars["open_interest"] = bars["open_interest_usd"] / bars["close"]
        notes.append(
            f"Open interest is OKX's {ccy} total across its contracts (rubik statistics, USD), not this swap alone; "
            "coins = USD / close."
        )
    except FetchError as exc:
        notes.append(f"OKX open interest unavailable: {exc}")
    try:
        taker_rows = client.get_json("/api/v5/rubik/stat/taker-volume", {**span, "instType": "CONTRACTS"})["data"]
        tick()
        sell = pd.Series([float(r[1]) for r in taker_rows])
        buy = pd.Series([float(r[2]) for r in taker_rows])
        share = (buy / (buy + sell)).to_frame("share").set_axis(from_ms(r[0] for r in taker_rows) + window.interval)
        bars["taker_buy_volume"] = (
            bars["volume"] * align_at_close(bars.index, window.interval, share, tolerance)["share"]
        )
        notes.append("Taker buy volume = bar volume × OKX's taker buy share for the currency's contracts.")
    except FetchError as exc:
        notes.append(f"OKX taker volume unavailable: {exc}")

    for column, label in (("open_interest", "open interest"), ("taker_buy_volume", "taker buy volume")):
        if column in bars:
            note = coverage_note(label, bars[column], "OKX keeps 5-minute statistics for about two days only.")
            if note:
                notes.append(note)
    return Market(
        without_empty_columns(bars),
        instrument,
        window.interval,
        f"OKX swap {instrument} {interval} (live REST)",
        tuple(notes),
    )


def _candles(client: HttpClient, instrument: str, interval: str, window: Window, tick: Callable[[], None]) -> list:
    """Page backwards from the window's end: recent candles first, then the history endpoint when they run out."""
    rows: list[list] = []
    after = window.end_ms
    path, limit = "/api/v5/market/candles", RECENT_LIMIT
    for _ in pages("OKX candles", window.bars // HISTORY_LIMIT + 10):
        if after <= window.start_ms:
            break
        params = {"instId": instrument, "bar": BARS[interval], "after": after, "limit": limit}
        page = client.get_json(path, params)["data"]
        tick()
        if not page:
            if path.endswith("history-candles"):
                break
            path, limit = "/api/v5/market/history-candles", HISTORY_LIMIT
            continue
        rows += page
        oldest = min(int(r[0]) for r in page)
        if oldest >= after:
            break
        after = oldest
    return rows


def _candles_frame(rows: list[list], window: Window, ct_val: float) -> pd.DataFrame:
    """OKX candle arrays (newest first) to ascending float columns; volume in base units (contracts × ctVal)."""
    frame = array_frame(rows, {"open": 1, "high": 2, "low": 3, "close": 4, "volume": 5, "quote_volume": 7}, window)
    frame["volume"] *= ct_val
    return frame
