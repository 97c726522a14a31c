"""Fake exchanges for the exchange tests: werkzeug handlers that answer like the real APIs (same JSON shapes, limits
and paging parameters) from a deterministic price path, served by pytest-httpserver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import math
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd
from werkzeug import Request, Response

from liqcore.symbols import TOP_BY_VOLUME

KNOWN = ("BTCUSDT", "ETHUSDT", "BTCUSDC")
MIN = 60_000


@dataclass(frozen=True)
class Shape:
    """How one symbol's fake market differs from the default: price level, phase of its wave, OI and volume scale."""

    level: float = 1.0
    phase_hours: float = 0.0
    oi: float = 1.0
    volume: float = 1.0


DEFAULT = Shape()


def shape_for(symbol: str) -> Shape:
    """A deterministic, symbol-specific shape, so a scan over many fake symbols ranks them differently."""
    h = int(hashlib.sha256(symbol.encode()).hexdigest()[:8], 16)
    return Shape(level=1 + h % 97, phase_hours=h % 31, oi=0.5 + (h >> 8) % 13, volume=0.2 + (h >> 12) % 40)


def price(t_ms: int, shape: Shape = DEFAULT) -> float:
    return shape.level * (100.0 + 10.0 * math.sin((t_ms / 3.6e6 + shape.phase_hours) / 5))


def bar(t_ms: int, step_ms: int, shape: Shape = DEFAULT) -> dict:
    o, c = price(t_ms, shape), price(t_ms + step_ms, shape)
    wick = 0.5 * shape.level
    v = (10.0 + (t_ms // step_ms) % 7) * shape.volume
    return {"t": t_ms, "o": o, "h": max(o, c) + wick, "l": min(o, c) - wick, "c": c, "v": v}


def grid(start_ms: int, end_ms: int, step_ms: int, limit: int) -> list[int]:
    """Grid times in [start, end], oldest first, at most `limit` (the oldest ones, as Binance answers)."""
    first = -(-start_ms // step_ms) * step_ms
    return list(range(first, end_ms + 1, step_ms))[:limit]


def step_ms(text: str) -> int:
    text = {"D": "1d", "60": "1h", "120": "2h", "240": "4h", "360": "6h", "720": "12h"}.get(text, text)
    if text.isdigit():
        return int(text) * MIN
    text = text.replace("min", "m").replace("utc", "").lower()
    return int(pd.Timedelta(text.replace("m", "min") if text.endswith("m") else text).value // 1_000_000)


def as_json(payload: object, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def oi_base(t_ms: int) -> float:
    return 1000.0 + (t_ms // (5 * MIN)) % 50


# Each venue's open interest is `oi_base` times its scale, so an aggregate's sum and per-venue shares are checkable.
OI_SCALE = {"binance": 1.0, "bybit": 0.5, "okx": 0.25}


# --- Binance USDⓈ-M ---------------------------------------------------------------------------------------------


def binance(request: Request, oi_scale: float = 1.0) -> Response:
    args = request.args
    if request.path == "/fapi/v1/exchangeInfo":
        return as_json({"symbols": [{"symbol": s} for s in KNOWN]})
    if args.get("symbol") not in KNOWN:
        return as_json({"code": -1121, "msg": "Invalid symbol."}, 400)
    start, end = int(args.get("startTime", 0)), int(args["endTime"])
    if request.path == "/fapi/v1/klines":
        step = step_ms(args["interval"])
        rows = []
        for t in grid(start, end, step, int(args.get("limit", 500))):
            b = bar(t, step)
            rows.append(
                [t, f"{b['o']:.2f}", f"{b['h']:.2f}", f"{b['l']:.2f}", f"{b['c']:.2f}", f"{b['v']:.3f}", t + step - 1,
                 f"{b['v'] * b['c']:.2f}", 42, f"{b['v'] * 0.6:.3f}", "0", "0"]
            )  # fmt: skip
        return as_json(rows)
    if request.path == "/futures/data/openInterestHist":
        step = step_ms(args["period"])
        return as_json(
            [
                {"symbol": args["symbol"], "sumOpenInterest": f"{oi_base(t) * oi_scale:.3f}",
                 "sumOpenInterestValue": f"{oi_base(t) * oi_scale * price(t):.2f}", "timestamp": t}
                for t in grid(start, end, step, int(args.get("limit", 30)))
            ]
        )  # fmt: skip
    if request.path == "/futures/data/globalLongShortAccountRatio":
        step = step_ms(args["period"])
        return as_json(
            [
                {"symbol": args["symbol"], "longShortRatio": "1.5000", "longAccount": "0.6000",
                 "shortAccount": "0.4000", "timestamp": t}
                for t in grid(start, end, step, int(args.get("limit", 30)))
            ]
        )  # fmt: skip
    if request.path == "/fapi/v1/fundingRate":
        return as_json(
            [
                {"symbol": args["symbol"], "fundingTime": t, "fundingRate": "0.00010000", "markPrice": "100.0"}
                for t in grid(start, end, 8 * 60 * MIN, int(args.get("limit", 100)))
            ]
        )
    return as_json({"code": -1, "msg": "unknown path"}, 404)


# --- Bybit v5 ---------------------------------------------------------------------------------------------------


def bybit_ok(items: list) -> Response:
    return as_json({"retCode": 0, "retMsg": "OK", "result": {"category": "linear", "list": items}, "time": 1})


def bybit(request: Request, oi_scale: float = 1.0) -> Response:
    args = request.args
    if request.path == "/v5/market/instruments-info":
        return bybit_ok([{"symbol": s} for s in KNOWN])
    if args.get("symbol") not in KNOWN:
        return as_json({"retCode": 10001, "retMsg": "params error: symbol invalid", "result": {}, "time": 1})
    if request.path == "/v5/market/kline":
        step = step_ms(args["interval"])
        times = grid(int(args["start"]), int(args["end"]), step, 10**9)[-int(args.get("limit", 200)) :]
        rows = []
        for t in reversed(times):
            b = bar(t, step)
            rows.append([str(t), *(f"{b[k]:.2f}" for k in "ohlc"), f"{b['v']:.3f}", f"{b['v'] * b['c']:.2f}"])
        return bybit_ok(rows)
    start, end = int(args["startTime"]), int(args["endTime"])
    if request.path == "/v5/market/open-interest":
        step = step_ms(args["intervalTime"])
        times = grid(start, end, step, 10**9)[-int(args.get("limit", 50)) :]
        return bybit_ok(
            [{"openInterest": f"{oi_base(t) * oi_scale:.3f}", "timestamp": str(t)} for t in reversed(times)]
        )
    if request.path == "/v5/market/account-ratio":
        step = step_ms(args["period"])
        times = grid(start, end, step, 10**9)[-int(args.get("limit", 50)) :]
        return bybit_ok(
            [
                {"symbol": args["symbol"], "buyRatio": "0.6", "sellRatio": "0.4", "timestamp": str(t)}
                for t in reversed(times)
            ]
        )
    if request.path == "/v5/market/funding/history":
        times = grid(start, end, 8 * 60 * MIN, 10**9)[-int(args.get("limit", 200)) :]
        return bybit_ok(
            [
                {"symbol": args["symbol"], "fundingRate": "0.0001", "fundingRateTimestamp": str(t)}
                for t in reversed(times)
            ]
        )
    return as_json({"retCode": 10001, "retMsg": "unknown path"}, 404)


# --- OKX v5 -----------------------------------------------------------------------------------------------------

OKX_CT_VAL = {"BTC-USDT-SWAP": "0.01", "ETH-USDT-SWAP": "0.1"}  # contract sizes as OKX publishes them
OKX_KNOWN = tuple(OKX_CT_VAL)
OKX_RECENT_BARS = 500  # the fake's /market/candles serves only the newest bars, like the real one


def okx_ok(data: list) -> Response:
    return as_json({"code": "0", "msg": "", "data": data})


def okx(request: Request, now_ms: int, oi_scale: float = 1.0) -> Response:
    args = request.args
    if request.path == "/api/v5/public/instruments":
        if "instId" in args and args["instId"] not in OKX_KNOWN:
            return as_json({"code": "51001", "msg": "Instrument ID does not exist", "data": []})
        ids = [args["instId"]] if "instId" in args else OKX_KNOWN
        return okx_ok(
            [{"instId": i, "instType": "SWAP", "ctVal": OKX_CT_VAL[i], "ctValCcy": i.split("-")[0]} for i in ids]
        )
    if request.path in ("/api/v5/market/candles", "/api/v5/market/history-candles"):
        if args["instId"] not in OKX_KNOWN:
            return as_json({"code": "51001", "msg": "Instrument ID does not exist", "data": []})
        step = step_ms(args["bar"])
        after = int(args["after"])
        recent = request.path.endswith("/candles")
        limit = min(int(args.get("limit", 100)), 300 if recent else 100)
        oldest = now_ms - OKX_RECENT_BARS * step if recent else 0
        times = [t for t in grid(max(oldest, after - 10**4 * step), after - 1, step, 10**9) if t < after][-limit:]
        rows = []
        for t in reversed(times):
            b = bar(t, step)
            contracts = b["v"] / float(OKX_CT_VAL[args["instId"]])
            rows.append(
                [str(t), *(f"{b[k]:.2f}" for k in "ohlc"), f"{contracts:.0f}", f"{b['v']:.3f}",
                 f"{b['v'] * b['c']:.2f}", "1"]
            )  # fmt: skip
        return okx_ok(rows)
    step = step_ms(args.get("period", "5m"))
    times = grid(int(args["begin"]), int(args["end"]), step, 10**9)
    if request.path == "/api/v5/rubik/stat/contracts/open-interest-volume":
        return okx_ok([[str(t), f"{oi_base(t) * oi_scale * price(t):.2f}", "1000"] for t in reversed(times)])
    if request.path == "/api/v5/rubik/stat/taker-volume":
        return okx_ok([[str(t), "400", "600"] for t in reversed(times)])
    return as_json({"code": "50000", "msg": "unknown path", "data": []}, 404)


# --- Binance data archive (data.binance.vision) -------------------------------------------------------------------

KLINE_HEADER = (
    "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore"
)
METRICS_HEADER = (
    "create_time,symbol,sum_open_interest,sum_open_interest_value,count_toptrader_long_short_ratio,"
    "sum_toptrader_long_short_ratio,count_long_short_ratio,sum_taker_long_short_vol_ratio"
)


def zipped(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def kline_csv(first_ms: int, last_ms: int, step: int, header: bool, shape: Shape = DEFAULT) -> str:
    lines = [KLINE_HEADER] if header else []
    for t in range(first_ms, last_ms, step):
        b = bar(t, step, shape)
        lines.append(
            f"{t},{b['o']:.2f},{b['h']:.2f},{b['l']:.2f},{b['c']:.2f},{b['v']:.3f},{t + step - 1},"
            f"{b['v'] * b['c']:.2f},42,{b['v'] * 0.6:.3f},0,0"
        )
    return "\n".join(lines) + "\n"


def metrics_csv(symbol: str, day_ms: int, shape: Shape = DEFAULT) -> str:
    lines = [METRICS_HEADER]
    for t in range(day_ms + 5 * MIN, day_ms + 1440 * MIN + 1, 5 * MIN):
        stamp = pd.Timestamp(t, unit="ms").strftime("%Y-%m-%d %H:%M:%S")
        oi = oi_base(t) * shape.oi
        lines.append(f"{stamp},{symbol},{oi:.4f},{oi * price(t, shape):.4f},1.1,1.2,1.5,0.9")
    return "\n".join(lines) + "\n"


def archive_files(
    symbol: str,
    interval: str,
    days: list[str],
    months: tuple[str, ...] = (),
    header: bool = True,
    shape: Shape = DEFAULT,
):
    """{url path: zip bytes} plus their .CHECKSUM files, in the archive's layout."""
    step = step_ms(interval)
    files: dict[str, bytes] = {}
    for month in months:
        start = pd.Timestamp(f"{month}-01")
        stop = start + pd.offsets.MonthBegin(1)
        name = f"{symbol}-{interval}-{month}"
        csv = kline_csv(int(start.value // 10**6), int(stop.value // 10**6), step, header, shape)
        files[f"/data/futures/um/monthly/klines/{symbol}/{interval}/{name}.zip"] = zipped(f"{name}.csv", csv)
    for day in days:
        day_ms = int(pd.Timestamp(day).value // 10**6)
        name = f"{symbol}-{interval}-{day}"
        csv = kline_csv(day_ms, day_ms + 1440 * MIN, step, header, shape)
        files[f"/data/futures/um/daily/klines/{symbol}/{interval}/{name}.zip"] = zipped(f"{name}.csv", csv)
        metrics = f"{symbol}-metrics-{day}"
        files[f"/data/futures/um/daily/metrics/{symbol}/{metrics}.zip"] = zipped(
            f"{metrics}.csv", metrics_csv(symbol, day_ms, shape)
        )
    for path, data in list(files.items()):
        files[path + ".CHECKSUM"] = f"{hashlib.sha256(data).hexdigest()}  {path.rsplit('/', 1)[-1]}\n".encode()
    return files


UNIVERSE = TOP_BY_VOLUME[:24]  # the scanner's top-20 preset and a few more


def archive_universe(symbols: tuple[str, ...], interval: str, days: list[str]) -> dict[str, bytes]:
    """Archive files of many symbols, each with its own `shape_for` market."""
    files: dict[str, bytes] = {}
    for symbol in symbols:
        files.update(archive_files(symbol, interval, days, shape=shape_for(symbol)))
    return files


def past_days(count: int) -> list[str]:
    """The last `count` whole UTC days before today, oldest first (what an archive scan asks for)."""
    today = pd.Timestamp.now(tz="UTC").normalize()
    return [f"{today - pd.Timedelta(days=d):%Y-%m-%d}" for d in range(count, 0, -1)]


def serve_files(files: dict[str, bytes]):
    """A handler serving the given paths as the archive's CDN does, 404 for anything else."""

    def handler(request: Request) -> Response:
        if request.path in files:
            return Response(files[request.path], content_type="application/zip")
        return Response("<Error><Code>NoSuchKey</Code></Error>", status=404, content_type="application/xml")

    return handler


class SlowHandler:
    """A handler that answers late (to trigger client timeouts) and lets a test wait until every abandoned request
    has been answered and logged, so none is logged into the next test's (shared) server log."""

    def __init__(self, respond: Callable[[Request], Response], delay: float = 0.6) -> None:
        self._respond = respond
        self._delay = delay
        self._lock = threading.Lock()
        self._started = 0
        self._finished = 0

    def __call__(self, request: Request) -> Response:
        with self._lock:
            self._started += 1
        time.sleep(self._delay)
        try:
            return self._respond(request)
        finally:
            with self._lock:
                self._finished += 1

    def drain(self, server: object, timeout: float = 5.0) -> None:
        """Block until every request this handler started is answered and in the server's log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                finished = self._finished == self._started
            if finished and len(server.log) >= self._started:
                return
            time.sleep(0.01)
        raise AssertionError("the slow handler's requests did not finish in time")


# --- All three venues on one server (their paths do not overlap) ---------------------------------------------------

VENUE_PATHS = {
    "binance": ("/fapi/v1/exchangeInfo", "/fapi/v1/klines", "/futures/data/openInterestHist",
                "/futures/data/globalLongShortAccountRatio", "/fapi/v1/fundingRate"),
    "bybit": ("/v5/market/instruments-info", "/v5/market/kline", "/v5/market/open-interest",
              "/v5/market/account-ratio", "/v5/market/funding/history"),
    "okx": ("/api/v5/public/instruments", "/api/v5/market/candles", "/api/v5/market/history-candles",
            "/api/v5/rubik/stat/contracts/open-interest-volume", "/api/v5/rubik/stat/taker-volume"),
}  # fmt: skip


def serve_venues(server: object, now_ms: int, venues: tuple[str, ...] = ("binance", "bybit", "okx")) -> None:
    """Register the fake Binance, Bybit and OKX on one pytest-httpserver, each with its `OI_SCALE`."""
    handlers = {
        "binance": lambda r: binance(r, OI_SCALE["binance"]),
        "bybit": lambda r: bybit(r, OI_SCALE["bybit"]),
        "okx": lambda r: okx(r, now_ms, OI_SCALE["okx"]),
    }
    for venue in venues:
        for path in VENUE_PATHS[venue]:
            server.expect_request(path).respond_with_handler(handlers[venue])


# --- A server whose answer is made while it is sent (slow drips, huge bodies) ----------------------------------------


class StreamingServer:
    """A real HTTP/1.0 server on 127.0.0.1 that answers every GET with the chunks of `body()`, written as they are
    made, and counts what it managed to send before the client hung up. With `raw`, `body()` makes the whole answer,
    status line and headers included (to drip those). Use as a context manager; leaving it waits until every answer
    has ended (the body is bounded), so no thread outlives the test."""

    def __init__(
        self,
        body: Callable[[], Iterator[bytes]],
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        raw: bool = False,
    ) -> None:
        self.body = body
        self.raw = raw
        self.content_type = content_type
        self.headers = headers or {}
        self.requests = 0
        self.sent = 0
        self._active = 0
        self._lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer._answer(self)

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _answer(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests += 1
            self._active += 1
        try:
            if not self.raw:
                handler.send_response(200)
                handler.send_header("Content-Type", self.content_type)
                for key, value in self.headers.items():
                    handler.send_header(key, value)
                handler.end_headers()
            for chunk in self.body():
                handler.wfile.write(chunk)
                handler.wfile.flush()
                with self._lock:
                    self.sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: what the tests want
        finally:
            with self._lock:
                self._active -= 1

    def __enter__(self) -> StreamingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        deadline = time.monotonic() + 15
        while self._active and time.monotonic() < deadline:
            time.sleep(0.02)
        self._server.shutdown()
        self._server.server_close()


def drip(total_seconds: float = 10.0, every: float = 0.05, first: bytes = b"[") -> Callable[[], Iterator[bytes]]:
    """A body that sends one byte every `every` seconds for `total_seconds` (well inside any per-read timeout)."""

    def body() -> Iterator[bytes]:
        yield first
        for _ in range(int(total_seconds / every)):
            time.sleep(every)
            yield b" "

    return body


def header_drip(total_seconds: float = 10.0, every: float = 0.05) -> Callable[[], Iterator[bytes]]:
    """A raw answer (for `StreamingServer(raw=True)`) whose headers never end in time: the status line, then one byte
    of a header value every `every` seconds for `total_seconds`, then an empty JSON list."""

    def answer() -> Iterator[bytes]:
        yield b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nX-Slow: "
        for _ in range(int(total_seconds / every)):
            time.sleep(every)
            yield b"a"
        yield b"\r\n\r\n[]"

    return answer


def huge(total_bytes: int, chunk: int = 1 << 16) -> Callable[[], Iterator[bytes]]:
    """A JSON-looking body of `total_bytes`, made chunk by chunk (the server never holds it whole)."""

    def body() -> Iterator[bytes]:
        yield b"["
        piece = b"1," * (chunk // 2)
        for _ in range(total_bytes // len(piece)):
            yield piece

    return body
