"""A stated bound on analysis size: too large a view gets a message naming the bound and what to do, not silence."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_market, run_page

import liqcore.budget
from liqcore.budget import MAX_ANALYSIS_BARS, too_large


def test_message_names_the_bound_the_size_and_the_way_out() -> None:
    market = make_market(np.linspace(100, 110, 50))
    assert too_large(market, "The volatility forecast", limit=50) is None
    message = too_large(market, "The volatility forecast", limit=49)
    assert message.startswith("The volatility forecast runs on at most 49 bars")
    assert "this view has 50 bars" in message and "shorter window in the sidebar" in message
    assert MAX_ANALYSIS_BARS >= 525_600  # a year of 1-minute bars, the benchmark's largest case, is always served


@pytest.mark.parametrize(
    ("page", "what"),
    [
        ("pages/volatility.py", "The volatility forecast"),
        ("pages/validation.py", "Validation scoring"),
        ("pages/walkthrough.py", "The trade walkthrough"),
    ],
)
def test_pages_decline_a_view_above_the_bound_with_the_message(
    page: str, what: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(liqcore.budget, "MAX_ANALYSIS_BARS", 100)  # the default simulator view has more bars
    at = run_page(page)
    assert not at.exception
    assert [w.value for w in at.warning if w.value.startswith(f"{what} runs on at most 100 bars")]
    assert not at.dataframe and not at.metric  # nothing was computed or shown


def test_large_views_score_every_preset_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(liqcore.budget, "PRESETS_ON_REQUEST_BARS", 100)
    at = run_page("pages/validation.py")
    assert not at.exception
    assert not [d for d in at.dataframe if d.value.index.name == "preset"]
    assert any("scored when you ask" in caption.value for caption in at.caption)
    assert any(s.value.startswith("Truth versus estimate") for s in at.subheader)  # the page goes on below
    at.toggle(key="val_presets").set_value(True).run()
    assert not at.exception
    longs, shorts = [d.value for d in at.dataframe if d.value.index.name == "preset"]
    assert list(longs.index) == list(shorts.index) == ["conservative", "balanced", "aggressive"]
