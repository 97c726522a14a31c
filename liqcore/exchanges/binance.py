"""Binance USDⓈ-M futures public REST: klines with taker-buy volume, open-interest history, long/short ratio, funding.

Endpoints (no key needed): ``/fapi/v1/klines`` (≤1500 bars a call), ``/futures/data/openInterestHist`` and
``/futures/data/globalLongShortAccountRatio`` (≤500 snapshots a call, last 30 days only), ``/fapi/v1/fundingRate``
(≤1000 a call). Open interest comes in base units (one side) and USD (``sumOpenInterestValue``).
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
    to_ms,
    without_empty_columns,
)
from liqcore.exchanges.http import HttpClient, UnknownSymbol, unknown_symbol_error
from liqcore.market import Market

NAME = "Binance"
DEFAULT_URL = "https://fapi.binance.com"
INTERVALS = ("1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "12h", "1d")
STAT_PERIODS = ("5m", "15m", "30m", "1h", "2h", "4h", "6h", "12h", "1d")
KLINE_LIMIT = 1500
STAT_LIMIT = 500
FUNDING_LIMIT = 1000
STAT_HISTORY = pd.Timedelta("30D")
OI_PATH = "/futures/data/openInterestHist"
RATIO_PATH = "/futures/data/globalLongShortAccountRatio"
OI_FIELDS = ["sumOpenInterest", "sumOpenInterestValue"]
ARCHIVE_HINT = "use the Binance archive source for longer open-interest history"


def check(status: int, payload: object) -> None:
    """Binance puts its error code in the body: -1121 is an unknown symbol."""
    if isinstance(payload, dict) and "code" in payload and payload.get("code") not in (0, 200):
        message = str(payload.get("msg", ""))
        if payload["code"] == -1121:
            raise UnknownSymbol(message, status)
        raise FetchError(f"Binance rejected the request (code {payload['code']}): {message}", status)


def list_symbols(client: HttpClient) -> list[str]:
    payload = client.get_json("/fapi/v1/exchangeInfo")
    return [s["symbol"] for s in payload.get("symbols", [])]


def stat_period(interval: str) -> str:
    """The statistics period closest to the bar interval (5m for shorter bars)."""
    if interval in STAT_PERIODS:
        return interval
    step = parse_interval(interval)
    fitting = [p for p in STAT_PERIODS if parse_interval(p) <= step]
    return fitting[-1] if fitting else "5m"


def fetch(
    client: HttpClient,
    symbol: str,
    interval: str,
    window: Window,
    on_progress: Callable[[int, int], None] | None = None,
) -> Market:
    """Bars plus open interest, long/short ratio and funding for `window`; what is missing is said in notes."""
    check_interval(NAME, interval, INTERVALS)
    symbol = symbol.upper().replace("/", "").replace("-", "")
    period = stat_period(interval)
    period_td = parse_interval(period)
    stats_from = max(window.start, pd.Timestamp.now(tz="UTC").floor(period_td) - STAT_HISTORY + period_td)
    stat_window = Window(stats_from, window.end + period_td, period_td) if stats_from < window.end else None
    kline_chunks = window.chunks(KLINE_LIMIT)
    stat_chunks = stat_window.chunks(STAT_LIMIT) if stat_window else []
    tick = Progress(len(kline_chunks) + 2 * len(stat_chunks) + 1, on_progress)

    rows: list[list] = []
    for start_ms, end_ms in kline_chunks:
        params = {"symbol": symbol, "interval": interval, "startTime": start_ms, "endTime": end_ms}
        try:
            rows += client.get_json("/fapi/v1/klines", {**params, "limit": KLINE_LIMIT})
        except UnknownSymbol as exc:
            raise unknown_symbol_error(NAME, symbol, symbols_or_none(list_symbols, client), exc.status) from None
        tick()
    if not rows:
        raise FetchError(f"Binance returned no {interval} bars for {symbol} between {window.start} and {window.end}.")
    bars = _klines_frame(rows, window)
    notes: list[str] = []

    tolerance = max(period_td, window.interval)
    stats = {}
    for path, label in ((OI_PATH, "open interest"), (RATIO_PATH, "long/short ratio")):
        try:
            stats[path] = _stats(client, path, symbol, period, stat_chunks, tick)
        except FetchError as exc:
            notes.append(f"Binance {label} history unavailable: {exc}")
            stats[path] = pd.DataFrame()
    oi = align_at_close(bars.index, window.interval, stats[OI_PATH].reindex(columns=OI_FIELDS), tolerance)
    bars["open_interest"] = oi["sumOpenInterest"]
    bars["open_interest_usd"] = oi["sumOpenInterestValue"]
    ratio = stats[RATIO_PATH].reindex(columns=["longShortRatio"])
    bars["long_short_ratio"] = align_at_close(bars.index, window.interval, ratio, tolerance)["longShortRatio"]

    try:
        funding = _funding(client, symbol, window)
        tick()
    except FetchError as exc:
        notes.append(f"Binance funding history unavailable: {exc}")
        funding = pd.DataFrame(columns=["fundingRate"], dtype="float64")
    bars["funding_rate"] = align_at_close(bars.index, window.interval, funding, pd.Timedelta("1D"))["fundingRate"]

    why = f"Binance keeps only 30 days of open-interest history; {ARCHIVE_HINT}."
    for column, label in (("open_interest", "open interest"), ("long_short_ratio", "long/short account ratio")):
        note = coverage_note(label, bars[column], why if window.start < stats_from else "")
        if note:
            notes.append(note)
    if period != interval:
        notes.append(f"Open interest and ratios are {period} snapshots joined to {interval} bars at each bar's close.")
    notes.append("Funding rate is the last settled rate at each bar's close.")
    return Market(
        without_empty_columns(bars),
        symbol,
        window.interval,
        f"Binance USD-M futures {symbol} {interval} (live REST)",
        tuple(notes),
    )


def _klines_frame(rows: list[list], window: Window) -> pd.DataFrame:
    """Binance kline arrays to named float columns, cut to the window, first copy of a repeated bar kept."""
    positions = {"open": 1, "high": 2, "low": 3, "close": 4, "volume": 5, "quote_volume": 7, "taker_buy_volume": 9}
    return array_frame(rows, positions, window)


def _stats(
    client: HttpClient, path: str, symbol: str, period: str, chunks: list[tuple[int, int]], tick: Callable[[], None]
) -> pd.DataFrame:
    """Statistics snapshots (open interest or ratio) over the chunks, as a float frame by snapshot time."""
    records: list[dict] = []
    for start_ms, end_ms in chunks:
        params = {"symbol": symbol, "period": period, "startTime": start_ms, "endTime": end_ms, "limit": STAT_LIMIT}
        records += client.get_json(path, params)
        tick()
    return records_frame(records, "timestamp")


def _funding(client: HttpClient, symbol: str, window: Window) -> pd.DataFrame:
    """Funding settlements from a day before the window (so the first bars have a rate) to its end."""
    start = to_ms(window.start - pd.Timedelta("1D"))
    records: list[dict] = []
    for _ in pages("Binance funding history"):
        params = {"symbol": symbol, "startTime": start, "endTime": window.end_ms - 1, "limit": FUNDING_LIMIT}
        page = client.get_json("/fapi/v1/fundingRate", params)
        records += page
        following = int(page[-1]["fundingTime"]) + 1 if page else start
        if len(page) < FUNDING_LIMIT or following <= start:
            break  # the last page, or a page that does not move forward (a server repeating itself)
        start = following
    frame = records_frame(records, "fundingTime")
    return frame.reindex(columns=["fundingRate"])
