"""End-to-end: the real app in a real Chromium.

One fixture starts `streamlit run` headless on a free 127.0.0.1 port and waits on `/_stcore/health`; each test drives
Debian's Chromium through Playwright. Screenshots and timings land in `artifacts/` for people to look at.
Runs whenever /usr/bin/chromium exists, and must run (not skip) when CI=true.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest
import requests
from pytest_httpserver import HTTPServer

from liqcore import simulate
from liqcore.config import ModelConfig
from pages.components import page_list
from tests import exchange_fakes as fakes
from tests import walkthrough_path
from tests.test_loaders import tradingview
from tests.timing_table import SWITCHED_PAGES

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
PAGES = {page.name: "" if i == 0 else page.name for i, page in enumerate(page_list.ANALYSIS_PAGES)}  # name: URL path
_BALANCED = ModelConfig.preset("balanced")
LEV_TIER = f"{_BALANCED.leverage_tiers[0]:g}"
LEV_LABEL = f"{LEV_TIER}x leverage"
LEV_SHARE = round(100 * _BALANCED.long_weights[0] / sum(_BALANCED.long_weights))
CHART = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but /usr/bin/chromium is missing: .ci/run should have installed it")
    pytest.skip("Debian chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _streamlit_server(
    log_name: str, env: dict[str, str] | None = None, warm: bool = False, script: str = "streamlit_app.py"
) -> Iterator[str]:
    """`streamlit run` headless on a free 127.0.0.1 port, healthy before it is handed out.

    `script`: the app to serve (a path from the project root).
    `warm`: also pass the readiness probe a deployment would use (`/_stcore/script-health-check`, which runs the app
    once in the server and so leaves the default market, its analysis and the first page's charts in the cache);
    the seconds to healthy and to ready are recorded.
    """
    port = _free_port()
    started = time.monotonic()
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / log_name).open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",  # a file edited during the run must not leave a "source changed" prompt up
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/_stcore/health", timeout=1).ok:
                break
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early, see {ARTIFACTS / log_name}")
        time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not become healthy within 60 s")
    if warm:
        _record("server_healthy_seconds", time.monotonic() - started)
        probe = time.monotonic()
        probes = 0
        while True:  # Streamlit gives one run 60 s; on a loaded machine a retry finishes the warm-up
            probes += 1
            ready = requests.get(f"{url}/_stcore/script-health-check", timeout=300)
            if ready.ok or ready.text != "timeout" or probes == 5:
                break
        _record("server_warm_up_seconds", time.monotonic() - probe)
        _record("server_warm_up_probes", probes)
        if not ready.ok:
            proc.kill()
            raise RuntimeError(f"the app failed the readiness probe ({ready.text}), see {ARTIFACTS / log_name}")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _archive_days() -> list[str]:
    """The seven days the archive source offers by default: the week up to yesterday (UTC)."""
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    return [str(yesterday - dt.timedelta(days=back)) for back in range(6, -1, -1)]


@pytest.fixture(scope="module")
def archive_server() -> Iterator[str]:
    """A local stand-in for data.binance.vision serving a week of BTCUSDT 5m klines and metrics."""
    archive = HTTPServer(host="127.0.0.1", port=0)
    archive.expect_request(re.compile(r"^/data/.*")).respond_with_handler(
        fakes.serve_files(fakes.archive_files("BTCUSDT", "5m", _archive_days()))
    )
    archive.start()
    yield archive.url_for("").rstrip("/")
    archive.stop()


@pytest.fixture(scope="module")
def server(archive_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"LIQCORE_ARCHIVE_URL": archive_server, "LIQCORE_CACHE_DIR": str(tmp_path_factory.mktemp("archive"))}
    with _streamlit_server("streamlit.log", env, warm=True) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


class _Meter:
    """Bytes the server sends the browser over the websocket (Streamlit's deltas), counted per frame."""

    def __init__(self) -> None:
        self.received = 0

    def attach(self, socket) -> None:
        socket.on("framereceived", self._count)

    def _count(self, payload: str | bytes) -> None:
        self.received += len(payload.encode() if isinstance(payload, str) else payload)


def _open(browser: object, url: str, scheme: str = "light", width: int = 1440, height: int = 1000):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(120_000)  # a loaded 2-core machine can take tens of seconds; timings are recorded
    page.meter = _Meter()
    page.on("websocket", page.meter.attach)
    page.goto(url)
    return page


def _wait_ready(page) -> None:
    """The app has finished its run: a chart is drawn and no 'running' indicator remains."""
    page.wait_for_selector(CHART, state="visible")
    _idle(page)


def _whole_page_screenshot(page, name: str) -> None:
    """`artifacts/name` showing the whole page: Streamlit scrolls inside its main block, so `full_page` alone stops at
    the viewport; the viewport is stretched to the content first (same width, so the same layout)."""
    height = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    page.set_viewport_size({"width": page.viewport_size["width"], "height": min(height, 20_000)})
    page.wait_for_timeout(500)  # the resize repaints the charts; a screenshot, not a measurement
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


_WIDER_THAN_THEIR_BOX = """() => {
    const boxes = [...document.querySelectorAll("[data-testid='stDataFrame'], [data-testid='stTable']")];
    // A dataframe's grid is drawn after its box appears (its code loads on demand): not ready until all are drawn.
    if (!boxes.every(box => box.querySelector(".dvn-scroller, table") !== null)) return null;
    return boxes
        .filter(box => {
            const grid = box.querySelector(".dvn-scroller");  // st.dataframe: a canvas grid in a scrolling div
            if (grid) return grid.scrollWidth > grid.clientWidth + 2;
            const table = box.querySelector("table");  // st.table: an HTML table
            return table.getBoundingClientRect().width > box.getBoundingClientRect().width + 2;
        })
        .map(box => [...box.querySelectorAll("th")].slice(0, 3).map(th => th.innerText).join(" | "));
}"""


def _tables_wider_than_the_page(page) -> list[str]:
    """The first headers of every table that scrolls sideways (its content wider than its box). Waiting and measuring
    are one step in the page, so a rerun that swaps a table between them cannot leave a box without its grid."""
    return page.wait_for_function(_WIDER_THAN_THEIR_BOX, timeout=60_000).json_value()


def _no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.locator(
        "[data-testid='stException']"
    ).first.inner_text()


TIMINGS = ARTIFACTS / "browser_timings.json"


@pytest.fixture(scope="module", autouse=True)
def _fresh_timings() -> None:
    """Each run rewrites the timing artifact; every figure is written as soon as it is measured (so a failure keeps
    the ones before it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    started = {
        "recorded_at_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(),
    }
    TIMINGS.write_text(json.dumps(started, indent=2))


def _record(name: str, value: float) -> None:
    timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    timings[name] = round(value, 3)
    TIMINGS.write_text(json.dumps(timings, indent=2))


@contextmanager
def _timed(page, name: str) -> Iterator[None]:
    """Record seconds and websocket kilobytes from the action inside the block to the signal awaited in it."""
    before, start = page.meter.received, time.monotonic()
    yield
    _record(f"{name}_seconds", time.monotonic() - start)
    _record(f"{name}_kb_sent", (page.meter.received - before) / 1000)


def _first_paint(browser: object, url: str, name: str, scheme: str = "light"):
    """Open `url` in a new context and record `name`'s seconds and websocket KB until the page is ready."""
    start = time.monotonic()
    page = _open(browser, url, scheme)
    _wait_ready(page)
    _record(f"{name}_seconds", time.monotonic() - start)
    _record(f"{name}_kb_sent", page.meter.received / 1000)
    return page


def test_first_page_is_a_heatmap_within_seconds(server: str, browser: object) -> None:
    page = _first_paint(browser, server, "first_paint_fresh_server")
    _no_exception(page)
    _whole_page_screenshot(page, "heatmap-light.png")
    page.context.close()
    _first_paint(browser, server, "warm_new_session", "dark").context.close()


def _segment(page, label: str):
    return page.locator("[data-testid='stButtonGroup'] button").filter(has_text=label)


def _ready_after(page, signal: Callable[[], None]) -> None:
    """Wait for the page's own signal of the change, then for the run to finish."""
    signal()
    _idle(page)


def _open_list(page, box, option: str):
    """Open the selectbox `box` and return its `option`, clicking again (as a person would, up to five times) when
    the list does not open: on a quiet machine a click on the map's scale box at the bottom of a 1000 px viewport
    sometimes opened nothing (the box sat 10 px higher in those runs; the cause is not pinned down)."""
    item = page.get_by_role("option", name=option)
    for _ in range(4):
        box.click()
        try:
            item.wait_for(state="visible", timeout=10_000)
            return item
        except sync_api.TimeoutError:
            continue
    box.click()
    return item


_NOT_RUNNING = """() => document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']") !== null
    && document.querySelector("[data-testid='stStatusWidget']") === null"""


def _idle(page) -> None:
    """No run in progress. Only meaningful once the change's own signal was seen: the share link's URL changes before
    the run it starts, and a click during a run (a dropdown opened, say) can be undone when the run redraws it.

    Checked on every animation frame: Playwright's selector waits poll at growing intervals (20, 50, 100, 100, then
    every 500 ms), which added up to half a second to a timed step that finished just after a poll.
    """
    page.wait_for_function(_NOT_RUNNING, polling="raf")


MAP = "[data-testid='stVegaLiteChart'] .marks"  # the map is the page's first chart


# A fingerprint of what a canvas shows: a checksum over every 16th pixel. Encoding the whole canvas as a PNG
# (toDataURL) on every animation frame took the browser ~50 ms of a 0.4 s control change, and the timed step paid it.
_DRAWING = """c => {
    if (!c.getContext) return c.outerHTML;
    const pixels = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    for (let i = 0; i < pixels.length; i += 64) {
        sum = (Math.imul(sum, 31) + pixels[i] + 7 * pixels[i + 1] + 13 * pixels[i + 2] + 17 * pixels[i + 3]) | 0;
    }
    return c.width + "x" + c.height + ":" + sum;
}"""


def _map_drawing(page) -> str:
    """A fingerprint of what the map's canvas shows now."""
    return page.locator(MAP).first.evaluate(_DRAWING)


def _map_redrawn(page, before: str) -> None:
    """Wait until the map shows something else than `before` (checked on every animation frame)."""
    page.wait_for_function(
        f"([sel, before]) => {{ const c = document.querySelector(sel); return c && ({_DRAWING})(c) !== before }}",
        arg=[MAP, before],
        polling="raf",
    )


def _metric_delta_changed(page, label: str, before: str) -> None:
    """Wait until the delta of the metric whose text holds `label` reads other than `before` (checked every frame;
    `expect` polls at growing intervals, like the selector waits, see `_idle`)."""
    page.wait_for_function(
        """([label, before]) => {
            const metrics = [...document.querySelectorAll("[data-testid='stMetric']")];
            const metric = metrics.find(m => m.innerText.includes(label));
            const delta = metric && metric.querySelector("[data-testid='stMetricDelta']");
            return delta !== null && delta !== undefined && delta.innerText !== before;
        }""",
        arg=[label, before],
        polling="raf",
    )


def test_heatmap_controls_and_page_switches_are_timed(server: str, browser: object) -> None:
    page = _open(browser, server)
    _wait_ready(page)
    legends = page.locator(".heat-legends")
    # every view of one analysis has one spec: the map's canvas must be updated in place, never embedded again
    page.locator(MAP).first.evaluate("c => { c.dataset.liqMark = 'first' }")
    before = _map_drawing(page)
    with _timed(page, "map_side_control"):
        _segment(page, "Shorts (above)").click()
        _ready_after(page, lambda: page.wait_for_url(re.compile(r".*hm_side=short.*")))
        _map_redrawn(page, before)
        _idle(page)
    sync_api.expect(legends).to_contain_text("Shorts: share of densest (log)")
    sync_api.expect(legends).not_to_contain_text("Longs")
    before = _map_drawing(page)
    linear = _open_list(page, page.locator("[data-testid='stSelectbox']").filter(has_text="Colour scale"), "linear")
    with _timed(page, "map_scale_control"):  # from choosing the option to the map drawn anew
        linear.click()
        _ready_after(page, lambda: page.wait_for_url(re.compile(r".*hm_scale=linear.*")))
        _map_redrawn(page, before)
        _idle(page)
    sync_api.expect(legends).to_have_text(re.compile(r"^Shorts: share of densest0%25%50%75%100%$"))
    before = _map_drawing(page)
    with _timed(page, "map_contrast_control"):
        page.locator("[data-testid='stSlider']").filter(has_text="Hide cells fainter than").get_by_role("slider").press(
            "ArrowRight"
        )
        _ready_after(page, lambda: page.wait_for_url(re.compile(r".*hm_threshold=0\.05.*")))
        _map_redrawn(page, before)
        _idle(page)
    assert page.locator(MAP).first.get_attribute("data-liq-mark") == "first", "the map was embedded again"
    metric = page.locator("[data-testid='stMetric']").filter(has_text="liquidated on the way")
    delta = metric.locator("[data-testid='stMetricDelta']")
    shown = delta.inner_text()
    box = page.get_by_role("spinbutton", name="If price reaches (USD)")
    target = float(box.input_value()) * 0.99
    with _timed(page, "if_price_reaches"):
        box.fill(f"{target:.1f}")
        box.press("Enter")
        _ready_after(page, lambda: _metric_delta_changed(page, "liquidated on the way", shown))
    with _timed(page, "preset_change"):
        preset = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="Model preset")
        _open_list(page, preset, "Aggressive").click()
        _ready_after(page, lambda: page.wait_for_url(re.compile(r".*preset=aggressive.*")))
        _wait_ready(page)
    heatmap, *others = PAGES.items()  # the heatmap is shown already: switch to it last, from another page
    # first visits after the preset change (each page computes its analysis of the new map), then return visits
    for prefix, (name, path) in itertools.product(("", "again_"), [*others, heatmap]):
        title = dict(SWITCHED_PAGES)[name]
        with _timed(page, f"page_switch_{prefix}{name}"):
            page.locator("[data-testid='stSidebarNav'] a").filter(has_text=title).first.click()
            _ready_after(page, lambda path=path: page.wait_for_url(re.compile(rf".*/{path}(\?.*)?$")))
            _wait_ready(page)
        _no_exception(page)
    page.context.close()


def test_a_shared_link_reproduces_a_customised_view_in_a_fresh_browser(server: str, browser: object) -> None:
    page = _open(browser, server)
    _wait_ready(page)
    legends = page.locator(".heat-legends")
    _segment(page, "Longs (below)").click()
    page.wait_for_url(re.compile(r".*hm_side=long.*"))
    sync_api.expect(legends).not_to_contain_text("Shorts")  # the run the click started has drawn the new view
    _idle(page)
    _open_list(page, page.locator("[data-testid='stSelectbox']").filter(has_text="Colour scale"), "percentile").click()
    page.wait_for_url(re.compile(r".*hm_scale=percentile.*"))
    sync_api.expect(legends).to_contain_text("percentile rank")
    _idle(page)
    page.locator("[data-testid='stSidebar'] [data-testid='stExpander']").filter(has_text="Assumptions").click()
    page.locator(f"[data-testid='stSidebar'] input[aria-label='{LEV_LABEL}']").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_url(re.compile(rf".*cfg_lev_{LEV_TIER}={LEV_SHARE + 1}.*"))
    _wait_ready(page)
    link = page.url
    caption = page.locator("[data-testid='stCaptionContainer']").filter(has_text="Full resolution").inner_text()
    page.context.close()

    fresh = _open(browser, link, "dark")
    _wait_ready(fresh)
    assert parse_qs(urlsplit(fresh.url).query) == parse_qs(urlsplit(link).query)
    assert _segment(fresh, "Longs (below)").get_attribute("aria-checked") == "true"
    scale = fresh.locator("[data-testid='stSelectbox']").filter(has_text="Colour scale").locator("input")
    assert scale.input_value() == "percentile"
    lever = fresh.locator(f"[data-testid='stSidebar'] input[aria-label='{LEV_LABEL}']")  # a link with edits opens them
    assert lever.input_value() == str(LEV_SHARE + 1)
    same = fresh.locator("[data-testid='stCaptionContainer']").filter(has_text="Full resolution")
    assert same.inner_text() == caption
    _no_exception(fresh)
    fresh.context.close()


def _minute_bars_csv(path: Path, rows: int) -> None:
    """A generic 1-minute OHLCV + open-interest file of `rows` rows (a random walk; only its size matters here)."""
    rng = np.random.default_rng(5)
    close = 60_000 * np.exp(np.cumsum(rng.normal(0, 4e-4, rows)))
    open_ = np.concatenate(([close[0]], close[:-1]))
    spread = np.abs(rng.normal(0, 3e-4, rows)) * close
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range("2025-01-01", periods=rows, freq="1min", tz="UTC").strftime("%Y-%m-%d %H:%M"),
            "open": open_.round(1),
            "high": (np.maximum(open_, close) + spread).round(1),
            "low": (np.minimum(open_, close) - spread).round(1),
            "close": close.round(1),
            "volume": rng.gamma(2.0, 5.0, rows).round(3),
            "open_interest": (80_000 + np.cumsum(rng.normal(0, 20, rows))).round(1),
        }
    )
    frame.to_csv(path, index=False)


def test_a_100k_row_upload_becomes_a_map(server: str, browser: object, tmp_path: Path) -> None:
    path = tmp_path / "btc-1m-100k.csv"
    _minute_bars_csv(path, 100_000)
    page = _open(browser, f"{server}/?src=upload")
    page.wait_for_selector("[data-testid='stFileUploaderDropzoneInput']", state="attached")
    with _timed(page, "upload_100k_rows_to_map"):
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
        page.wait_for_function(
            "() => document.querySelector(\"[data-testid='stSidebar']\")?.innerText.includes('100,000 bars')",
            timeout=300_000,
        )
        _wait_ready(page)
    _no_exception(page)
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    page.context.close()


def test_deep_link_restores_the_view(server: str, browser: object) -> None:
    page = _open(browser, f"{server}/?src=sim&scenario=long_cascade&seed=3&window=3d&preset=aggressive")
    _wait_ready(page)
    chosen = {
        box.get_attribute("aria-label"): box.input_value()
        for box in page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input").all()
    }
    assert chosen == {"Scenario": "Long cascade", "Window shown": "3d", "Model preset": "Aggressive"}
    assert page.locator("[data-testid='stSidebar'] input[type='number']").first.input_value() == "3"
    _no_exception(page)
    page.context.close()


def test_switching_the_window_redraws_quickly(server: str, browser: object) -> None:
    page = _open(browser, server)
    _wait_ready(page)
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="Window shown").click()
    start = time.monotonic()
    page.get_by_role("option", name="3d").click()
    page.wait_for_url("**window=3d**")
    _wait_ready(page)
    _record("window_switch_seconds", time.monotonic() - start)
    assert "window=3d" in page.url
    _no_exception(page)
    page.context.close()


def test_a_page_link_works_as_the_first_request_on_a_fresh_server(browser: object) -> None:
    """Streamlit serves the first request through its legacy pages/ discovery; the page must still get its data."""
    with _streamlit_server("streamlit-fresh.log") as url:
        start = time.monotonic()
        page = _open(browser, f"{url}/volatility?src=sim&scenario=fakeout&seed=4&window=3d")
        _wait_ready(page)
        _record("first_paint_cold_server_deep_link_seconds", time.monotonic() - start)
        _no_exception(page)
        assert page.get_by_role("heading", name="Volatility: how fast could it move?").is_visible()
        assert "/volatility?" in page.url and "scenario=fakeout" in page.url and "seed=4" in page.url
        assert page.locator("[data-testid='stSidebar'] input[type='number']").first.input_value() == "4"
        page.context.close()


def test_streamlit_floor_is_recorded_for_scale(browser: object) -> None:
    """The first paint of a minimal Streamlit page (tests/floor_app.py), timed like the app's: the framework's share."""
    with _streamlit_server("streamlit-floor.log", script="tests/floor_app.py") as url:
        page = _first_paint(browser, url, "floor_first_paint")
        assert page.get_by_text("Line 39 of plain markdown").is_visible()
        page.context.close()
        _first_paint(browser, url, "floor_warm_new_session", "dark").context.close()


def _sidebar_text(page) -> str:
    return page.locator("[data-testid='stSidebar']").inner_text()


def _upload_files(tmp_path: Path, kind: str) -> list[Path]:
    """Files a user brings: a Binance archive klines + metrics pair, a TradingView export, a generic OHLCV + OI CSV."""
    if kind == "binance-archive-pair":
        days = ["2024-01-29", "2024-01-30"]
        files = fakes.archive_files("BTCUSDT", "5m", days)
        paths = []
        for url_path, data in files.items():
            if url_path.endswith(".zip"):
                paths.append(tmp_path / url_path.rsplit("/", 1)[-1])
                paths[-1].write_bytes(data)
        return paths
    market = simulate("range", seed=3, bars=600, interval="1h").market
    path = tmp_path / ("tradingview-export.csv" if kind == "tradingview" else "my-ohlcv.csv")
    if kind == "tradingview":
        path.write_text(tradingview(market))
    else:
        columns = ["open", "high", "low", "close", "volume", "open_interest"]
        market.bars[columns].rename_axis("timestamp").to_csv(path)
    return [path]


@pytest.mark.parametrize("kind", ["binance-archive-pair", "tradingview", "generic-ohlcv"])
def test_uploaded_files_become_a_heatmap(server: str, browser: object, tmp_path: Path, kind: str) -> None:
    page = _open(browser, f"{server}/?src=upload")
    page.wait_for_selector("[data-testid='stFileUploaderDropzoneInput']", state="attached")
    paths = _upload_files(tmp_path, kind)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([str(p) for p in paths])
    _wait_ready(page)
    _no_exception(page)
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert "driven by" in page.locator("[data-testid='stMain']").inner_text()
    sidebar = _sidebar_text(page)
    assert paths[0].name in sidebar
    if kind == "binance-archive-pair":  # two daily klines files and their metrics: one two-day series
        assert "Loaded 576 bars of 5m" in sidebar
    page.screenshot(path=str(ARTIFACTS / f"upload-{kind}.png"), full_page=True)
    page.context.close()


def test_archive_source_builds_a_heatmap_from_the_local_archive(server: str, browser: object) -> None:
    page = _open(browser, f"{server}/?src=archive")
    page.get_by_role("button", name="Fetch").click()
    _wait_ready(page)
    _no_exception(page)
    sidebar = _sidebar_text(page)
    assert "Binance data archive BTCUSDT 5m" in sidebar and "open interest" in sidebar
    page.screenshot(path=str(ARTIFACTS / "archive-heatmap.png"), full_page=True)
    page.context.close()


REPLAY_TIMING = ARTIFACTS / "replay_timing.json"


def _player_frame(page):
    """The replay player's iframe (it sets `window.replayStats`) once its maps have loaded."""
    page.frame_locator("iframe").first.locator("#play").wait_for()
    frame = next(f for f in page.frames if f != page.main_frame and f.evaluate("typeof window.replayStats") == "object")
    frame.wait_for_function("window.replayStats.ready === true")
    return frame


def test_replay_plays_a_whole_scenario_and_records_its_frame_rate(server: str, browser: object) -> None:
    """Open /replay (it opens on its latest snapshot), play from the first snapshot to the last at 20 snapshots/s in
    the browser player and record every frame interval (median and worst are written, not asserted: 2 shared cores).
    The axes are fixed to the whole window, so playing must not change the map's size."""
    page = _open(browser, f"{server}/replay")
    _wait_ready(page)
    frame = _player_frame(page)
    count = frame.evaluate("window.replayStats.count")  # it opens on the latest snapshot, not an empty map
    assert frame.locator("#status").inner_text().startswith(f"Snapshot {count} of {count} (the latest)")
    height_before = frame.evaluate("document.getElementById('maps').height")
    frame.locator("#speed").select_option("20")
    began = time.monotonic()
    frame.locator("#play").click()
    frame.wait_for_function("window.replayStats.finished === true", timeout=120_000)
    elapsed = time.monotonic() - began
    stats = frame.evaluate("window.replayStats")
    page.screenshot(path=str(ARTIFACTS / "replay-played.png"), full_page=True)
    _no_exception(page)
    frames = stats["frames"]
    shown = [k for _, k, _ in frames]
    assert shown[-1] == stats["count"] - 1, "the replay did not reach the last snapshot"
    assert shown == sorted(shown) and len(set(shown)) == len(shown), "frames went backwards or repeated"
    assert frame.evaluate("document.getElementById('maps').height") == height_before
    assert "Snapshot " + str(stats["count"]) + " of" in frame.locator("#status").inner_text()
    intervals = np.diff([t for t, _, _ in frames])
    draw_ms = np.array([d for _, _, d in frames])
    REPLAY_TIMING.write_text(
        json.dumps(
            {
                "recorded_at_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "snapshots": stats["count"],
                "speed_requested_snapshots_per_second": 20,
                "played_seconds": round(elapsed, 2),
                "frames_drawn": len(frames),
                "frames_per_second": round(len(frames) / ((frames[-1][0] - frames[0][0]) / 1000), 2),
                "frame_interval_ms_median": round(float(np.median(intervals)), 1),
                "frame_interval_ms_p95": round(float(np.percentile(intervals, 95)), 1),
                "frame_interval_ms_worst": round(float(intervals.max()), 1),
                "snapshots_skipped": int(stats["count"] - shown[0] - len(shown)),
                "draw_ms_median": round(float(np.median(draw_ms)), 2),
                "draw_ms_worst": round(float(draw_ms.max()), 2),
                "note": "one full play on a 2-core machine shared with other work; noisy",
            },
            indent=2,
        )
    )
    page.context.close()


def test_a_new_learner_walks_a_scenario_from_the_first_page_to_the_score_card(server: str, browser: object) -> None:
    """First page -> lesson and "show me" -> walkthrough "show me" -> all seven steps (answering the fakeout quiz and
    choosing to wait) -> score card -> another moment -> "try this on real data"; screenshots in artifacts/walk/."""
    page = _open(browser, server, height=2600)  # tall, so each screenshot holds the whole step
    seen = walkthrough_path.walk(page, server, "short_squeeze", ARTIFACTS / "walk", "short_squeeze-light")
    assert [s.split(" · ")[0] for s in seen["steps"]] == [str(n) for n in range(1, 8)]
    card = seen["score_card"]
    assert "Enter or wait" in card and "Wait (no trade)" in card and "Your plan" in card
    assert seen["another_moment"], "'Try another moment' kept the same decision time"
    assert "Binance archive" in seen["sidebar_after_real_data"] and "Fetch" in seen["sidebar_after_real_data"]
    page.context.close()
