"""Binance data archive source against a local server serving zips and .CHECKSUM files in the archive's layout."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from liqcore import FetchError, fetch_market
from liqcore.exchanges import HttpSettings, archive
from liqcore.exchanges.archive_cache import default_cache_dir
from liqcore.exchanges.http import HttpClient
from tests import exchange_fakes as fakes

ANY_FILE = re.compile(r"^/data/.*")
FAST = HttpSettings(read_timeout=2.0, retries=1, backoff=0.01)


def fetch(server: HTTPServer, cache: Path, start: str, end: str, interval: str = "1h", symbol: str = "BTCUSDT", **kw):
    return fetch_market(
        "binance-archive", symbol, interval, base_url=server.url_for(""), start=start, end=end,
        settings=kw.pop("settings", FAST), cache_dir=cache, **kw,
    )  # fmt: skip


def test_plan_uses_monthly_files_for_whole_past_months_and_daily_for_the_rest() -> None:
    files = archive.plan("BTCUSDT", "5m", dt.date(2023, 12, 30), dt.date(2024, 2, 1), today=dt.date(2024, 2, 10))
    klines = [f.path for f in files if f.kind == "klines"]
    assert klines == [
        "data/futures/um/daily/klines/BTCUSDT/5m/BTCUSDT-5m-2023-12-30.zip",
        "data/futures/um/daily/klines/BTCUSDT/5m/BTCUSDT-5m-2023-12-31.zip",
        "data/futures/um/monthly/klines/BTCUSDT/5m/BTCUSDT-5m-2024-01.zip",
        "data/futures/um/daily/klines/BTCUSDT/5m/BTCUSDT-5m-2024-02-01.zip",
    ]
    metrics = [f.path for f in files if f.kind == "metrics"]
    assert len(metrics) == 34 and metrics[0] == "data/futures/um/daily/metrics/BTCUSDT/BTCUSDT-metrics-2023-12-30.zip"
    this_month = archive.plan("BTCUSDT", "1h", dt.date(2024, 2, 1), dt.date(2024, 2, 9), today=dt.date(2024, 2, 10))
    assert all("/daily/" in f.path for f in this_month)


def test_unknown_symbol_is_a_404_with_a_hint(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request(ANY_FILE).respond_with_handler(fakes.serve_files({}))
    with pytest.raises(FetchError, match=r"no 1h klines for 'BTCUSDX'.*USD-M perpetual") as err:
        fetch(httpserver, tmp_path, "2024-01-30", "2024-02-01", symbol="BTCUSDX")
    assert err.value.status == 404
    assert len(httpserver.log) == 2  # the first and the last file, not the whole range


def test_bad_checksum_is_retried_once_then_a_clear_error(httpserver: HTTPServer, tmp_path: Path) -> None:
    files = fakes.archive_files("BTCUSDT", "1h", ["2024-01-30"])
    path = "/data/futures/um/daily/klines/BTCUSDT/1h/BTCUSDT-1h-2024-01-30.zip"
    files[path + ".CHECKSUM"] = b"0" * 64 + b"  BTCUSDT-1h-2024-01-30.zip\n"
    httpserver.expect_request(ANY_FILE).respond_with_handler(fakes.serve_files(files))
    with pytest.raises(FetchError, match="failed its SHA-256 checksum twice"):
        fetch(httpserver, tmp_path, "2024-01-30", "2024-01-30")
    assert [r.path for r, _ in httpserver.log].count(path) == 2
    assert [f.name for f in tmp_path.rglob("*.zip")] == ["BTCUSDT-metrics-2024-01-30.zip"]  # the bad one isn't cached


def test_slow_response_times_out(httpserver: HTTPServer, tmp_path: Path) -> None:
    slow = fakes.SlowHandler(lambda request: Response(b"", status=404))
    httpserver.expect_request(ANY_FILE).respond_with_handler(slow)
    with pytest.raises(FetchError, match="did not answer in time"):
        fetch(httpserver, tmp_path, "2024-01-30", "2024-01-30", settings=HttpSettings(read_timeout=0.2, retries=0))
    slow.drain(httpserver)


def test_file_size_cap(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request(ANY_FILE).respond_with_handler(
        fakes.serve_files(fakes.archive_files("BTCUSDT", "1h", ["2024-01-30"]))
    )
    client = HttpClient(httpserver.url_for(""), "Binance data archive", settings=FAST)
    with pytest.raises(FetchError, match="larger than"):
        archive.fetch(client, "BTCUSDT", "1h", "2024-01-30", "2024-01-30", cache_dir=tmp_path, max_file_bytes=100)


def test_cache_is_bounded_and_evicts_least_recently_used(tmp_path: Path) -> None:
    zips = {k: fakes.zipped(f"{k}.csv", k * 100) for k in "abc"}
    size = max(len(z) for z in zips.values())
    cache = archive.Cache(tmp_path, max_bytes=int(2.5 * size))
    cache.put("a.zip", zips["a"])
    cache.put("b.zip", zips["b"])
    os.utime(tmp_path / "a.zip", (1_000, 1_000))
    os.utime(tmp_path / "b.zip", (2_000, 2_000))
    assert cache.get("a.zip") == zips["a"]  # reading makes it the most recently used
    cache.put("c.zip", zips["c"])
    assert cache.get("b.zip") is None and cache.get("a.zip") is not None and cache.get("c.zip") is not None


def test_default_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LIQCORE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "liqcore" / "archive"
    monkeypatch.setenv("LIQCORE_CACHE_DIR", str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x"


def test_date_range_checks(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="start date"):
        fetch_market("binance-archive", "BTCUSDT", "1h", base_url="http://127.0.0.1:9", cache_dir=tmp_path)
    with pytest.raises(FetchError, match="no 7m klines"):
        fetch_market("binance-archive", "BTCUSDT", "7m", start="2024-01-01", base_url="http://127.0.0.1:9")


@pytest.fixture
def days(httpserver: HTTPServer) -> HTTPServer:
    """Three days in daily files (header-less klines, like the archive before 2022) with 2024-01-31 missing."""
    files = fakes.archive_files("BTCUSDT", "1h", ["2024-01-30", "2024-02-01"], header=False)
    httpserver.expect_request(ANY_FILE).respond_with_handler(fakes.serve_files(files))
    return httpserver


def test_klines_and_metrics_merge_into_one_market(httpserver: HTTPServer, tmp_path: Path) -> None:
    files = fakes.archive_files("BTCUSDT", "1h", ["2024-01-30", "2024-01-31"], header=True)
    httpserver.expect_request(ANY_FILE).respond_with_handler(fakes.serve_files(files))
    progress: list[tuple[int, int]] = []
    m = fetch(httpserver, tmp_path, "2024-01-30", "2024-01-31", on_progress=lambda d, t: progress.append((d, t)))
    assert len(m) == 48 and m.interval == pd.Timedelta("1h")
    assert m.start == pd.Timestamp("2024-01-30", tz="UTC") and m.end == pd.Timestamp("2024-02-01", tz="UTC")
    assert "archive" in m.source and "BTCUSDT" in m.source and "1h" in m.source
    first = fakes.bar(int(m.start.value // 10**6), 3_600_000)
    assert m.bars["open"].iloc[0] == pytest.approx(first["o"], abs=0.01)
    assert m.bars["taker_buy_volume"].iloc[0] == pytest.approx(first["v"] * 0.6, abs=1e-3)
    assert m.has("open_interest") and np.isfinite(m.bars["open_interest"].iloc[1:]).all()
    assert progress == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_monthly_header_less_file_and_daily_file_join(httpserver: HTTPServer, tmp_path: Path) -> None:
    files = fakes.archive_files("BTCUSDT", "1h", ["2024-01-01"], months=("2023-12",), header=False)
    httpserver.expect_request(ANY_FILE).respond_with_handler(fakes.serve_files(files))
    m = fetch(httpserver, tmp_path, "2023-12-01", "2024-01-01")
    assert len(m) == 32 * 24 and m.bars.index.is_monotonic_increasing
    requested = [r.path for r, _ in httpserver.log]
    assert "/data/futures/um/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2023-12.zip" in requested
    assert any("metrics (open interest) file for 31 day(s)" in n for n in m.notes)  # only 2024-01-01 served


def test_a_month_not_yet_in_a_monthly_file_is_read_from_its_daily_files(httpserver: HTTPServer, tmp_path: Path) -> None:
    # The archive publishes a month's file some days after the month ends; until then only the daily files exist.
    days = [f"2023-12-{d:02d}" for d in range(1, 32)] + ["2024-01-01"]
    files = {p: data for p, data in fakes.archive_files("BTCUSDT", "4h", days).items() if "/klines/" in p}
    httpserver.expect_request(ANY_FILE).respond_with_handler(fakes.serve_files(files))
    m = fetch(httpserver, tmp_path, "2023-12-01", "2024-01-01", interval="4h")
    assert len(m) == 32 * 6 and m.bars.index.is_monotonic_increasing
    requested = [r.path for r, _ in httpserver.log]
    assert "/data/futures/um/monthly/klines/BTCUSDT/4h/BTCUSDT-4h-2023-12.zip" in requested
    assert "/data/futures/um/daily/klines/BTCUSDT/4h/BTCUSDT-4h-2023-12-15.zip" in requested
    assert not any("no kline file" in n for n in m.notes)


def test_missing_day_is_a_note_and_second_fetch_uses_no_network(days: HTTPServer, tmp_path: Path) -> None:
    m = fetch(days, tmp_path, "2024-01-30", "2024-02-01")
    assert len(m) == 48
    assert any("no kline file for 1 day(s): 2024-01-31" in n for n in m.notes)
    assert sum("gap(s) in the bars" in n for n in m.notes) == 1
    calls = len(days.log)
    again = fetch(days, tmp_path, "2024-01-30", "2024-02-01")
    assert len(days.log) == calls
    pd.testing.assert_frame_equal(again.bars, m.bars)


def test_corrupted_download_is_discarded_and_retried(httpserver: HTTPServer, tmp_path: Path) -> None:
    files = fakes.archive_files("BTCUSDT", "1h", ["2024-01-30"])
    path = "/data/futures/um/daily/klines/BTCUSDT/1h/BTCUSDT-1h-2024-01-30.zip"
    served = fakes.serve_files(files)
    hits: list[str] = []

    def flaky(request: Request) -> Response:
        hits.append(request.path)
        if request.path == path and hits.count(path) == 1:
            return Response(files[path][:-10] + b"corrupted!", content_type="application/zip")
        return served(request)

    httpserver.expect_request(ANY_FILE).respond_with_handler(flaky)
    m = fetch(httpserver, tmp_path, "2024-01-30", "2024-01-30")
    assert len(m) == 24 and hits.count(path) == 2


def test_network_down_is_a_plain_fetch_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="Could not reach Binance data archive") as err:
        fetch_market(
            "binance-archive", "BTCUSDT", "1h", base_url="http://127.0.0.1:9", start="2024-01-01", end="2024-01-02",
            cache_dir=tmp_path, settings=HttpSettings(connect_timeout=0.5),
        )  # fmt: skip
    assert err.value.status is None


KLINES = "/data/futures/um/daily/klines/BTCUSDT/1h/BTCUSDT-1h-{}.zip"
SIX_DAYS = [f"2024-01-{d}" for d in range(25, 31)]


def test_server_failing_part_way_gives_the_days_obtained_and_a_refetch_continues(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    files = fakes.archive_files("BTCUSDT", "1h", SIX_DAYS)
    served = fakes.serve_files(files)
    state = {"down": False}

    def failing(request: Request) -> Response:
        if "2024-01-28" in request.path:
            state["down"] = True  # from the fourth day on, the server is broken
        return Response(b"oops", status=500) if state["down"] else served(request)

    httpserver.expect_request(ANY_FILE).respond_with_handler(failing)
    progress: list[tuple[int, int]] = []
    m = fetch(httpserver, tmp_path, "2024-01-25", "2024-01-30", on_progress=lambda d, t: progress.append((d, t)))
    assert len(m) == 3 * 24 and m.end == pd.Timestamp("2024-01-28", tz="UTC")
    assert m.has("open_interest")  # each obtained day has its metrics too
    [note] = [n for n in m.notes if archive.is_incomplete_note(n)]
    assert "stopped after 6 of 12 files" in note and "server error (HTTP 500)" in note
    assert "covers 2024-01-25 to 2024-01-27 only; 2024-01-28 to 2024-01-30 were not downloaded" in note
    assert progress[-1] == (6, 12)
    # one attempt and one retry of the failing file, then no more files are tried
    assert [r.path for r, _ in httpserver.log].count(KLINES.format("2024-01-28")) == 2
    assert not any("2024-01-29" in r.path or "2024-01-30" in r.path for r, _ in httpserver.log)
    assert not (tmp_path / KLINES.format("2024-01-28").lstrip("/")).exists()

    httpserver.clear_log()
    state["down"] = False
    httpserver.clear_all_handlers()
    httpserver.expect_request(ANY_FILE).respond_with_handler(served)
    again = fetch(httpserver, tmp_path, "2024-01-25", "2024-01-30")
    assert len(again) == 6 * 24 and not any(archive.is_incomplete_note(n) for n in again.notes)
    requested = {r.path for r, _ in httpserver.log}
    assert not any(f"2024-01-{d}" in p for p in requested for d in (25, 26, 27))  # cached days are not fetched
    assert KLINES.format("2024-01-28") in requested


def test_a_day_failing_its_checksum_twice_is_left_out_and_named(httpserver: HTTPServer, tmp_path: Path) -> None:
    files = fakes.archive_files("BTCUSDT", "1h", SIX_DAYS[:3])
    bad = KLINES.format("2024-01-26")
    files[bad + ".CHECKSUM"] = b"0" * 64 + b"  BTCUSDT-1h-2024-01-26.zip\n"
    httpserver.expect_request(ANY_FILE).respond_with_handler(fakes.serve_files(files))
    m = fetch(httpserver, tmp_path, "2024-01-25", "2024-01-27")
    assert len(m) == 2 * 24
    assert not m.bars.index.normalize().isin([pd.Timestamp("2024-01-26", tz="UTC")]).any()
    [note] = [n for n in m.notes if archive.is_incomplete_note(n)]
    assert "failed verification twice (SHA-256 checksum" in note and "no bars for 2024-01-26" in note
    assert [r.path for r, _ in httpserver.log].count(bad) == 2
    assert KLINES.format("2024-01-27") in [r.path for r, _ in httpserver.log]  # the next days are still fetched
    assert not (tmp_path / bad.lstrip("/")).exists()


def test_network_error_on_the_first_file_is_a_fetch_error_not_a_partial(httpserver: HTTPServer, tmp_path: Path) -> None:
    answered = threading.Event()

    def slow(request: Request) -> Response:
        time.sleep(0.5)
        answered.set()
        return fakes.serve_files(fakes.archive_files("BTCUSDT", "1h", SIX_DAYS[:2]))(request)

    httpserver.expect_request(ANY_FILE).respond_with_handler(slow)
    with pytest.raises(FetchError, match="did not answer in time") as err:
        fetch(httpserver, tmp_path, "2024-01-25", "2024-01-26", settings=HttpSettings(read_timeout=0.1, retries=0))
    assert err.value.status is None and not list(tmp_path.rglob("*.zip"))
    # let the server finish the abandoned request, so it is not logged into the next test's server log
    assert answered.wait(5)
    for _ in range(100):
        if httpserver.log:
            break
        time.sleep(0.01)
    assert len(httpserver.log) == 1  # the first file only
