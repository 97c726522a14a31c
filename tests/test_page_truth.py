"""Truth versus estimate on the analysis pages: on simulated data each shows both maps side by side, over seeds."""

from __future__ import annotations

import pytest
from conftest import run_page

from liqcore.truth import TRUTH_SEEDS


@pytest.mark.parametrize(
    "page", ["pages/sentiment.py", "pages/volatility.py", "pages/validation.py", "pages/heatmap.py"]
)
def test_analysis_page_shows_truth_and_estimate_with_seeds_and_intervals(page: str) -> None:
    at = run_page(page, {"hm_section": "scanner"} if page == "pages/heatmap.py" else None)
    assert not at.exception
    assert "Truth versus estimate (simulator only)" in [s.value for s in at.subheader]
    frame = next(df.value for df in at.dataframe if df.value.index.name == "map")
    assert list(frame.index) == ["true book", "estimate"]
    assert (frame["seeds"] <= TRUTH_SEEDS).all() and {"low", "high"} <= set(frame.columns)
    assert any("seeds" in info.value and "true book gives" in info.value for info in at.info)
