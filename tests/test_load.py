"""Many users at once: 5 and 10 concurrent Chromium sessions on one server, each uploading its own data.

Bounded in count and time, 127.0.0.1 only. Checks no errors and that every session sees its own data; reports first
map latency (median, max) and the server's resident memory, and that repeated uploads in one session do not grow it
without bound. Heavy, so not in the default run:

    LIQCORE_LOAD=1 python -m pytest -m load tests/test_load.py -s

Each session may take LIQCORE_LOAD_SECONDS (default 600) to show its map; the run prints the latencies, the
server's resident memory and how many cores the server kept busy (about 1.0 means it was the bottleneck, held by
Python's GIL; far less means the machine was busy elsewhere). `-k repeat` runs only the repeated-upload check,
`-k 10` only the ten sessions.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import statistics
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import requests

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(
        os.environ.get("LIQCORE_LOAD") != "1", reason="load test: LIQCORE_LOAD=1 python -m pytest -m load"
    ),
]

from tests.test_browser import CHART, CHROMIUM, _streamlit_server, sync_api  # noqa: E402
from tests.test_cache_isolation import _csv  # noqa: E402


def _rss_mb(pid: int) -> float:
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total = int(line.split()[1]) / 1024
    return total


def _server_pid(port: str) -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "streamlit" in cmd and f"--server.port {port}" in cmd:
                return int(entry.name)
    raise RuntimeError("server process not found")


# The shared cache's byte budget for the repeated-upload run: small enough that 16 uploads (~10 MB of cache each:
# the upload, its map and its chart specs) overflow it several times, so the run shows where memory levels off.
REPEAT_CACHE_MB = 48
UPLOADS = 20
SESSION_SECONDS = float(os.environ.get("LIQCORE_LOAD_SECONDS", "600"))  # per session; bounded, generous on a busy box
TARGET = "If price reaches (USD)"  # the heatmap starts it 2 % above the last close of the data it shows


def _expected_target(data: bytes) -> float:
    """What the heatmap's 'If price reaches' box shows for this upload: its last close × 1.02, to 0.1 USD."""
    return round(float(pd.read_csv(io.BytesIO(data))["close"].iloc[-1]) * 1.02, 1)


ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"


def _upload_and_wait(page, name: str, data: bytes, timeout: float) -> float:
    """Upload `data` and wait until the page shows the map of THIS upload (its own target price), not merely some
    chart: on a loaded server the previous view stays on screen. Polls the page's own signals and stops early on an
    error box or an exception (named in the failure), so a broken session is not mistaken for a slow one. Returns
    the target shown; raises when it does not appear within `timeout` seconds."""
    page.wait_for_selector("[data-testid='stFileUploaderDropzoneInput']", state="attached", timeout=timeout * 1000)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )
    expected = _expected_target(data)
    box = page.get_by_role("spinbutton", name=TARGET)
    errors = page.locator(ERRORS)
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        if errors.count():
            raise AssertionError(f"{name}: the page shows an error: {errors.first.inner_text()[:300]!r}")
        if box.count():
            seen = box.first.input_value().replace(",", "")
            with contextlib.suppress(ValueError):
                if abs(float(seen) - expected) < 0.051:
                    page.wait_for_selector(CHART, state="visible", timeout=timeout * 1000)
                    return float(seen)
        page.wait_for_timeout(250)
    running = page.locator("[data-testid='stStatusWidget']").count() > 0
    raise AssertionError(
        f"{name}: the map of this upload (target {expected}) did not appear in {timeout:.0f} s; last seen {seen!r}, "
        f"server {'still running the script' if running else 'idle'}"
    )


def _warm(url: str) -> None:
    """What a deployment's readiness probe does (README "Deploy"): one run of the app in the server, so the sessions
    measure serving users, not the first run's imports (which the first sessions would otherwise wait on in turn)."""
    for _ in range(5):  # Streamlit gives that run 60 s; on a loaded machine a retry finishes it
        answer = requests.get(f"{url}/_stcore/script-health-check", timeout=300)
        if answer.ok or answer.text != "timeout":
            break
    assert answer.ok, answer.text


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    """CPU seconds of this process's finished children: the Playwright drivers and their Chromium processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _session(url: str, level: float, seed: int, results: list, errors: list) -> None:
    """One user: open the upload source, upload a file of their own price level, wait for the map of that file."""
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.set_default_timeout(SESSION_SECONDS * 1000)
            start = time.monotonic()
            page.goto(f"{url}/?src=upload")
            data = _csv(level, seed)
            shown = _upload_and_wait(page, "BTCUSDT-5m-2026-01.csv", data, SESSION_SECONDS)
            seconds = time.monotonic() - start
            if page.locator(ERRORS).count():
                errors.append(f"session {seed}: error on page beside its map")
            results.append((seed, level, seconds, shown, _expected_target(data)))
            browser.close()
    except Exception as exc:  # a failed session is a finding, reported with the others
        errors.append(f"session {seed}: {type(exc).__name__}: {exc}")


@pytest.mark.parametrize("users", [5, 10])
def test_concurrent_sessions_each_see_their_own_data(users: int) -> None:
    with _streamlit_server(f"streamlit-load-{users}.log") as url:
        pid = _server_pid(url.rsplit(":", 1)[1])
        _warm(url)
        idle = _rss_mb(pid)
        results: list = []
        errors: list[str] = []
        levels = [1000.0 * 1.5**i for i in range(users)]  # neighbours 50 % apart: each session is recognisable
        threads = [
            threading.Thread(target=_session, args=(url, level, i, results, errors)) for i, level in enumerate(levels)
        ]
        peak = idle
        cpu_before, started = _cpu_seconds(pid), time.monotonic()
        browsers_before = _children_cpu_seconds()
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            peak = max(peak, _rss_mb(pid))
            time.sleep(0.5)
        wall, cpu = time.monotonic() - started, _cpu_seconds(pid) - cpu_before
        browsers = _children_cpu_seconds() - browsers_before
        after = _rss_mb(pid)
        latencies = sorted(r[2] for r in results) or [float("nan")]
        print(
            f"\nload {users} users: first map median {statistics.median(latencies):.1f} s, max {latencies[-1]:.1f} s; "
            f"server RSS idle {idle:.0f} MB, peak {peak:.0f} MB, after {after:.0f} MB; server CPU {cpu:.0f} s in "
            f"{wall:.0f} s wall ({cpu / wall:.2f} cores busy), the test's browsers {browsers:.0f} s; "
            f"machine load {os.getloadavg()[0]:.1f}; "
            f"errors {len(errors)}: {errors}"
        )
        assert errors == []
        assert len(results) == users
        targets = {seed: expected for seed, _, _, _, expected in results}
        assert len(set(targets.values())) == users  # every session's data has its own target price
        for seed, _, _, shown, expected in results:
            assert shown == pytest.approx(expected, abs=0.051), (seed, shown, expected)


def test_repeated_uploads_in_one_session_do_not_grow_memory_without_bound() -> None:
    env = {"LIQCORE_CACHE_MB": os.environ.get("LIQCORE_CACHE_MB", str(REPEAT_CACHE_MB))}
    with _streamlit_server("streamlit-load-repeat.log", env) as url, sync_api.sync_playwright() as pw:
        pid = _server_pid(url.rsplit(":", 1)[1])
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{url}/?src=upload")
        rss = []
        for i in range(UPLOADS):
            remove = page.locator("[data-testid='stFileUploader'] button[aria-label^='Remove ']")
            while remove.count():  # the uploader takes several files and merges them: replace, don't add
                remove.first.click()
                page.wait_for_timeout(500)
            _upload_and_wait(page, f"upload-{i}.csv", _csv(100.0 + i, i), SESSION_SECONDS)
            page.wait_for_timeout(1000)  # let the run's temporaries go before reading memory
            rss.append(_rss_mb(pid))
        browser.close()
        print(
            f"\nrepeated uploads (shared cache {env['LIQCORE_CACHE_MB']} MB): server RSS after each of {UPLOADS} "
            f"uploads (MB): {[round(r) for r in rss]}"
        )
        # ~10 MB of cache per upload: unbounded, the last four would sit ~80 MB above uploads 9-12. Bounded, the
        # cache is full from about the 6th upload on and memory levels off.
        middle, late = statistics.median(rss[8:12]), statistics.median(rss[-4:])
        assert late - middle < 0.5 * float(env["LIQCORE_CACHE_MB"]), (middle, late)
