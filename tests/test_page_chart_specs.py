"""Every chart a page sends is valid Vega-Lite: the pages skip Altair's validation while building specs (it was a
sixth to a third of the build), so this checks what reached the browser, on each page and each heatmap section."""

from __future__ import annotations

import pytest
from conftest import invalid_charts, run_page

PAGES = ["heatmap", "sentiment", "volatility", "validation", "walkthrough", "replay"]


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_on_the_page_is_valid_vega_lite(page: str) -> None:
    at = run_page(f"pages/{page}.py")
    assert not at.exception, at.exception
    assert at.get("vega_lite_chart"), "the page drew no chart"
    assert invalid_charts(at) == []


def test_the_heatmap_sections_charts_are_valid_vega_lite() -> None:
    at = run_page("pages/heatmap.py")
    at.toggle(key="hm_by_tier").set_value(True).run()  # the profile split by leverage tier
    assert not at.exception, at.exception
    assert len(at.get("vega_lite_chart")) == 2 and invalid_charts(at) == []
    at.button_group(key="hm_section").set_value("scanner").run()
    assert not at.exception, at.exception
    assert len(at.get("vega_lite_chart")) >= 2 and invalid_charts(at) == []
