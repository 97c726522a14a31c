"""Hostile-input table: every input a careless or hostile user (or a broken exchange) can send, its outcome, wall time
and peak memory, as a markdown table.

    python -m tests.hostile_bench            # every case (about 3–6 minutes on a shared 2-core machine)
    python -m tests.hostile_bench -k drip    # only the cases whose name contains 'drip' (-k may repeat)

Each case runs in a forked child process (so one case's memory never counts for the next), against the real parts:
`load_csv` for files, real HTTP servers on 127.0.0.1 for exchanges and the archive, `AppTest` for links and the
sidebar. "Peak MB" is the child's peak resident memory above what it started with (Linux VmHWM, reset at the start of
the case), so it includes numpy/pandas buffers that tracemalloc would miss. A case passes when its outcome matches
what it should be (a clear refusal naming the problem, or data loaded with the right note); the script exits 1 when
any case does not. Times are single runs on a machine other engineers share: noisy, not a benchmark.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import multiprocessing
import re
import sys
import threading
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
import pandas as pd

from liqcore import DataError, FetchError, fetch_market, simulate
from liqcore.exchanges import HttpSettings
from liqcore.export import to_csv_safe
from liqcore.loaders import load_csv
from tests import exchange_fakes as fakes
from tests.test_loaders_bounds import HEADER, _gzip_bomb, _rows

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
FAST = HttpSettings(read_timeout=2.0, retries=1, backoff=0.01, deadline=5.0, archive_deadline=5.0)
TIMEOUT = 240.0  # seconds one case may take before it is reported as hanging


@dataclass(frozen=True)
class Case:
    """One hostile input: `run` returns a short outcome (or raises DataError/FetchError, itself an outcome);
    `expect` is a regular expression the outcome must match. Building a big input (`setup`) is not timed."""

    name: str
    run: Callable[..., str]
    expect: str
    setup: Callable[[], object] | None = None  # builds the input before the clock starts; `run` receives it


# --- file builders ------------------------------------------------------------------------------------------------


def _csv(rows: list[str], header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode()


def _named(data: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def _with_cell(rows: list[str], row: int, column: int, cell: str) -> list[str]:
    out = list(rows)
    cells = out[row].split(",")
    cells[column] = cell
    out[row] = ",".join(cells)
    return out


def _zip_bomb(megabytes: int, name: str = "bomb.csv") -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive, archive.open(name, "w") as out:
        out.write(HEADER.encode())
        for _ in range(megabytes):
            out.write(b"0" * (1 << 20))
    return stream.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return stream.getvalue()


def _epoch_csv(rows: int) -> bytes:
    """A valid one-minute CSV with epoch-millisecond times (built with pandas; fast even for millions of rows)."""
    close = np.round(100 + np.cumsum(np.random.default_rng(5).normal(0, 0.05, rows)), 2)
    frame = pd.DataFrame(
        {
            "timestamp": 1_767_225_600_000 + 60_000 * np.arange(rows, dtype=np.int64),
            "open": close,
            "high": close + 0.5,
            "low": close - 0.5,
            "close": close,
            "volume": np.arange(rows) % 7 + 1,
        }
    )
    return frame.to_csv(index=False, float_format="%.2f").encode()


def _load(data: bytes | io.BytesIO) -> str:
    market = load_csv(data)
    return f"loaded {len(market):,} bars; notes: {' | '.join(market.notes)}"


# --- loader cases -------------------------------------------------------------------------------------------------


def _swapped() -> bytes:
    rows = _rows(300)
    for i in range(0, 300, 2):
        c = rows[i].split(",")
        c[2], c[3] = c[3], c[2]
        rows[i] = ",".join(c)
    return _csv(rows)


def _mixed_units() -> bytes:
    rows = []
    for i, row in enumerate(_rows(100)):
        c = row.split(",")
        if i % 3 == 0:
            c[1:5] = [f"{float(v) * 1e6:.2f}" for v in c[1:5]]
        rows.append(",".join(c))
    return _csv(rows)


def _frozen_oi() -> bytes:
    rows = _rows(600)
    oi = np.linspace(1000, 2000, 600)
    oi[100:500] = oi[100]
    body = [f"{r},{v:.3f}" for r, v in zip(rows, oi, strict=True)]
    return _csv(body, HEADER.replace("volume", "volume,open_interest"))


def _formula_export() -> str:
    market = simulate("range", seed=1, bars=50, interval="1h").market
    frame = market.bars[["close"]].copy()
    frame["note"] = ['=HYPERLINK("http://127.0.0.1:1/x","click")', "+1+1", "-2+3", "@SUM(A1)", "\tx"] * 10
    text = to_csv_safe(frame).decode()
    bad = [line for line in text.splitlines()[1:] if re.search(r",[=+\-@\t]", line)]
    assert not bad, bad[:2]
    return "every formula cell neutralised (prefixed with ')"


def _hostile_name(name: str) -> Callable[[], str]:
    def run() -> str:
        from pages.components.text import plain

        try:
            load_csv(_named(b"not,a\nprice,file\n", name))
        except DataError as exc:
            shown = plain(exc)
            assert not re.search(r"(?<!\\)[<>\[\]()$!]", shown), shown  # every markup character escaped
            return f"error names the file, escaped: {shown[:90]}"
        return "loaded (unexpected)"

    return run


LOADER_CASES = [
    Case(
        "1 MiB field, no separators, on line 2",
        _load,
        r"refused.*cell of 1,048,576 characters",
        lambda: _csv(["x" * (1 << 20), *_rows(30)]),
    ),
    Case(
        "ISO time file, one 512 KiB time cell",
        _load,
        r"refused.*cell of 524,288",
        lambda: _csv(_with_cell(_rows(500), 10, 0, "2" * (512 << 10))),
    ),
    Case(
        "ISO time file, one 1 MiB time cell",
        _load,
        r"refused.*characters",
        lambda: _csv(_with_cell(_rows(500), 10, 0, "2026-01-01" * (100 << 10))),
    ),
    Case(
        "four 256 KiB time cells",
        _load,
        r"refused.*characters",
        lambda: _csv([*(["2026-01-01T00:00:00Z" * 12_500 + ",1,2,0.5,1,1"] * 4), *_rows(100)]),
    ),
    Case(
        "1 MiB cell in the close column",
        _load,
        r"loaded 199 bars.*dropped 1 row\(s\), a price missing, not a finite number",
        lambda: _csv(_with_cell(_rows(200), 5, 4, "9" * (1 << 20))),
    ),
    Case(
        "gzip bomb: 190 MB of zeros in ~190 kB",
        _load,
        r"refused.*unpacked, it is over the 100 MB limit",
        lambda: _gzip_bomb(190),
    ),
    Case("zip bomb: 1 GB member in ~1 MB", _load, r"refused.*over the 100 MB limit", lambda: _zip_bomb(1024)),
    Case(
        "zip of three CSVs",
        _load,
        r"refused.*holds 3 CSV files",
        lambda: _zip({f"{i}.csv": _csv(_rows(20)) for i in range(3)}),
    ),
    Case(
        "Excel workbook renamed .csv",
        _load,
        r"refused.*Excel workbook",
        lambda: _named(_zip({"xl/workbook.xml": b"<x/>", "[Content_Types].xml": b"<x/>"}), "prices.csv"),
    ),
    Case(
        "PNG image renamed .csv",
        _load,
        r"refused.*(image|PNG)",
        lambda: _named(b"\x89PNG\r\n\x1a\n" + bytes(2000), "prices.csv"),
    ),
    Case("empty file", _load, r"refused.*empty", lambda: _named(b"", "empty.csv")),
    Case("header only", _load, r"refused", lambda: _named(HEADER.encode(), "header.csv")),
    Case(
        "NUL bytes through the file",
        _load,
        r"refused.*binary data",
        lambda: _csv(_rows(200)).replace(b",", b",\x00", 50),
    ),
    Case("UTF-16 file without BOM", _load, r"loaded 200 bars", lambda: _csv(_rows(200)).decode().encode("utf-16-le")),
    Case(
        "10,000 columns in the header",
        _load,
        r"refused.*a row has 10,006 cells",
        lambda: _csv(_rows(50), HEADER.strip() + "," + ",".join(f"c{i}" for i in range(10_000)) + "\n"),
    ),
    Case(
        "1 MiB text cell in the close column",
        _load,
        r"refused.*cell of 1,048,576 characters in column 'close'",
        lambda: _csv(_with_cell(_rows(200), 5, 4, "x" * (1 << 20))),
    ),
    Case(
        "a row of 900 cells at line 62 (under the column cap)",
        _load,
        r"loaded 100 bars.*more cells than the header names",
        lambda: _csv([*_rows(60), _rows(1)[0] + "," * 900 + "x", *_rows(100)]),
    ),
    Case(
        "one row of 200,000 empty cells",
        _load,
        r"refused.*a row has 200,006 cells",
        lambda: _csv([_rows(1)[0] + "," * 200_000, *_rows(100)]),
    ),
    Case(
        "quoted 1 MiB cell spanning 10,000 lines",
        _load,
        r"refused.*characters",
        lambda: _csv(_with_cell(_rows(100), 3, 5, '"' + "a\n" * 10_000 + "x" * (1 << 20) + '"')),
    ),
    Case(
        "2.1 M short rows (over the 2 M row limit)",
        _load,
        r"refused.*more than 2,000,000 rows",
        lambda: _epoch_csv(2_100_000),
    ),
    Case(
        "valid ~50 MB one-minute CSV, 1.1 M rows (epoch ms)",
        _load,
        r"loaded 1,100,000 bars",
        lambda: _epoch_csv(1_100_000),
    ),
    Case("high/low swapped on 150 of 300 rows", _load, r"refused.*look swapped", lambda: _swapped()),
    Case("prices in mixed units (every 3rd row × 1e6)", _load, r"refused.*mixed units", lambda: _mixed_units()),
    Case("open interest frozen for 400 bars", _load, r"loaded 600 bars.*open interest frozen", lambda: _frozen_oi()),
    Case(
        "times going back and repeating",
        _load,
        r"loaded 100 bars.*out of time order.*sorted by time",
        lambda: _csv(_rows(100)[::-1][:50] + _rows(100)[:50]),
    ),
    Case(
        "every close empty",
        _load,
        r"refused",
        lambda: _csv([",".join([*r.split(",")[:4], "", "1"]) for r in _rows(100)]),
    ),
    Case(
        "negative volume on every row",
        _load,
        r"loaded 100 bars.*'volume' are negative",
        lambda: _csv([r.rsplit(",", 1)[0] + ",-5" for r in _rows(100)]),
    ),
    Case(
        "20 time formats mixed in one column",
        _load,
        r"loaded 20 bars",
        lambda: _csv(
            [
                _rows(1, pd.DatetimeIndex([pd.Timestamp("2026-01-01") + pd.Timedelta(minutes=i)]), f)[0]
                for i, f in enumerate(
                    ["%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%Y%m%dT%H%M", "%d %b %Y %H:%M"] * 4
                )
            ]
        ),
    ),
    Case("file name with a markdown image", _hostile_name("![p](http://127.0.0.1:1/x.png).csv"), r"escaped"),
    Case(
        "file name with HTML and math",
        _hostile_name('<img src="http://127.0.0.1:1/x.png"><b>b</b> $x^2$.csv'),
        r"escaped",
    ),
    Case("formula cells in a CSV export", _formula_export, r"neutralised"),
]


# --- exchange and archive cases (real servers on 127.0.0.1) ---------------------------------------------------------


@contextlib.contextmanager
def serving(handler: Callable) -> Iterator[str]:
    """A threaded werkzeug server on 127.0.0.1 answering with `handler(request) -> Response`."""
    from werkzeug import Request
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, Request.application(handler), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def _json(payload: object, status: int = 200, headers: dict | None = None):
    from werkzeug import Response

    return Response(fakes.json.dumps(payload), status=status, headers=headers, content_type="application/json")


def _live(exchange: str, handler: Callable, settings: HttpSettings = FAST) -> str:
    with serving(handler) as url:
        market = fetch_market(exchange, "BTCUSDT", "1h", "3d", base_url=url, settings=settings)
    return f"loaded {len(market)} bars; notes: {' | '.join(market.notes)}"


def _binance_with(path: str, answer: Callable) -> Callable:
    def handler(request):
        return answer(request) if request.path == path else fakes.binance(request)

    return handler


def _archive(handler: Callable, days: tuple[str, str] = ("2024-01-25", "2024-01-27"), cache: Path | None = None) -> str:
    with TemporaryDirectory() as tmp, serving(handler) as url:
        market = fetch_market(
            "binance-archive", "BTCUSDT", "1h", base_url=url, start=days[0], end=days[1], settings=FAST,
            cache_dir=cache or tmp,
        )  # fmt: skip
    return f"loaded {len(market)} bars; notes: {' | '.join(market.notes)}"


ARCHIVE_DAYS = ["2024-01-25", "2024-01-26", "2024-01-27"]
KLINE = "/data/futures/um/daily/klines/BTCUSDT/1h/BTCUSDT-1h-{}.zip"


def _archive_served(edit: Callable[[dict[str, bytes]], None]) -> Callable:
    files = fakes.archive_files("BTCUSDT", "1h", ARCHIVE_DAYS)
    edit(files)
    return fakes.serve_files(files)


def _drip_live() -> str:
    settings = HttpSettings(read_timeout=2.0, retries=0, deadline=5.0)
    with fakes.StreamingServer(fakes.drip(total_seconds=60, every=0.2)) as server:
        fetch_market("binance", "BTCUSDT", "1h", "3d", base_url=server.url, settings=settings)
    return "loaded (unexpected)"


def _drip_archive() -> str:
    settings = HttpSettings(read_timeout=2.0, retries=0, archive_deadline=5.0)
    with TemporaryDirectory() as tmp, fakes.StreamingServer(fakes.drip(60, 0.2, b"PK\x03\x04"), "application/zip") as s:
        fetch_market("binance-archive", "BTCUSDT", "1h", base_url=s.url, start="2024-01-25", settings=settings,
                     end="2024-01-25", cache_dir=tmp)  # fmt: skip
    return "loaded (unexpected)"


def _header_drip(exchange: str) -> str:
    settings = HttpSettings(read_timeout=2.0, retries=0, deadline=5.0, archive_deadline=5.0)
    day = "2024-01-25" if exchange == "binance-archive" else None
    with TemporaryDirectory() as tmp, fakes.StreamingServer(fakes.header_drip(60, 0.2), raw=True) as server:
        fetch_market(exchange, "BTCUSDT", "1h", "3d", base_url=server.url, start=day, end=day, settings=settings,
                     cache_dir=tmp)  # fmt: skip
    return "loaded (unexpected)"


def _all_venues_drip() -> str:
    settings = HttpSettings(read_timeout=2.0, retries=0, deadline=5.0)
    with fakes.StreamingServer(fakes.header_drip(60, 0.2), raw=True) as server:
        urls = dict.fromkeys(("binance", "bybit", "okx"), server.url)
        try:
            fetch_market("all", "BTCUSDT", "1h", "3d", settings=settings, base_urls=urls)
        finally:
            asked = server.requests
    return f"loaded (unexpected); {asked} requests"


def _archive_day_published_later() -> str:
    """Day 3 answers 404 (remembered on disk), then appears: a plain fetch trusts the marker, a Refresh asks again."""
    files = fakes.archive_files("BTCUSDT", "1h", ARCHIVE_DAYS)
    late = KLINE.format(ARCHIVE_DAYS[-1])
    served = {k: v for k, v in files.items() if not k.startswith(late)}
    with TemporaryDirectory() as tmp, serving(fakes.serve_files(served)) as url:

        def fetch(recheck: bool) -> int:
            days = {"start": ARCHIVE_DAYS[0], "end": ARCHIVE_DAYS[-1]}
            market = fetch_market(
                "binance-archive", "BTCUSDT", "1h", base_url=url, settings=FAST, cache_dir=tmp, recheck_missing=recheck,
                **days,
            )  # fmt: skip
            return len(market)

        before = fetch(False)
        served.update(files)
        again, refreshed = fetch(False), fetch(True)
    return f"loaded {before} bars, again {again} (marker kept), after Refresh {refreshed} bars"


def _cache_flood() -> str:
    """Forty 4 MB results into the app's shared cache shrunk to 16 MB: what it keeps."""
    from liqcore.memo import ByteLRU

    store = ByteLRU("flood", max_bytes=16 * 2**20, max_entries=64, ttl=3600)
    for i in range(40):
        store.get_or_compute(f"result {i}", lambda i=i: np.full(2**19, float(i)))
    return f"kept {len(store)} of 40 entries, {store.bytes / 2**20:.1f} MB estimated (budget 16 MB)"


def _huge_json(announce: bool) -> str:
    headers = {"Content-Length": str(100_000_000)} if announce else None
    with fakes.StreamingServer(fakes.huge(100_000_000), headers=headers) as server:
        fetch_market("binance", "BTCUSDT", "1h", "3d", base_url=server.url, settings=FAST)
    return "loaded (unexpected)"


def _repeating_funding(request):
    page = [{"symbol": "BTCUSDT", "fundingTime": 1_700_000_000_000, "fundingRate": "0.0001"}] * 1000
    return _json(page)


def _endless_funding(request):
    start = int(request.args["startTime"])
    return _json([{"symbol": "BTCUSDT", "fundingTime": start + i, "fundingRate": "0.0001"} for i in range(1000)])


def _okx_endless(request):
    if request.path in ("/api/v5/market/history-candles", "/api/v5/market/candles"):
        newest = int(time.time() // 3600 * 3600 * 1000)  # the same page whatever `after` asks for: no progress
        rows = [[str(newest - 3_600_000 * (i + 1)), "1", "2", "0.5", "1", "1", "1", "1", "1"] for i in range(100)]
        return fakes.okx_ok(rows)
    return fakes.okx(request, int(time.time() * 1000))


def _damaged_cache() -> str:
    with TemporaryDirectory() as tmp:
        handler = _archive_served(lambda files: None)
        _archive(handler, cache=Path(tmp))
        cached = Path(tmp) / KLINE.format("2024-01-26").lstrip("/")
        cached.write_bytes(cached.read_bytes()[:120])
        return _archive(handler, cache=Path(tmp))


def _metrics_500(request):
    from werkzeug import Response

    if "metrics-2024-01-26" in request.path:
        return Response(b"oops", status=500, headers={"Retry-After": "0"})
    return _archive_served(lambda files: None)(request)


def _bomb_member(files: dict[str, bytes]) -> None:
    files[KLINE.format("2024-01-25")] = _zip_bomb(200, "BTCUSDT-1h-2024-01-25.csv")
    del files[KLINE.format("2024-01-25") + ".CHECKSUM"]


def _truncated(files: dict[str, bytes]) -> None:
    path = KLINE.format("2024-01-25")
    files[path] = files[path][:-40]
    del files[path + ".CHECKSUM"]


def _bad_checksum(files: dict[str, bytes]) -> None:
    files[KLINE.format("2024-01-26") + ".CHECKSUM"] = b"0" * 64 + b"  BTCUSDT-1h-2024-01-26.zip\n"


def _web_page(request):
    from werkzeug import Response

    return Response(b"<!DOCTYPE html><html><body>Please sign in to the Wi-Fi</body></html>", content_type="text/html")


def _live_ui(exchange: str, handler: Callable) -> str:
    """The sidebar's live source (a real script run) fetching from `handler`: what the user sees."""
    import os

    from streamlit.testing.v1 import AppTest

    from liqcore.exchanges.venues import VENUES
    from tests.test_live_component import live_app

    with serving(handler) as url:
        os.environ[VENUES[exchange].env] = url
        at = AppTest.from_function(live_app, default_timeout=60).run()
        at.sidebar.selectbox(key="live_exchange").select(exchange).run()
        at.sidebar.button(key="live_fetch").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return f"error box: {at.sidebar.error[0].value}" if at.sidebar.error else "no error box"


def _okx_odd(request):
    if "candles" in request.path:
        return fakes.okx_ok([["x"], {"a": 1}, None])
    return fakes.okx(request, int(time.time() * 1000))


EXCHANGE_CASES = [
    Case(
        "Binance klines answer a dict",
        lambda: _live_ui("binance", _binance_with("/fapi/v1/klines", lambda r: _json({"x": 1}))),
        r"error box: .*not in the expected form",
    ),
    Case(
        'Bybit answers {"result": {}}',
        lambda: _live_ui("bybit", lambda r: _json({"retCode": 0, "result": {}})),
        r"error box: .*(not in the expected form|Bybit)",
    ),
    Case(
        "OKX candles with odd rows", lambda: _live_ui("okx", _okx_odd), r"error box: .*(not in the expected form|OKX)"
    ),
    Case(
        "Binance funding repeats one full page",
        lambda: _live("binance", _binance_with("/fapi/v1/fundingRate", _repeating_funding)),
        r"loaded 72 bars",
    ),
    Case(
        "Binance funding pages never end",
        lambda: _live("binance", _binance_with("/fapi/v1/fundingRate", _endless_funding)),
        r"loaded 72 bars.*funding history unavailable.*(past 400|answered too slowly)",
    ),
    Case("OKX candles repeat one page whatever is asked", lambda: _live("okx", _okx_endless), r"refused|loaded"),
    Case(
        "429 with Retry-After: 3600",
        lambda: _live("binance", lambda r: _json({}, 429, {"Retry-After": "3600"})),
        r"refused.*(rate limit|asked to wait)",
    ),
    Case("418 ban", lambda: _live("binance", lambda r: _json({"code": -1003}, 418)), r"refused.*banned"),
    Case("451 region block", lambda: _live("bybit", lambda r: _json({}, 451)), r"refused.*region"),
    Case(
        "unknown symbol (Binance -1121)",
        lambda: _live("binance", lambda r: _json({"code": -1121, "msg": "Invalid symbol."}, 400)),
        r"refused.*does not list",
    ),
    Case(
        "connection refused (port 9)",
        lambda: fetch_market("binance", "BTCUSDT", "1h", "1d", base_url="http://127.0.0.1:9", settings=FAST),
        r"refused.*Could not reach",
    ),
    Case("server drips 1 byte / 0.2 s (live, deadline 5 s)", _drip_live, r"refused.*answered too slowly"),
    Case("server drips a zip (archive, deadline 5 s)", _drip_archive, r"refused.*answered too slowly"),
    Case(
        "server drips its response headers (live, deadline 5 s)",
        lambda: _header_drip("binance"),
        r"refused.*answered too slowly",
    ),
    Case(
        "server drips its response headers (archive, deadline 5 s)",
        lambda: _header_drip("binance-archive"),
        r"refused.*answered too slowly",
    ),
    Case(
        "All venues, every venue drips (one 5 s deadline for the fetch)",
        _all_venues_drip,
        r"refused: Every venue failed.*Binance did not answer in time.*Bybit was not asked.*OKX was not asked",
    ),
    Case(
        "archive day missing, published later, then Refresh",
        _archive_day_published_later,
        r"loaded 48 bars, again 48 .*after Refresh 72 bars",
    ),
    Case(
        "40 results of 4 MB into a 16 MB shared cache",
        _cache_flood,
        r"kept 3 of 40 entries, 12\.0 MB",
    ),
    Case("100 MB JSON answer, no length", lambda: _huge_json(False), r"refused.*larger than the 16 MB limit"),
    Case("100 MB JSON answer, Content-Length given", lambda: _huge_json(True), r"refused.*larger than the 16 MB limit"),
    Case("archive: web page instead of a zip", lambda: _archive(_web_page), r"refused.*sent a web page, not a zip"),
    Case(
        "archive: zip member unpacking to 200 MB",
        lambda: _archive(_archive_served(_bomb_member), ("2024-01-25", "2024-01-25")),
        r"refused.*over the 64 MB limit",
    ),
    Case(
        "archive: truncated zip, no checksum",
        lambda: _archive(_archive_served(_truncated), ("2024-01-25", "2024-01-25")),
        r"refused.*not a usable zip on two tries",
    ),
    Case(
        "archive: checksum mismatch on one day",
        lambda: _archive(_archive_served(_bad_checksum)),
        r"loaded 48 bars.*failed verification twice",
    ),
    Case(
        "archive: cached file damaged on disk",
        _damaged_cache,
        r"loaded 72 bars.*damaged on disk and were downloaded again",
    ),
    Case(
        "archive: one metrics file answers 500",
        lambda: _archive(_metrics_500),
        r"loaded 72 bars.*open interest \(metrics\) for 1 day",
    ),
]


# --- links and sidebar inputs (AppTest) ---------------------------------------------------------------------------


def _app(query: dict[str, str]) -> str:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    label = at.session_state["analysis"].label
    toasts = " ".join(t.value for t in at.toast)
    return f"default view ({label[:40]}); message: {toasts[:110]}"


def _symbol(text: str) -> str:
    from streamlit.testing.v1 import AppTest

    from tests.test_live_component import live_app

    at = AppTest.from_function(live_app, default_timeout=60).run()
    at.sidebar.text_input(key="live_symbol").input(text).run()
    assert not at.exception
    return f"no request; error: {at.sidebar.error[0].value[:90]}"


APP_CASES = [
    Case(
        "1,000 junk query parameters",
        lambda: _app({f"junk{i}": "x" for i in range(1000)}),
        r"default view.*not understood",
    ),
    Case("seed of 5,000 digits", lambda: _app({"seed": "9" * 5000}), r"default view.*seed"),
    Case("script text as scenario", lambda: _app({"scenario": "<script>alert(1)</script>"}), r"default view.*scenario"),
    Case("10,000-character src", lambda: _app({"src": "x" * 10_000}), r"default view.*src"),
    Case(
        "markdown image as preset", lambda: _app({"preset": "![p](http://127.0.0.1:1/x.png)"}), r"default view.*preset"
    ),
    Case("300-character symbol", lambda: _symbol("B" * 300), r"is not a symbol"),
    Case("path traversal as symbol", lambda: _symbol("../../etc/passwd"), r"is not a symbol"),
    Case("HTML as symbol", lambda: _symbol("<b>BTC</b>"), r"is not a symbol"),
]

CASES = LOADER_CASES + EXCHANGE_CASES + APP_CASES


# --- running ------------------------------------------------------------------------------------------------------


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _child(case: Case, pipe) -> None:
    given = () if case.setup is None else (case.setup(),)
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak resident size (VmHWM) to the current size
    start_kb = _rss_kb("VmRSS")
    started = time.perf_counter()
    try:
        outcome = case.run(*given)
    except (DataError, FetchError) as exc:
        outcome = f"refused: {exc}"
    except AssertionError as exc:
        outcome = f"WRONG: {exc}"[:200]
    except Exception as exc:  # a case that crashes is reported, not hidden
        outcome = f"CRASH {type(exc).__name__}: {exc}"[:200] + "\n" + traceback.format_exc(limit=3)
    elapsed = time.perf_counter() - started
    peak_mb = max(0, _rss_kb("VmHWM") - start_kb) / 1024
    pipe.send((outcome, elapsed, peak_mb))


def run_case(case: Case) -> tuple[str, float, float]:
    """(outcome, seconds, peak MB) of one case, in a forked child; a case over `TIMEOUT` is killed and says so."""
    parent, child = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_child, args=(case, child))
    process.start()
    if parent.poll(TIMEOUT):
        result = parent.recv()
    else:
        process.kill()
        result = (f"HUNG: no outcome after {TIMEOUT:.0f} s", TIMEOUT, float("nan"))
    process.join(10)
    return result


def _cell(text: str) -> str:
    return text.splitlines()[0].replace("|", "\\|").replace("\n", " ")[:150] if text else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", action="append", default=[], help="only cases whose name contains this text (repeatable)")
    args = parser.parse_args(argv)
    chosen = [c for c in CASES if not args.k or any(k.lower() in c.name.lower() for k in args.k)]
    print("| # | Hostile input | Outcome | Time (s) | Peak MB | As intended |")
    print("|---|---|---|---:|---:|:---:|")
    failed = 0
    for number, case in enumerate(chosen, 1):
        outcome, seconds, peak = run_case(case)
        good = re.search(case.expect, outcome, flags=re.DOTALL) is not None and not outcome.startswith(
            ("CRASH", "HUNG")
        )
        failed += not good
        mark = "✓" if good else "✗"
        print(f"| {number} | {_cell(case.name)} | {_cell(outcome)} | {seconds:.2f} | {peak:.0f} | {mark} |")
        sys.stdout.flush()
    print(f"\n{len(chosen) - failed} of {len(chosen)} cases as intended.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
