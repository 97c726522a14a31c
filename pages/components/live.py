"""Sidebar sources for real exchange data: live public REST (Binance, Bybit, OKX, or all three aggregated) and the
Binance data archive. Exchanges, their labels and intervals come from the one registry, `liqcore.exchanges.venues`.

Both render their inputs and a Fetch/Refresh button, fetch through `liqcore.fetch_market` with a progress bar, keep
results for five minutes in the shared byte-bounded cache keyed by the small arguments, and show refusals as an
error box with the exchange's reason, while the last good market of the session stays on screen. An archive download
that stopped part way returns the days it got, with a warning saying what is missing.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import os
import zlib
from collections.abc import Callable

import pandas as pd
import streamlit as st

from liqcore.errors import DataError, FetchError
from liqcore.exchanges import fetch_market
from liqcore.exchanges.archive import is_incomplete_note
from liqcore.exchanges.common import parse_interval
from liqcore.exchanges.venues import AGGREGATE_VENUES, ALL, VENUES, intervals_for, live_choices
from liqcore.market import Market
from pages.components import view_state
from pages.components.cache import DATA, fingerprint, stored
from pages.components.text import plain

LIVE_SPANS = ("1d", "3d", "7d", "14d", "30d")  # fetch span: how much history a live fetch asks for
MAX_LIVE_BARS = 20_160  # two weeks of 1-minute bars: about 14 calls on Binance, 70 on OKX
ARCHIVE_MAX_DAYS = {"1m": 90, "5m": 365, "15m": 730, "1h": 1096, "4h": 1096, "1d": 1096}
ARCHIVE_INTERVALS = tuple(ARCHIVE_MAX_DAYS)  # the archive serves more (VENUES); these have a size limit here
ARCHIVE_FIRST_DAY = dt.date(2020, 1, 1)
_LOG = logging.getLogger(__name__)
# What a fetch can raise: the clients' own errors, and those of an answer in a shape the client did not expect
# (Binance answering a dict, Bybit an empty result, OKX odd rows, a corrupt archive zip, a cache path too long).
_FAILURES = (FetchError, DataError, ValueError, KeyError, AttributeError, TypeError, IndexError, OSError, zlib.error)
FETCH_TTL_SECONDS = 300.0  # exchange data goes stale: a fetch is reused for five minutes at most
VIEW_KEYS = ["live_exchange", "live_symbol", "live_interval", "live_span", "archive_symbol", "archive_interval"]


def _symbol_text(raw: str) -> str:
    """A symbol from a link: letters, digits and dashes only (anything else falls back to the default)."""
    text = raw.strip().upper()
    if not text or len(text) > 30 or not all(ch.isalnum() or ch == "-" for ch in text):
        raise ValueError(raw)
    return text


def _checked_symbol(raw: str) -> str | None:
    """The typed symbol in upper case, or None with an error box when it cannot be a symbol (letters, digits, dashes,
    at most 30 characters): such text never reaches an exchange URL or a cache file name."""
    try:
        return _symbol_text(raw)
    except ValueError:
        st.error(
            f"'{plain(raw[:40])}' is not a symbol: use letters, digits and dashes only (at most 30), e.g. BTCUSDT.",
            icon=":material/error:",
        )
        return None


def _base_url(exchange: str) -> str:
    """Environment variable, else the Streamlit secret of the same name, else the exchange's public host."""
    venue = VENUES[exchange]
    if os.environ.get(venue.env):
        return venue.base_url()
    try:
        secret = st.secrets.get(venue.env)
    except FileNotFoundError:
        secret = None
    return venue.base_url(str(secret) if secret else None)


def _base_urls(exchange: str) -> str | tuple[tuple[str, str], ...]:
    """One base URL, or for the aggregate each venue's (a tuple, so it can be part of a cache key)."""
    if exchange == ALL:
        return tuple((v, _base_url(v)) for v in AGGREGATE_VENUES)
    return _base_url(exchange)


def _progress_callback(label: str) -> Callable[[int, int], None]:
    """A progress bar fed by the fetch. Updates run in the script's own context, so a fetch that reports from its
    worker threads still reaches this session's bar."""
    bar = st.progress(0.0, text=label)
    outside = contextvars.copy_context()

    def update(done: int, total: int) -> None:
        outside.run(bar.progress, min(done / max(total, 1), 1.0), text=f"{label} ({done}/{total})")

    return update


def _fetch(
    exchange: str,
    symbol: str,
    interval: str,
    span: str,
    start: dt.date | None,
    end: dt.date | None,
    base_url: str | tuple[tuple[str, str], ...],
    refresh: int,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[Market, pd.Timestamp]:
    """The market and when it was fetched, kept five minutes in the shared byte-bounded cache; `refresh` only makes a
    new cache key when the user asks for fresh data."""
    urls = dict(base_url) if isinstance(base_url, tuple) else None

    def fetch() -> tuple[Market, pd.Timestamp]:
        market = fetch_market(
            exchange,
            symbol,
            interval,
            span,
            base_url=None if urls else base_url,
            start=start,
            end=end,
            on_progress=on_progress,
            base_urls=urls,
            recheck_missing=refresh > 0,  # Refresh: ask the archive again for days it lacked before
        )
        return market, pd.Timestamp.now(tz="UTC")

    key = "fetch|" + fingerprint((exchange, symbol, interval, span, start, end, base_url, refresh))
    return stored(DATA, key, fetch, ttl=FETCH_TTL_SECONDS)


def _run(prefix: str, request: tuple, label: str) -> Market | None:
    """Fetch (or take from cache) the requested market; on failure show why and fall back to the last good one."""
    last_key = f"{prefix}_last_good"
    progress = st.empty()
    try:
        with progress.container():
            market, fetched = _fetch(*request, on_progress=_progress_callback(label))
    except _FAILURES as exc:
        progress.empty()
        if isinstance(exc, FetchError | DataError):
            st.error(plain(exc), icon=":material/cloud_off:")
        else:  # an answer not in the shape the client expects: say so, keep the page, log the traceback
            _LOG.exception("fetch %s failed", request[:4])
            st.error(
                plain(
                    f"{request[1]}: the {request[0]} answer was not in the expected form ({type(exc).__name__}), so "
                    "no data could be read. Try again later or pick another symbol or source."
                ),
                icon=":material/cloud_off:",
            )
        previous = st.session_state.get(last_key)
        if previous is None:
            return None
        market, fetched = previous
        st.caption(f"Still showing the previous data, fetched {fetched:%Y-%m-%d %H:%M} UTC.")
        return market
    progress.empty()
    st.session_state[last_key] = (market, fetched)
    st.caption(f"Last updated {fetched:%Y-%m-%d %H:%M:%S} UTC · {len(market):,} bars")
    return market


def _ask(prefix: str, request: tuple) -> None:
    """Button callback (runs before the script): record the request; the same inputs again get a fresh cache key."""
    current = st.session_state.get(f"{prefix}_request")
    nonce = st.session_state.get(f"{prefix}_nonce", 0) + (1 if current and current[:-1] == request else 0)
    st.session_state[f"{prefix}_nonce"] = nonce
    st.session_state[f"{prefix}_request"] = (*request, nonce)


def _button(prefix: str, request: tuple) -> tuple | None:
    """Fetch/Refresh: the first press fetches; pressing again with the same inputs bypasses the five-minute cache."""
    current = st.session_state.get(f"{prefix}_request")
    if current is None and st.query_params.get("fetch") == "1":  # a link (e.g. from the scanner) asks to load now
        _ask(prefix, request)
        current = st.session_state.get(f"{prefix}_request")
    st.button(
        "Refresh" if current and current[:-1] == request else "Fetch",
        key=f"{prefix}_fetch",
        icon=":material/download:",
        width="stretch",
        on_click=_ask,
        args=(prefix, request),
    )
    if current and current[:-1] != request:
        st.caption("Press Fetch to load the new choices; the map shows the last fetch.")
    return current


def live_source() -> Market | None:
    """Sidebar inputs for live public REST data; returns the fetched market or None before the first fetch."""
    choices = live_choices()
    view_state.restore("live_exchange", "binance", allowed=choices)
    view_state.restore("live_symbol", "BTCUSDT", parse=_symbol_text)
    view_state.restore("live_span", "7d", allowed=LIVE_SPANS, aliases=("live_lookback",))
    exchange = st.selectbox(
        "Exchange",
        list(choices),
        key="live_exchange",
        format_func=choices.get,
        help="'All venues' sums open interest over the exchanges in USD, with prices from Binance; the data notes "
        "say which venues answered.",
    )
    intervals = intervals_for(exchange)
    view_state.restore("live_interval", "5m", allowed=intervals)
    if st.session_state.get("live_interval") not in intervals:
        st.session_state["live_interval"] = "5m"
    symbol = st.text_input("Symbol", key="live_symbol", help="USDT-margined perpetual, e.g. ETHUSDT")
    interval = st.selectbox("Bar interval", intervals, key="live_interval")
    span = st.selectbox(
        "Fetch span",
        LIVE_SPANS,
        key="live_span",
        help="How much history to fetch (the map shows the Window shown).",
    )
    bars = parse_interval(span) / parse_interval(interval)
    if bars > MAX_LIVE_BARS:
        st.warning(
            f"{span} of {interval} bars is {bars:,.0f} bars; live fetches stop at {MAX_LIVE_BARS:,}. "
            "Choose a longer interval or use the Binance archive source."
        )
        return None
    symbol = _checked_symbol(symbol)
    if symbol is None:
        return None
    request = _button("live", (exchange, symbol, interval, span, None, None, _base_urls(exchange)))
    if request is None:
        st.caption("Public data, no key needed. Open-interest history is short on some exchanges (Binance: 30 days).")
        return None
    market = _run("live", request, f"Fetching {request[1]} from {choices[request[0]]}")
    if market is not None and market.venues:
        st.caption("Open interest summed over " + ", ".join(VENUES[v].short for v in market.venues) + ".")
    return market


def archive_source() -> Market | None:
    """Sidebar inputs for the Binance public data archive: symbol, interval and a date range sized to the interval."""
    view_state.restore("archive_symbol", "BTCUSDT", parse=_symbol_text)
    view_state.restore("archive_interval", "5m", allowed=ARCHIVE_INTERVALS)
    symbol = st.text_input("Symbol", key="archive_symbol", help="Binance USD-M perpetual, e.g. ETHUSDT")
    interval = st.selectbox("Bar interval", ARCHIVE_INTERVALS, key="archive_interval")
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    picked = st.date_input(
        "Days (UTC)",
        value=(yesterday - dt.timedelta(days=6), yesterday),
        min_value=ARCHIVE_FIRST_DAY,
        max_value=yesterday,
        key="archive_days",
        help="The archive publishes each day a day or two after it ends. Open interest (metrics) starts 2020-09.",
    )
    if not isinstance(picked, tuple) or len(picked) != 2:
        st.caption("Pick the first and the last day.")
        return None
    first, last = picked
    limit = ARCHIVE_MAX_DAYS[interval]
    if (last - first).days + 1 > limit:
        first = last - dt.timedelta(days=limit - 1)
        st.warning(f"At most {limit} days of {interval} bars at once; using {first} to {last}.")
    symbol = _checked_symbol(symbol)
    if symbol is None:
        return None
    request = _button("archive", ("binance-archive", symbol, interval, "0d", first, last, _base_url("binance-archive")))
    if request is None:
        st.caption("Daily and monthly files from data.binance.vision: works where exchange APIs refuse this server.")
        return None
    market = _run("archive", request, f"Downloading {request[1]} archive files")
    _incomplete_warnings(market)
    return market


def _incomplete_warnings(market: Market | None) -> None:
    """A download that stopped part way or discarded corrupted files still gives a market: say plainly what it lacks
    (the same notes stay in the data notes list), and that Refresh continues from the cached files."""
    incomplete = [note for note in market.notes if is_incomplete_note(note)] if market is not None else []
    for note in incomplete:
        st.warning(plain(note), icon=":material/warning:")
    if incomplete:
        st.caption("Press Refresh to fetch the missing files; the ones already downloaded come from the cache.")
