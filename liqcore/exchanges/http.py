"""One small HTTP client for every exchange: timeouts, bounded retries, a size cap and an overall deadline, and
errors a user can act on.

Exchanges refuse for a handful of reasons (rate limits, region blocks, unknown symbols, slow or broken answers). Each
becomes a `FetchError` with the HTTP status and a plain message, so the app can show it as it is. Retries honour
`Retry-After` but cap the wait, and the sleep function is a setting so tests run in milliseconds.

Per-read timeouts alone do not bound a fetch: a server that drips one byte per second never trips them. So one client
(one fetch) has a deadline, checked before every request and after every read, and every answer is read in small
pieces against a byte cap (a 100 MB JSON answer is refused after the cap, never held whole in memory). While the
status line and headers arrive no read can be checked, so the connection is cut when the deadline passes
(`DeadlineAdapter`): a server that drips its headers is stopped on time too.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import email.utils
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from liqcore.errors import FetchError

USER_AGENT = "liqcore/0.1 (Liquidation Heatmap Lab)"
REGION_BLOCK = (
    "this exchange refuses requests from this server's region; try another exchange or upload a CSV from its data "
    "archive"
)

Check = Callable[[int, Any], None]


@dataclass(frozen=True)
class HttpSettings:
    """How patient the client is.

    Parameters
    ----------
    connect_timeout, read_timeout
        Seconds to wait for a connection and then for each chunk of the answer.
    retries
        Extra attempts after a 429 or 5xx answer (0 = no retry).
    backoff
        First wait in seconds between attempts; it doubles each time.
    max_wait
        Cap on any single wait, including one asked for by ``Retry-After``.
    deadline
        Seconds one live fetch may take in all (every request, read and retry wait of one client).
    archive_deadline
        The same for an archive download, which fetches many files (one per day or month).
    max_json_bytes
        Largest JSON answer read; the biggest real page (Binance's exchangeInfo) is about 1 MB.
    sleep
        How to wait; tests pass a function that records the wait instead of sleeping.
    """

    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    retries: int = 3
    backoff: float = 0.5
    max_wait: float = 10.0
    deadline: float = 120.0
    archive_deadline: float = 300.0
    max_json_bytes: int = 16_000_000
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)


# When the fetch in this thread must be over (time.monotonic()), read by connections waiting for headers.
_EXPIRES: contextvars.ContextVar[float | None] = contextvars.ContextVar("liqcore_http_expires", default=None)


def _cut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # the blocked read returns at once; the request fails as "too slow"


class _HeaderDeadline:
    """Waiting for the status line and headers ends at the fetch's deadline: a timer shuts the socket down."""

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        expires, sock = _EXPIRES.get(), getattr(self, "sock", None)
        if expires is None or sock is None:
            return super().getresponse(*args, **kwargs)
        timer = threading.Timer(max(0.0, expires - time.monotonic()), _cut, (sock,))
        timer.daemon = True
        timer.start()
        try:
            return super().getresponse(*args, **kwargs)
        finally:
            timer.cancel()


class _Connection(_HeaderDeadline, HTTPConnection):
    pass


class _TlsConnection(_HeaderDeadline, HTTPSConnection):
    pass


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TlsPool(HTTPSConnectionPool):
    ConnectionCls = _TlsConnection


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections give up waiting for headers when the fetch's deadline passes."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if type(manager) is urllib3.ProxyManager:  # a SOCKS manager keeps its own pools
            manager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}
        return manager


def with_deadlines(session: requests.Session) -> requests.Session:
    """`session` with `DeadlineAdapter` mounted for http and https (unless it already is)."""
    for prefix in ("http://", "https://"):
        if not isinstance(session.get_adapter(prefix), DeadlineAdapter):
            session.mount(prefix, DeadlineAdapter())
    return session


def make_session() -> requests.Session:
    """A `requests.Session` shared by all calls of one fetch, so connections are reused."""
    session = with_deadlines(requests.Session())
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
    return session


class UnknownSymbol(FetchError):
    """The exchange says the symbol does not exist; the caller adds close matches when it can list symbols."""


def unknown_symbol_error(exchange: str, symbol: str, known: Iterable[str] | None, status: int | None) -> FetchError:
    """Message for a symbol the exchange does not list, with the closest listed names when there are any."""
    message = f"{exchange} does not list the symbol '{symbol}'."
    matches = difflib.get_close_matches(symbol.upper(), sorted(set(known or ())), n=5, cutoff=0.6)
    if matches:
        message += f" Did you mean {', '.join(matches)}?"
    else:
        message += " Check the spelling (e.g. BTCUSDT for a USDT-margined perpetual)."
    return FetchError(message, status)


def _retry_after(response: requests.Response) -> float | None:
    """Seconds asked for by a Retry-After header (delta seconds or an HTTP date), when present and readable."""
    raw = response.headers.get("Retry-After")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _body_message(body: bytes) -> str:
    """A short excerpt of an error body, for messages."""
    try:
        payload = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace").strip()
    if isinstance(payload, dict):
        for key in ("msg", "retMsg", "message", "error"):
            if payload.get(key):
                return str(payload[key])[:200]
    return json.dumps(payload)[:200]


@dataclass
class HttpClient:
    """GET JSON (or stream bytes) from one exchange's base URL with the team's error rules.

    Parameters
    ----------
    base_url
        Scheme and host (and optional path prefix), without a trailing slash.
    exchange
        Name used in messages, e.g. ``"Binance"``.
    session
        Shared session; one is made when None.
    settings
        Timeouts, retries and the sleep function.
    check
        Exchange-specific reading of an answer: called with (status, parsed JSON) for every answer that is not a
        rate limit, region block or server error; raises `FetchError` for codes in the body (e.g. unknown symbol).
    """

    base_url: str
    exchange: str
    session: requests.Session | None = None
    settings: HttpSettings = field(default_factory=HttpSettings)
    check: Check | None = None
    deadline: float | None = None

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.session = make_session() if self.session is None else with_deadlines(self.session)
        if self.deadline is None:
            self.deadline = self.settings.deadline
        self._expires = time.monotonic() + self.deadline

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET `path` and return the parsed JSON, or raise `FetchError` with a message fit for the UI."""
        response = self._send(path, params)
        with response:
            body = self._body(response, self.settings.max_json_bytes, "the answer")
        try:
            payload = json.loads(body)
        except ValueError:
            raise FetchError(
                f"{self.exchange} sent an answer that is not valid JSON (HTTP {response.status_code}); "
                "the service may be down or a proxy is in the way. Try again later.",
                response.status_code,
            ) from None
        if self.check is not None:
            self.check(response.status_code, payload)
        if response.status_code >= 400:
            raise FetchError(
                f"{self.exchange} rejected the request (HTTP {response.status_code}): {_body_message(body)}",
                response.status_code,
            )
        return payload

    def stream(self, path: str, max_bytes: int) -> tuple[int, bytes, str]:
        """GET `path` as bytes with a size cap; returns (status, body, content type). 404 is returned, not raised."""
        response = self._send(path, None, allow=(404,))
        with response:
            if response.status_code == 404:
                return 404, b"", ""
            if response.status_code >= 400:
                raise FetchError(f"{self.exchange} refused {path} (HTTP {response.status_code}).", response.status_code)
            body = self._body(response, max_bytes, path)
            return response.status_code, body, response.headers.get("Content-Type", "")

    def remaining(self) -> float:
        """Seconds left before this client's deadline (negative once it has passed)."""
        return self._expires - time.monotonic()

    def _check_deadline(self) -> None:
        if self.remaining() <= 0:
            raise self._late()

    def _late(self) -> FetchError:
        return FetchError(
            f"{self.exchange} answered too slowly: the fetch was stopped after the {self.deadline:g} s one fetch may "
            "take. Try again later, or choose a shorter fetch span or date range.",
            None,
        )

    def _body(self, response: requests.Response, max_bytes: int, what: str) -> bytes:
        """The whole body, read in pieces as they arrive: refused as soon as it passes `max_bytes` (or announces more
        in Content-Length), and stopped at the deadline however slowly the bytes come."""
        too_big = FetchError(
            f"{self.exchange}: {what} is larger than the {max_bytes / 1e6:g} MB limit, so it was not read; choose a "
            "shorter date range or a longer interval.",
            None,
        )
        announced = response.headers.get("Content-Length", "")
        if announced.isdigit() and int(announced) > max_bytes:
            raise too_big
        parts: list[bytes] = []
        size = 0
        try:
            while True:
                self._check_deadline()
                self._limit_read_wait(response)
                chunk = response.raw.read1(1 << 16, decode_content=True)
                if not chunk:
                    return b"".join(parts)
                size += len(chunk)
                if size > max_bytes:
                    raise too_big
                parts.append(chunk)
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise self._network_error(exc) from None

    def _limit_read_wait(self, response: requests.Response) -> None:
        """Let no single read wait past the deadline (the socket's own timeout is the per-read one)."""
        sock = getattr(getattr(response.raw, "connection", None), "sock", None)
        if sock is not None:
            sock.settimeout(max(0.01, min(self.settings.read_timeout, self.remaining())))

    def _send(self, path: str, params: dict[str, Any] | None, allow: tuple[int, ...] = ()) -> requests.Response:
        """Send (the body is left unread) with bounded retries on 429/5xx; map refusals to FetchError."""
        url = f"{self.base_url}{path}"
        attempt = 0
        while True:
            self._check_deadline()
            left = max(0.01, self.remaining())
            timeout = (min(self.settings.connect_timeout, left), min(self.settings.read_timeout, left))
            expires = _EXPIRES.set(self._expires)
            try:
                response = self.session.get(url, params=params, timeout=timeout, stream=True)
            except requests.exceptions.RequestException as exc:
                raise self._network_error(exc) from None
            finally:
                _EXPIRES.reset(expires)
            status = response.status_code
            if status in allow:
                return response
            if status == 418:
                raise FetchError(
                    f"{self.exchange} has banned this server's address for a while after too many requests "
                    "(HTTP 418). Wait a few minutes, or upload a CSV instead.",
                    status,
                )
            if status in (403, 451):
                raise FetchError(f"{self.exchange}: {REGION_BLOCK} (HTTP {status}).", status)
            retryable = status == 429 or status >= 500
            if retryable and attempt < self.settings.retries:
                wait = _retry_after(response)
                if wait is None:
                    wait = self.settings.backoff * 2**attempt
                response.close()
                wait = min(wait, self.settings.max_wait)
                if wait >= self.remaining():
                    self._check_deadline()  # waiting would pass the deadline: stop now rather than after the wait
                    raise FetchError(
                        f"{self.exchange} asked to wait {wait:.0f} s before trying again (HTTP {status}), past the "
                        f"{self.deadline:g} s one fetch may take. Wait a minute and press Refresh.",
                        status,
                    )
                self.settings.sleep(wait)
                attempt += 1
                continue
            if status == 429:
                raise FetchError(
                    f"{self.exchange} is rate limiting this server (HTTP 429) even after {attempt + 1} attempts. "
                    "Wait a minute and press Refresh, or choose a shorter fetch span.",
                    status,
                )
            if status >= 500:
                raise FetchError(
                    f"{self.exchange} had a server error (HTTP {status}) after {attempt + 1} attempts. "
                    "Try again later.",
                    status,
                )
            return response

    def _network_error(self, exc: Exception) -> FetchError:
        if self.remaining() <= 0:
            return self._late()
        if isinstance(exc, requests.exceptions.Timeout | urllib3.exceptions.TimeoutError | TimeoutError):
            return FetchError(
                f"{self.exchange} did not answer in time (timeout after {self.settings.read_timeout:g} s). "
                "Try again, or choose a shorter fetch span.",
                None,
            )
        if isinstance(exc, requests.exceptions.ConnectionError):
            return FetchError(
                f"Could not reach {self.exchange} at {self.base_url} (network down or address wrong).", None
            )
        return FetchError(f"The request to {self.exchange} failed: {exc.__class__.__name__}.", None)
