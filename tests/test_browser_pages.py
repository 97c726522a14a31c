"""Every page in a real Chromium, light and dark at 1440 px and on a 390 px phone: drawn without an error, every
table fitting its box, a whole-page screenshot of each in artifacts/ for people to look at.

Apart from tests/test_browser.py (whose server, browser and helpers it uses) so the two files, each with its own
server, run on both of the suite's workers instead of one.
"""

from __future__ import annotations

import pytest

from tests.test_browser import (  # noqa: F401  (archive_server, server and browser are fixtures)
    PAGES,
    _no_exception,
    _open,
    _tables_wider_than_the_page,
    _wait_ready,
    _whole_page_screenshot,
    archive_server,
    browser,
    server,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_draws_without_error(server: str, browser: object, name: str, scheme: str) -> None:  # noqa: F811
    page = _open(browser, f"{server}/{PAGES[name]}", scheme)
    _wait_ready(page)
    _no_exception(page)
    assert _tables_wider_than_the_page(page) == []
    _whole_page_screenshot(page, f"{name}-{scheme}.png")
    page.context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_on_a_phone(server: str, browser: object, name: str) -> None:  # noqa: F811
    page = _open(browser, f"{server}/{PAGES[name]}", "dark", width=390, height=844)
    _wait_ready(page)
    _no_exception(page)
    on_top = page.evaluate(  # what a finger lands on at the middle of the page title: the page, not the sidebar
        """() => {
            const box = document.querySelector("[data-testid='stMain'] h1").getBoundingClientRect();
            const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
            return hit && hit.closest("[data-testid='stSidebar']") ? "sidebar" : "page";
        }"""
    )
    assert on_top == "page"
    assert _tables_wider_than_the_page(page) == []  # every table fits a 390 px phone without scrolling sideways
    _whole_page_screenshot(page, f"{name}-phone.png")
    page.context.close()
