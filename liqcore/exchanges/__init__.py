"""Public exchange data as a `Market`: Binance USDⓈ-M, Bybit v5 and OKX v5 REST, and the Binance data archive.

    m = fetch_market("binance", "BTCUSDT", interval="5m", lookback="7d")
    m = fetch_market("binance-archive", "BTCUSDT", interval="5m", start="2024-01-01", end="2024-01-31")

Base URLs default to the exchanges' public hosts and can be overridden by argument or by the environment variables
LIQCORE_BINANCE_URL, LIQCORE_BYBIT_URL, LIQCORE_OKX_URL and LIQCORE_ARCHIVE_URL (a test server, a proxy, a mirror).
Every refusal is a `FetchError` with a message fit for the UI.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import requests

from liqcore.errors import FetchError
from liqcore.exchanges import archive, binance, bybit, okx
from liqcore.exchanges.common import resolve_window
from liqcore.exchanges.http import HttpClient, HttpSettings
from liqcore.market import Market

EXCHANGES: dict[str, tuple[str, str]] = {
    "binance": ("LIQCORE_BINANCE_URL", binance.DEFAULT_URL),
    "bybit": ("LIQCORE_BYBIT_URL", bybit.DEFAULT_URL),
    "okx": ("LIQCORE_OKX_URL", okx.DEFAULT_URL),
    "binance-archive": ("LIQCORE_ARCHIVE_URL", archive.DEFAULT_URL),
}
INTERVALS: dict[str, tuple[str, ...]] = {
    "binance": binance.INTERVALS,
    "bybit": bybit.INTERVALS,
    "okx": okx.INTERVALS,
    "binance-archive": archive.INTERVALS,
}


def base_url_for(exchange: str, base_url: str | None = None) -> str:
    """The base URL to use: the argument, else the environment variable, else the public default."""
    env, default = EXCHANGES[exchange]
    return (base_url or os.environ.get(env) or default).rstrip("/")


def fetch_market(
    exchange: str,
    symbol: str,
    interval: str = "5m",
    lookback: str = "7d",
    base_url: str | None = None,
    start: object | None = None,
    end: object | None = None,
    session: requests.Session | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    settings: HttpSettings | None = None,
    cache_dir: str | Path | None = None,
) -> Market:
    """Fetch bars (plus open interest, ratios and funding where the source has them) as one `Market`.

    Parameters
    ----------
    exchange
        ``"binance"``, ``"bybit"``, ``"okx"`` or ``"binance-archive"``.
    symbol
        e.g. ``"BTCUSDT"`` (OKX also accepts ``"BTC-USDT-SWAP"``).
    interval, lookback
        Bar length and how far back from `end` (default now) to go. The archive needs `start` (a date); its `end`
        defaults to yesterday.
    start, end
        Optional UTC bounds (text, datetime or date); they override `lookback`.
    session, settings
        A shared `requests.Session` and the timeouts/retries (tests pass short ones).
    on_progress
        Called as ``on_progress(done, total)`` while paging or downloading.
    cache_dir
        Archive only: where downloaded files are kept (default under the user's cache directory).
    """
    exchange = exchange.lower().strip()
    if exchange not in EXCHANGES:
        raise FetchError(f"Unknown exchange '{exchange}'; choose one of {', '.join(EXCHANGES)}.", None)
    if not symbol or not symbol.strip():
        raise FetchError("Enter a symbol, e.g. BTCUSDT.", None)
    settings = settings or HttpSettings()
    url = base_url_for(exchange, base_url)
    if exchange == "binance-archive":
        client = HttpClient(url, "Binance data archive", session, settings)
        return archive.fetch(client, symbol.strip(), interval, start, end, cache_dir=cache_dir, on_progress=on_progress)
    module = {"binance": binance, "bybit": bybit, "okx": okx}[exchange]
    client = HttpClient(url, module.NAME, session, settings, check=module.check)
    window = resolve_window(interval, lookback, start, end)
    return module.fetch(client, symbol.strip(), interval, window, on_progress)


__all__ = ["EXCHANGES", "INTERVALS", "HttpSettings", "base_url_for", "fetch_market"]
