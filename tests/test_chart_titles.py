"""Chart titles fit a 390 px phone: every title and subtitle line is within the character budget (see
liqcore/charts/titles.py for how the budget follows from the chart width and the title font), a date stays with its
time, and a page's charts are checked by `lines_too_long_for_a_phone` (used by the page tests)."""

from __future__ import annotations

import json

from liqcore.charts.titles import PHONE_TITLE_CHARS, chart_title, title_lines


def _lines(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, list) else []


def spec_title_lines(spec: dict | list) -> list[str]:
    """Every title and subtitle line of a Vega-Lite spec, at any depth (layers, concatenations, facets)."""
    found: list[str] = []
    if isinstance(spec, list):
        for part in spec:
            found += spec_title_lines(part)
        return found
    if not isinstance(spec, dict):
        return found
    title = spec.get("title")
    if isinstance(title, dict):
        found += _lines(title.get("text")) + _lines(title.get("subtitle"))
    else:
        found += _lines(title)
    for key in ("layer", "vconcat", "hconcat", "concat", "spec"):
        if key in spec:
            found += spec_title_lines(spec[key])
    return found


def lines_too_long_for_a_phone(charts) -> list[str]:
    """The chart-title lines (of AppTest's vega_lite_chart elements) longer than a phone shows whole."""
    lines = [line for chart in charts for line in spec_title_lines(json.loads(chart.proto.spec))]
    return [line for line in lines if len(line) > PHONE_TITLE_CHARS]


def test_a_long_title_wraps_into_lines_that_fit_and_keeps_every_word() -> None:
    text = "Implied vs realised liquidations per bar, longs, from the first snapshot on (estimate)"
    lines = title_lines(text)
    assert len(lines) > 1 and all(len(line) <= PHONE_TITLE_CHARS for line in lines)
    assert " ".join(lines) == text


def test_a_date_stays_with_its_time_when_a_title_wraps() -> None:
    for stamp in ("2026-03-15 23:55 UTC", "Mar 11 18:30 UTC"):
        lines = title_lines(f"The estimated book of leveraged positions at {stamp}, the decision")
        assert any(stamp in line for line in lines), lines
        assert all(len(line) <= PHONE_TITLE_CHARS for line in lines)


def test_the_headline_comes_first_and_the_detail_on_the_lines_beneath() -> None:
    title = chart_title("Estimated side profile", "at 2026-03-15 23:55 UTC · dashed: cumulative").to_dict()
    assert title["text"] == ["Estimated side profile", "at 2026-03-15 23:55 UTC", "dashed: cumulative"]
    assert chart_title("Profile").to_dict()["text"] == "Profile"  # one line stays a plain string


def test_the_check_finds_a_long_title_in_a_nested_view() -> None:
    long = "x" * (PHONE_TITLE_CHARS + 1)
    spec = {"vconcat": [{"title": "fine"}, {"layer": [{"title": {"text": ["ok", long]}}]}], "title": {"text": "t"}}
    assert spec_title_lines(spec) == ["t", "fine", "ok", long]
