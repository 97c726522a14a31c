"""Truth versus estimate on the analysis pages: on simulated data each shows both maps side by side, over seeds."""

from __future__ import annotations

import json

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
    table = next(df for df in at.dataframe if df.value.index.name == "over seeds")
    frame = table.value
    formats = [c.get("type_config", {}).get("format", "") for c in json.loads(table.proto.columns).values()]
    assert formats and all(f.replace("%%", "").count("%") == 1 for f in formats)  # one conversion, a unit's % doubled
    assert list(frame.columns) == ["true book", "estimate"]  # a column per map: two columns fit a phone
    assert list(frame.index[:3]) == ["mean", "95 % low", "95 % high"]
    assert len(frame.index) == 3 + TRUTH_SEEDS and frame.index[3].startswith("seed ")
    assert (frame.loc["95 % low"] <= frame.loc["mean"]).all() and (frame.loc["mean"] <= frame.loc["95 % high"]).all()
    assert any(c.value.startswith("Seeds with a value: ") and "on the estimate" in c.value for c in at.caption)
    assert any("seeds" in info.value and "true book gives" in info.value for info in at.info)
