"""Whole-fetch bounds of the exchange clients and the archive, against real HTTP servers on 127.0.0.1: a server that
drips, answers that are huge, zips that unpack to too much, web pages where zips should be, damaged cache files and
optional files that fail. Each ends in a clear message within its bound, and nothing bad is cached."""

from __future__ import annotations

import io
import re
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from liqcore import FetchError, fetch_market
from liqcore.exchanges import HttpSettings, archive
from liqcore.exchanges.archive_cache import zip_problem
from liqcore.exchanges.http import HttpClient
from tests import exchange_fakes as fakes

ANY_FILE = re.compile(r"^/data/.*")
FAST = HttpSettings(read_timeout=2.0, retries=1, backoff=0.01)
KLINES = "/data/futures/um/daily/klines/BTCUSDT/1h/BTCUSDT-1h-{}.zip"
METRICS = "/data/futures/um/daily/metrics/BTCUSDT/BTCUSDT-metrics-{}.zip"
THREE_DAYS = ["2024-01-25", "2024-01-26", "2024-01-27"]


def fetch_archive(server: HTTPServer, cache: Path, start: str, end: str, settings: HttpSettings = FAST):
    return fetch_market(
        "binance-archive", "BTCUSDT", "1h", base_url=server.url_for(""), start=start, end=end, settings=settings,
        cache_dir=cache,
    )  # fmt: skip


# --- the overall deadline ------------------------------------------------------------------------------------------


def test_a_slow_drip_is_stopped_at_the_fetch_deadline_not_when_the_server_stops() -> None:
    settings = HttpSettings(read_timeout=1.0, retries=0, deadline=1.5)
    with fakes.StreamingServer(fakes.drip(total_seconds=8.0, every=0.05)) as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"answered too slowly.*after the 1.5 s one fetch may take"):
            fetch_market("binance", "BTCUSDT", "1h", "1d", base_url=server.url, settings=settings)
        elapsed = time.monotonic() - started
    assert elapsed < 1.5 + 1.0  # every byte came well inside the 1 s read timeout: only the deadline stops it
    assert server.requests == 1


@pytest.mark.parametrize(("exchange", "day"), [("binance", None), ("binance-archive", "2024-01-25")])
def test_a_server_dripping_its_headers_is_stopped_at_the_fetch_deadline(
    exchange: str, day: str | None, tmp_path: Path
) -> None:
    settings = HttpSettings(read_timeout=1.0, retries=0, deadline=1.5, archive_deadline=1.5)
    with fakes.StreamingServer(fakes.header_drip(total_seconds=8.0, every=0.05), raw=True) as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"answered too slowly.*after the 1.5 s one fetch may take"):
            fetch_market(
                exchange, "BTCUSDT", "1h", "1d", base_url=server.url, start=day, end=day, settings=settings,
                cache_dir=tmp_path,
            )  # fmt: skip
        elapsed = time.monotonic() - started
    assert elapsed < 1.5 + 1.0  # each header byte came inside the 1 s read timeout: only the deadline stops it
    assert server.requests == 1
    assert not list(tmp_path.rglob("*.zip"))


def test_the_archive_deadline_stops_a_dripping_download_and_caches_nothing(tmp_path: Path) -> None:
    settings = HttpSettings(read_timeout=1.0, retries=0, archive_deadline=1.0)
    with fakes.StreamingServer(fakes.drip(total_seconds=8.0, first=b"PK\x03\x04"), "application/zip") as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match="answered too slowly"):
            fetch_market(
                "binance-archive", "BTCUSDT", "1h", base_url=server.url, start="2024-01-25", end="2024-01-25",
                settings=settings, cache_dir=tmp_path,
            )  # fmt: skip
        assert time.monotonic() - started < 1.0 + 1.0
    assert not list(tmp_path.rglob("*.zip"))


def test_a_retry_wait_past_the_deadline_is_not_slept(httpserver: HTTPServer) -> None:
    waits: list[float] = []
    httpserver.expect_request("/fapi/v1/klines").respond_with_response(
        Response(b"{}", status=429, headers={"Retry-After": "30"})
    )
    settings = HttpSettings(retries=3, max_wait=30, deadline=5, sleep=waits.append)
    with pytest.raises(FetchError, match=r"asked to wait 30 s.*past the 5 s one fetch may take"):
        fetch_market("binance", "BTCUSDT", "1h", "1d", base_url=httpserver.url_for(""), settings=settings)
    assert waits == [] and len(httpserver.log) == 1


# --- size caps -----------------------------------------------------------------------------------------------------


def test_a_100_mb_json_answer_is_refused_after_the_cap_without_holding_it() -> None:
    settings = HttpSettings(retries=0, max_json_bytes=2_000_000)
    with fakes.StreamingServer(fakes.huge(100_000_000)) as server:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match=r"the answer is larger than the 2 MB limit, so it was not read"):
                HttpClient(server.url, "Binance", settings=settings).get_json("/fapi/v1/klines")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 12_000_000  # a few pieces over the 2 MB cap, not 100 MB
    assert server.sent < 40_000_000  # the client hung up; only socket buffers' worth more was sent


def test_an_answer_announcing_more_than_the_cap_is_refused_before_reading() -> None:
    settings = HttpSettings(retries=0, max_json_bytes=1_000_000)
    headers = {"Content-Length": str(100_000_000)}
    with fakes.StreamingServer(fakes.huge(100_000_000), headers=headers) as server:
        client = HttpClient(server.url, "Bybit", settings=settings)
        with pytest.raises(FetchError, match="larger than the 1 MB limit"):
            client.get_json("/v5/market/kline")
    assert server.requests == 1


def test_a_json_answer_under_the_cap_still_reads_whole_even_in_small_pieces() -> None:
    body = b'[{"a": 1}, ' + b'{"b": 2}, ' * 3000 + b'{"c": 3}]'
    pieces = [body[i : i + 7] for i in range(0, len(body), 7)]
    with fakes.StreamingServer(lambda: iter(pieces)) as server:
        payload = HttpClient(server.url, "OKX", settings=FAST).get_json("/x")
    assert len(payload) == 3002 and payload[0] == {"a": 1} and payload[-1] == {"c": 3}


def _bomb(member_bytes: int) -> bytes:
    """A zip whose one CSV member unpacks to `member_bytes` of zeros (written in pieces, a few hundred kB zipped)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("BTCUSDT-1h-2024-01-25.csv", "w") as f:
        for _ in range(member_bytes >> 20):
            f.write(b"0" * (1 << 20))
    return buffer.getvalue()


def test_an_archive_zip_unpacking_past_the_member_cap_is_refused_without_unpacking(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    files = fakes.archive_files("BTCUSDT", "1h", ["2024-01-25"])
    files[KLINES.format("2024-01-25")] = bomb = _bomb(70 << 20)
    del files[KLINES.format("2024-01-25") + ".CHECKSUM"]
    httpserver.expect_request(ANY_FILE).respond_with_handler(fakes.serve_files(files))
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match=r"not a usable zip on two tries \(.*unpacks to 73 MB, over the 64 MB"):
            fetch_archive(httpserver, tmp_path, "2024-01-25", "2024-01-25")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(bomb) < 1_000_000 and peak < 20_000_000
    assert not (tmp_path / KLINES.format("2024-01-25").lstrip("/")).exists()


def test_a_member_lying_about_its_size_is_caught_by_its_crc() -> None:
    data = bytearray(fakes.zipped("a.csv", "1,2,3\n" * 1000))
    start = data.index(b"PK\x01\x02")  # the central directory's entry: declare a smaller unpacked size
    data[start + 24 : start + 28] = (100).to_bytes(4, "little")
    assert zip_problem(bytes(data)) is not None


# --- the archive cache only ever holds intact files ----------------------------------------------------------------


def test_a_truncated_download_without_checksum_is_not_cached_and_is_fetched_again(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    files = fakes.archive_files("BTCUSDT", "1h", ["2024-01-25"])
    path = KLINES.format("2024-01-25")
    del files[path + ".CHECKSUM"]
    served = fakes.serve_files(files)
    hits: list[str] = []

    def truncated_once(request: Request) -> Response:
        hits.append(request.path)
        if request.path == path and hits.count(path) == 1:
            return Response(files[path][: len(files[path]) // 2], content_type="application/zip")
        return served(request)

    httpserver.expect_request(ANY_FILE).respond_with_handler(truncated_once)
    m = fetch_archive(httpserver, tmp_path, "2024-01-25", "2024-01-25")
    assert len(m) == 24 and hits.count(path) == 2
    assert (tmp_path / path.lstrip("/")).read_bytes() == files[path]
    assert any("no readable published checksum; it was checked as a zip" in n for n in m.notes)


def test_a_download_truncated_every_time_is_discarded_and_never_cached(httpserver: HTTPServer, tmp_path: Path) -> None:
    files = fakes.archive_files("BTCUSDT", "1h", ["2024-01-25"])
    path = KLINES.format("2024-01-25")
    files[path] = files[path][:-40]
    del files[path + ".CHECKSUM"]
    httpserver.expect_request(ANY_FILE).respond_with_handler(fakes.serve_files(files))
    with pytest.raises(FetchError, match=r"BTCUSDT-1h-2024-01-25.zip was not a usable zip on two tries"):
        fetch_archive(httpserver, tmp_path, "2024-01-25", "2024-01-25")
    assert not (tmp_path / path.lstrip("/")).exists()


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_cached_file_damaged_on_disk_is_detected_and_replaced(
    httpserver: HTTPServer, tmp_path: Path, damage: str
) -> None:
    files = fakes.archive_files("BTCUSDT", "1h", THREE_DAYS[:2])
    httpserver.expect_request(ANY_FILE).respond_with_handler(fakes.serve_files(files))
    first = fetch_archive(httpserver, tmp_path, "2024-01-25", "2024-01-26")
    cached = tmp_path / KLINES.format("2024-01-26").lstrip("/")
    data = bytearray(cached.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data[60] ^= 0xFF  # one byte of the compressed CSV: only the member's CRC notices
    cached.write_bytes(bytes(data))
    httpserver.clear_log()
    again = fetch_archive(httpserver, tmp_path, "2024-01-25", "2024-01-26")
    pd.testing.assert_frame_equal(again.bars, first.bars)
    assert [r.path for r, _ in httpserver.log if r.path.endswith(".zip")] == [KLINES.format("2024-01-26")]
    assert cached.read_bytes() == files[KLINES.format("2024-01-26")]
    assert any("damaged on disk and were downloaded again: BTCUSDT-1h-2024-01-26.zip" in n for n in again.notes)


def test_the_cache_refuses_to_store_anything_but_an_intact_zip(tmp_path: Path) -> None:
    cache = archive.Cache(tmp_path)
    with pytest.raises(ValueError, match="refusing to cache"):
        cache.put("x.zip", b"<html>not a zip</html>")
    assert not list(tmp_path.rglob("*"))


# --- web pages and optional files ----------------------------------------------------------------------------------

LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Wi-Fi login</body></html>"


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "application/octet-stream"])
def test_a_web_page_instead_of_a_zip_is_reported_as_such(
    httpserver: HTTPServer, tmp_path: Path, content_type: str
) -> None:
    httpserver.expect_request(ANY_FILE).respond_with_response(Response(LOGIN_PAGE, content_type=content_type))
    with pytest.raises(FetchError, match=r"the server sent a web page, not a zip") as err:
        fetch_archive(httpserver, tmp_path, "2024-01-25", "2024-01-25")
    assert "checksum" not in str(err.value).lower()
    assert len(httpserver.log) == 1  # no retry, no checksum request: a proxy is in the way, not a bad download
    assert not list(tmp_path.rglob("*.zip"))


def test_a_failing_metrics_file_keeps_the_download_going_and_is_named(httpserver: HTTPServer, tmp_path: Path) -> None:
    served = fakes.serve_files(fakes.archive_files("BTCUSDT", "1h", THREE_DAYS))

    def metrics_broken(request: Request) -> Response:
        if request.path == METRICS.format("2024-01-26"):
            return Response(b"oops", status=500, headers={"Retry-After": "0"})
        return served(request)

    httpserver.expect_request(ANY_FILE).respond_with_handler(metrics_broken)
    m = fetch_archive(httpserver, tmp_path, "2024-01-25", "2024-01-27")
    assert len(m) == 3 * 24 and m.end == pd.Timestamp("2024-01-28", tz="UTC")
    oi = m.bars["open_interest"]
    day = m.bars.index.normalize()
    # the previous day's last snapshot (at midnight) still counts for the first bars; the rest of the day has none
    assert oi[day == pd.Timestamp("2024-01-26", tz="UTC")].iloc[2:].isna().all()
    assert np.isfinite(oi[day == pd.Timestamp("2024-01-27", tz="UTC")]).all()
    [note] = [n for n in m.notes if archive.is_incomplete_note(n)]
    assert "open interest (metrics) for 1 day(s) could not be downloaded: 2024-01-26" in note
    assert "HTTP 500" in note
    assert KLINES.format("2024-01-27") in [r.path for r, _ in httpserver.log]
