"""Bybit v5 public REST (linear USDT perpetuals): kline, open interest, account ratio, funding history.

Bybit answers ``{"retCode": 0, "result": {"list": [...]}}`` with lists newest first and numbers as text. Klines come
≤1000 a call (``[start, open, high, low, close, volume, turnover]``); open interest ≤200 snapshots a call in base
coins (``openInterest``, or ``singleOpenInterest`` when present); the account ratio ≤500 a call.
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
    pages,
    parse_interval,
    records_frame,
    symbols_or_none,
    without_empty_columns,
)
from liqcore.exchanges.http import HttpClient, UnknownSymbol, unknown_symbol_error
from liqcore.market import Market

NAME = "Bybit"
DEFAULT_URL = "https://api.bybit.com"
KLINE_INTERVALS = {
    "1m": "1",
    "3m": "3",
    "5m": "5",
    "15m": "15",
    "30m": "30",
    "1h": "60",
    "2h": "120",
    "4h": "240",
    "6h": "360",
    "12h": "720",
    "1d": "D",
}
INTERVALS = tuple(KLINE_INTERVALS)
STAT_PERIODS = {"5m": "5min", "15m": "15min", "30m": "30min", "1h": "1h", "4h": "4h", "1d": "1d"}
KLINE_LIMIT = 1000
OI_LIMIT = 200
RATIO_LIMIT = 500
FUNDING_LIMIT = 200


def check(status: int, payload: object) -> None:
    """Bybit reports errors as a non-zero retCode, usually with HTTP 200; 10001 is a bad parameter (the symbol)."""
    if not isinstance(payload, dict) or "retCode" not in payload:
        raise FetchError(f"Bybit sent an answer in an unexpected shape (HTTP {status}).", status)
    code = payload["retCode"]
    message = str(payload.get("retMsg", ""))
    if code == 0:
        return
    if code == 10001:
        raise UnknownSymbol(message, status)
    if code in (10006, 10018):
        raise FetchError("Bybit is rate limiting this server. Wait a minute and press Refresh.", 429)
    raise FetchError(f"Bybit rejected the request (retCode {code}): {message}", status)


def list_symbols(client: HttpClient) -> list[str]:
    payload = client.get_json("/v5/market/instruments-info", {"category": "linear", "limit": 1000})
    return [item["symbol"] for item in payload["result"]["list"]]


def stat_period(interval: str) -> tuple[str, pd.Timedelta]:
    """Bybit's statistics period at or below the bar interval (5 minutes for shorter bars)."""
    step = parse_interval(interval)
    fitting = [k for k in STAT_PERIODS if parse_interval(k) <= step] or ["5m"]
    key = fitting[-1]
    return STAT_PERIODS[key], parse_interval(key)


def fetch(
    client: HttpClient,
    symbol: str,
    interval: str,
    window: Window,
    on_progress: Callable[[int, int], None] | None = None,
) -> Market:
    """Bars plus open interest (base and USD), long/short account ratio and funding for `window`."""
    check_interval(NAME, interval, INTERVALS)
    symbol = symbol.upper().replace("/", "").replace("-", "")
    period, period_td = stat_period(interval)
    stat_window = Window(window.start, window.end + period_td, period_td)
    kline_chunks = window.chunks(KLINE_LIMIT)
    oi_chunks = stat_window.chunks(OI_LIMIT)
    ratio_chunks = stat_window.chunks(RATIO_LIMIT)
    tick = Progress(len(kline_chunks) + len(oi_chunks) + len(ratio_chunks) + 1, on_progress)

    rows: list[list] = []
    for start_ms, end_ms in kline_chunks:
        params = {"category": "linear", "symbol": symbol, "interval": KLINE_INTERVALS[interval], "limit": KLINE_LIMIT}
        try:
            payload = client.get_json("/v5/market/kline", {**params, "start": start_ms, "end": end_ms})
        except UnknownSymbol as exc:
            raise unknown_symbol_error(NAME, symbol, symbols_or_none(list_symbols, client), exc.status) from None
        rows += payload["result"]["list"]
        tick()
    if not rows:
        raise FetchError(f"Bybit returned no {interval} bars for {symbol} between {window.start} and {window.end}.")
    bars = _klines_frame(rows, window)
    notes: list[str] = []
    tolerance = max(period_td, window.interval)

    base = {"category": "linear", "symbol": symbol}
    oi = _paged_stats(
        client, "/v5/market/open-interest", {**base, "intervalTime": period, "limit": OI_LIMIT}, oi_chunks, tick, notes
    )
    if "singleOpenInterest" in oi.columns:
        oi["openInterest"] = oi["singleOpenInterest"]
        notes.append("Bybit open interest read from singleOpenInterest (one side).")
    bars["open_interest"] = align_at_close(
        bars.index, window.interval, oi.reindex(columns=["openInterest"]), tolerance
    )["openInterest"]
    bars["open_interest_usd"] = bars["open_interest"] * bars["close"]

    ratio = _paged_stats(
        client, "/v5/market/account-ratio", {**base, "period": period, "limit": RATIO_LIMIT}, ratio_chunks, tick, notes
    )
    if {"buyRatio", "sellRatio"} <= set(ratio.columns):
        ratio = (ratio["buyRatio"] / ratio["sellRatio"]).to_frame("ratio")
    bars["long_short_ratio"] = align_at_close(bars.index, window.interval, ratio.reindex(columns=["ratio"]), tolerance)[
        "ratio"
    ]

    try:
        funding = _funding(client, symbol, window)
        tick()
    except FetchError as exc:
        notes.append(f"Bybit funding history unavailable: {exc}")
        funding = pd.DataFrame(columns=["fundingRate"], dtype="float64")
    bars["funding_rate"] = align_at_close(bars.index, window.interval, funding, pd.Timedelta("1D"))["fundingRate"]

    for column, label in (("open_interest", "open interest"), ("long_short_ratio", "long/short account ratio")):
        note = coverage_note(label, bars[column])
        if note:
            notes.append(note)
    notes.append("Open interest in USD is open interest in coins × the bar's close.")
    if period_td != window.interval:
        notes.append(f"Open interest and ratios are {period} snapshots joined to {interval} bars at each bar's close.")
    return Market(
        without_empty_columns(bars),
        symbol,
        window.interval,
        f"Bybit linear {symbol} {interval} (live REST)",
        tuple(notes),
    )


def _klines_frame(rows: list[list], window: Window) -> pd.DataFrame:
    """Bybit kline arrays (newest first) to ascending float columns cut to the window."""
    return array_frame(rows, {"open": 1, "high": 2, "low": 3, "close": 4, "volume": 5, "quote_volume": 6}, window)


def _paged_stats(
    client: HttpClient,
    path: str,
    params: dict,
    chunks: list[tuple[int, int]],
    tick: Callable[[], None],
    notes: list[str],
) -> pd.DataFrame:
    """Snapshots over the chunks; a failure becomes a note and an empty frame (the bars are still useful)."""
    records: list[dict] = []
    try:
        for start_ms, end_ms in chunks:
            payload = client.get_json(path, {**params, "startTime": start_ms, "endTime": end_ms})
            records += payload["result"]["list"]
            tick()
    except FetchError as exc:
        notes.append(f"Bybit {path.rsplit('/', 1)[-1]} unavailable: {exc}")
        return pd.DataFrame()
    return records_frame(records, "timestamp")


def _funding(client: HttpClient, symbol: str, window: Window) -> pd.DataFrame:
    """Funding settlements from a day before the window to its end, paging back from the newest."""
    start_ms = int((window.start - pd.Timedelta("1D")).value // 1_000_000)
    end_ms = window.end_ms - 1
    records: list[dict] = []
    for _ in pages("Bybit funding history"):
        if end_ms <= start_ms:
            break
        params = {"category": "linear", "symbol": symbol, "startTime": start_ms, "endTime": end_ms}
        page = client.get_json("/v5/market/funding/history", {**params, "limit": FUNDING_LIMIT})["result"]["list"]
        records += page
        earlier = min(int(r["fundingRateTimestamp"]) for r in page) - 1 if page else end_ms
        if len(page) < FUNDING_LIMIT or earlier >= end_ms:
            break  # the last page, or one that does not move back (a server repeating itself)
        end_ms = earlier
    return records_frame(records, "fundingRateTimestamp").reindex(columns=["fundingRate"])
