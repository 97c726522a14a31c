"""Public exchange data as a `Market`: Binance USDⓈ-M, Bybit v5 and OKX v5 REST, the Binance data archive, and the
aggregate of the three exchanges.

    m = fetch_market("binance", "BTCUSDT", interval="5m", span="7d")
    m = fetch_market("all", "BTCUSDT", interval="5m", span="7d", venues=("binance", "bybit", "okx"))
    m = fetch_market("binance-archive", "BTCUSDT", interval="5m", start="2024-01-01", end="2024-01-31")

Base URLs default to the exchanges' public hosts and can be overridden by argument or by the environment variables
LIQCORE_BINANCE_URL, LIQCORE_BYBIT_URL, LIQCORE_OKX_URL and LIQCORE_ARCHIVE_URL (a test server, a proxy, a mirror).
Every refusal is a `FetchError` with a message fit for the UI.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

import requests

from liqcore.aggregate import combine
from liqcore.errors import FetchError
from liqcore.exchanges import archive
from liqcore.exchanges.common import resolve_window
from liqcore.exchanges.http import HttpClient, HttpSettings
from liqcore.exchanges.venues import AGGREGATE_VENUES, ALL, VENUES, venue
from liqcore.market import Market


def base_url_for(exchange: str, base_url: str | None = None) -> str:
    """The base URL to use: the argument, else the environment variable, else the public default."""
    return venue(exchange).base_url(base_url)


def fetch_market(
    exchange: str,
    symbol: str,
    interval: str = "5m",
    span: str = "7d",
    base_url: str | None = None,
    start: object | None = None,
    end: object | None = None,
    session: requests.Session | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    settings: HttpSettings | None = None,
    cache_dir: str | Path | None = None,
    venues: tuple[str, ...] = AGGREGATE_VENUES,
    base_urls: dict[str, str] | None = None,
    recheck_missing: bool = False,
) -> Market:
    """Fetch bars (plus open interest, ratios and funding where the source has them) as one `Market`.

    Parameters
    ----------
    exchange
        ``"binance"``, ``"bybit"``, ``"okx"``, ``"binance-archive"`` (see `VENUES`), or ``"all"``: one market
        aggregated over `venues` (open interest summed in USD, prices from the first venue that answers; see
        `liqcore.aggregate`). A venue that fails is named in the notes and the others still make the market.
    symbol
        e.g. ``"BTCUSDT"`` (OKX also accepts ``"BTC-USDT-SWAP"``).
    interval, span
        Bar length and the fetch span: how far back from `end` (default now) to go. The archive needs `start` (a
        date); its `end` defaults to yesterday.
    start, end
        Optional UTC bounds (text, datetime or date); they override `span`.
    session, settings
        A shared `requests.Session` and the timeouts, retries, size caps and the overall deadline of one fetch (tests
        pass short ones). With ``"all"`` the venues share one deadline, asked in turn: a venue still answering when
        it passes, and those not yet asked, are named in the notes (and in the error when no venue answered).
    on_progress
        Called as ``on_progress(done, total)`` while paging or downloading.
    cache_dir, recheck_missing
        Archive only: where downloaded files are kept (default under the user's cache directory), and whether to ask
        again for files the archive lacked on an earlier fetch (remembered for a few hours otherwise; Refresh asks).
    venues, base_urls
        ``"all"`` only: the venues to aggregate (the first is the reference) and per-venue base URLs.
    """
    if not symbol or not symbol.strip():
        raise FetchError("Enter a symbol, e.g. BTCUSDT.", None)
    settings = settings or HttpSettings()
    if exchange.lower().strip() == ALL:
        return _fetch_all(symbol, interval, span, start, end, session, on_progress, settings, venues, base_urls)
    source = venue(exchange)
    url = source.base_url(base_url)
    if source.client is archive:
        client = HttpClient(url, "Binance data archive", session, settings, deadline=settings.archive_deadline)
        return archive.fetch(
            client, symbol.strip(), interval, start, end, cache_dir=cache_dir, on_progress=on_progress,
            recheck_missing=recheck_missing,
        )  # fmt: skip
    client = HttpClient(url, source.client.NAME, session, settings, check=source.client.check)
    window = resolve_window(interval, span, start, end)
    return source.client.fetch(client, symbol.strip(), interval, window, on_progress)


def _fetch_all(
    symbol: str,
    interval: str,
    span: str,
    start: object | None,
    end: object | None,
    session: requests.Session | None,
    on_progress: Callable[[int, int], None] | None,
    settings: HttpSettings,
    venues: tuple[str, ...],
    base_urls: dict[str, str] | None,
) -> Market:
    """Fetch each venue on one window within one overall deadline; failures become notes unless every venue fails."""
    chosen = [venue(v) for v in dict.fromkeys(venues)]
    if not chosen or any(not v.live for v in chosen):
        raise FetchError(f"Aggregate venues must be live exchanges among {', '.join(AGGREGATE_VENUES)}.", None)
    window = resolve_window(interval, span, start, end)  # one grid for all, so their bars line up
    expires = time.monotonic() + settings.deadline
    markets: dict[str, Market] = {}
    failed: list[str] = []
    for position, source in enumerate(chosen):
        left = expires - time.monotonic()
        if left <= 0:
            failed.append(
                f"{source.short} was not asked and is not in the aggregate: the {settings.deadline:g} s the whole "
                "fetch may take were used up by the venues before it."
            )
            continue

        def progress(done: int, total: int, position: int = position) -> None:
            if on_progress is not None:
                on_progress(position * 1000 + int(1000 * done / max(total, 1)), 1000 * len(chosen))

        try:
            markets[source.name] = fetch_market(
                source.name,
                symbol,
                interval,
                base_url=(base_urls or {}).get(source.name),
                start=window.start,
                end=window.end,
                session=session,
                on_progress=progress,
                settings=dataclasses.replace(settings, deadline=left),
            )
        except FetchError as exc:
            if time.monotonic() >= expires:
                failed.append(
                    f"{source.short} did not answer in time and is not in the aggregate: the whole fetch may take "
                    f"{settings.deadline:g} s."
                )
            else:
                failed.append(f"{source.short} failed and is not in the aggregate: {exc}")
    if not markets:
        raise FetchError("Every venue failed. " + " ".join(failed), None)
    labels = {v.name: v.short for v in chosen}
    units = [f"{v.short}: {v.units}." for v in chosen if v.name in markets]
    if chosen[0].name not in markets:
        failed.append(
            f"The reference venue {chosen[0].short} failed, so prices come from {labels[next(iter(markets))]}."
        )
    return combine(markets, labels=labels, notes=(*failed, *units))


__all__ = ["ALL", "VENUES", "HttpSettings", "base_url_for", "fetch_market"]
