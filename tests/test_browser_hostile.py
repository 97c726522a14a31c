"""Hostile text through the real UI in Chromium: file names, column names and cell values carrying markdown, HTML,
links, images and math are shown as text, and no request leaves for any address but the app's own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from liqcore import simulate
from tests.test_browser import _open, _streamlit_server, browser  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser
# The one request the app itself makes elsewhere: Streamlit fetches the Material icon of `page_icon` as the favicon.
FAVICON = "https://fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded/"


def _watch(page, app: str) -> list[str]:
    """Every request the page makes to anywhere but the app (and the app's favicon)."""
    outside: list[str] = []

    def seen(request) -> None:
        if not request.url.startswith(app) and not request.url.startswith(FAVICON):
            outside.append(request.url)

    page.on("request", seen)
    return outside


@pytest.fixture(scope="module")
def bait() -> Iterator[HTTPServer]:
    """A local server the hostile text points at: any request reaching it means markup was rendered."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/x.png").respond_with_data(b"", content_type="image/png")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app() -> Iterator[str]:
    with _streamlit_server("streamlit-hostile.log") as url:
        yield url


def _hostile(bait: HTTPServer) -> dict[str, str]:
    base = f"http://127.0.0.1:{bait.port}"
    return {
        "image": f"![p]({base}/x.png)",
        "html": f'<img src="{base}/x.png"><b>bold</b>',
        "link": f"[click]({base}/x.png)",
        "math": "$x^2$",
        "colour": ":red[red]",
    }


def _bars_csv(extra_name: str) -> bytes:
    market = simulate("range", seed=5, bars=300, interval="1h").market
    frame = market.bars[["open", "high", "low", "close", "volume", "open_interest"]].rename_axis("timestamp")
    frame[extra_name] = "memo"
    return frame.to_csv().encode()


def _instruments_csv(values: list[str]) -> bytes:
    market = simulate("range", seed=5, bars=40, interval="1h").market
    frame = market.bars[["open", "high", "low", "close"]].rename_axis("timestamp").copy()
    frame["symbol"] = [values[i % len(values)] for i in range(len(frame))]
    return frame.to_csv().encode()


def _upload(page, name: str, content: bytes) -> None:
    page.wait_for_selector("[data-testid='stFileUploaderDropzoneInput']", state="attached")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )


def _rendered_markup(page, port: int) -> list[str]:
    """Elements that exist only when user text was rendered as markup."""
    found = []
    for selector in (
        f"img[src*='127.0.0.1:{port}']",
        f"a[href*='127.0.0.1:{port}']",
        "[data-testid='stSidebar'] b",
        "[data-testid='stMain'] b",
        ".katex",
        "[data-testid='stSidebar'] span[style*='color']",
    ):
        if page.locator(selector).count():
            found.append(selector + " " + page.locator(selector).first.evaluate("e => e.parentElement.outerHTML"))
    return found


def test_hostile_file_and_column_names_render_as_text(app: str, browser: object, bait: HTTPServer) -> None:  # noqa: F811
    hostile = _hostile(bait)
    name = f"{hostile['image']} {hostile['html']} {hostile['math']} {hostile['colour']}.csv"
    page = _open(browser, f"{app}/?src=upload")
    outside = _watch(page, app)
    _upload(page, name, _bars_csv(hostile["html"]))
    page.wait_for_selector("[data-testid='stSidebar'] [data-testid='stExpander']", state="attached")
    page.get_by_text("Data and model notes").click()
    notes = page.locator("[data-testid='stSidebar'] [data-testid='stExpander']").filter(has_text="Data and model notes")
    notes.locator("li").first.wait_for(timeout=120_000)  # the notes are rendered by the rerun the click starts
    page.wait_for_timeout(1500)  # give any rendered image time to be requested
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "<b>bold</b>" in sidebar and "$x^2$" in sidebar  # shown literally
    assert _rendered_markup(page, bait.port) == []
    assert outside == [] and bait.log == []
    page.context.close()


def test_hostile_cell_values_in_an_error_render_as_text(app: str, browser: object, bait: HTTPServer) -> None:  # noqa: F811
    hostile = _hostile(bait)
    page = _open(browser, f"{app}/?src=upload")
    outside = _watch(page, app)
    _upload(page, "instruments.csv", _instruments_csv([hostile["html"], hostile["link"], hostile["image"]]))
    page.wait_for_selector("[data-testid='stAlertContentError']")
    page.wait_for_timeout(1500)
    error = page.locator("[data-testid='stAlertContentError']").first.inner_text()
    assert "instruments" in error and "<b>bold</b>" in error and "[click]" in error
    assert _rendered_markup(page, bait.port) == []
    assert outside == [] and bait.log == []
    page.context.close()


def test_hostile_column_names_and_cells_in_the_mapping_preview_table_render_as_text(
    app: str,
    browser: object,  # noqa: F811
    bait: HTTPServer,
) -> None:
    """A file the loader cannot place opens the column-mapping form, whose preview table (st.dataframe) and column
    pickers show the file's own column names and cells: hostile ones stay text there too."""
    hostile = _hostile(bait)
    header = ";".join(["when", hostile["html"], hostile["image"], hostile["link"], hostile["math"], "memo"])
    rows = [f"2026-01-01 0{h}:00;1;2;0.5;1;1;{hostile['html']} {hostile['colour']}" for h in range(3)]
    page = _open(browser, f"{app}/?src=upload")
    outside = _watch(page, app)
    _upload(page, "odd.csv", ("\n".join([header, *rows]) + "\n").encode())
    page.wait_for_selector("[data-testid='stForm'] [data-testid='stDataFrame']", state="visible")
    page.wait_for_timeout(1500)  # give any rendered image time to be requested
    form = page.locator("[data-testid='stForm']")
    picker = form.locator("[data-testid='stSelectbox']").first
    picker.click()
    options = page.locator("[role='option']").all_inner_texts()
    page.keyboard.press("Escape")
    assert hostile["html"] in options and hostile["image"] in options  # the column names, literally
    assert _rendered_markup(page, bait.port) == []
    assert form.locator("img, a[href], b, .katex").count() == 0
    assert outside == [] and bait.log == []
    page.context.close()
