"""Truth versus estimate on the analysis pages: on simulated data each shows both maps side by side, over seeds."""

from __future__ import annotations

import json

import pandas as pd
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


class _Counted:
    """`fn` counting its calls, under `fn`'s own cache key (module, name, code): a cache hit never reaches it."""

    def __init__(self, fn) -> None:
        self.fn, self.calls = fn, 0
        self.__module__, self.__qualname__, self.__code__ = fn.__module__, fn.__qualname__, fn.__code__

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.fn(*args, **kwargs)


def test_a_preset_change_maps_the_same_simulated_seeds_again_without_simulating_them(monkeypatch) -> None:
    import liqcore.truth
    from pages.components import truth

    simulate = _Counted(truth.simulate)
    for module in (truth, liqcore.truth):  # wherever the page's seeds could be simulated
        monkeypatch.setattr(module, "simulate", simulate)

    def shown(at) -> pd.DataFrame:
        assert not at.exception
        return next(df for df in at.dataframe if df.value.index.name == "over seeds").value

    before = shown(run_page("pages/sentiment.py"))
    simulate.calls = 0
    after = shown(run_page("pages/sentiment.py", {"preset": "aggressive"}))
    assert simulate.calls == 0  # the seeds' simulations do not depend on the model: only their maps are made again
    pd.testing.assert_series_equal(after["true book"], before["true book"])
    assert not after["estimate"].equals(before["estimate"])  # the estimate column follows the new model


def test_a_run_with_no_browser_behind_it_leaves_the_truth_seeds_mapped(monkeypatch) -> None:
    """The readiness probe's run (no request headers) maps the truth seeds, so a first truth block only compares."""
    from pages.components import truth

    asked = []
    monkeypatch.setattr(truth, "truth_pairs", asked.append)
    at = run_page("pages/heatmap.py")  # the default section below the map shows no truth block
    assert not at.exception
    assert asked == [at.session_state["analysis"]]
