"""Absurd links: huge numbers, unknown names, script text, very long values and a thousand junk parameters give the
default view and a message naming what was not understood, never a traceback or a long computation."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def _run(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _default_view(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    analysis = at.session_state["analysis"]
    assert analysis.label.startswith("Simulator") and "squeeze" in analysis.label.lower()


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"seed": "9" * 5000}, "seed"),
        ({"seed": "-1"}, "seed"),
        ({"scenario": "<script>alert(1)</script>"}, "scenario"),
        ({"src": "x" * 10_000}, "src"),
        ({"preset": "![p](http://127.0.0.1:1/x.png)"}, "preset"),
    ],
)
def test_absurd_values_fall_back_to_the_default_and_are_named(query: dict[str, str], named: str) -> None:
    at = _run(query)
    _default_view(at)
    assert at.session_state["seed"] == 7 and at.session_state["scenario"] == "short_squeeze"
    toasts = " ".join(t.value for t in at.toast)
    assert named in toasts and "not understood" in toasts


def test_a_thousand_junk_parameters_are_dropped_from_the_url_in_one_go() -> None:
    at = _run({f"junk{i}": "x" for i in range(1000)})
    _default_view(at)
    assert not any(key.startswith("junk") for key in at.query_params)
    assert "and" in " ".join(t.value for t in at.toast)  # 'junk40, … and 955 more'


def test_unknown_names_are_ignored_quietly() -> None:
    at = _run({"nonsense": "1", "src": "sim"})
    _default_view(at)
    assert "nonsense" not in at.query_params
