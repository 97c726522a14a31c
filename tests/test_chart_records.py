"""The charts' data transformer gives exactly Altair's values, for the types it converts itself and the ones it hands
back to Altair, keeps Altair's row limit, and is what serialising a chart uses."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest
from altair.utils.data import MaxRowsError, to_values

import liqcore.charts  # noqa: F401 (installs the transformer)
from liqcore.charts.records import _records, chart_values

TIMES = pd.date_range("2025-01-01", periods=6, freq="37min", tz="UTC")


def _frames() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(3)
    floats = rng.normal(0, 1e4, 6)
    floats[[1, 4]] = [np.nan, np.inf]
    return {
        "every converted type": pd.DataFrame(
            {
                "time": TIMES.where(np.arange(6) != 2),  # one NaT
                "naive": TIMES.tz_localize(None),
                "usd": floats,
                "count": np.arange(6, dtype=np.int64) * 10**12,
                "small": np.arange(6, dtype=np.uint8),
                "up": [True, False, True, True, False, False],
                "side": ["long", "short", None, "long", np.nan, "short"],
                "label": pd.Series(["a", "b", None, "d", "e", "f"], dtype="str"),
            },
            index=pd.Index([5, 3, 1, 0, 2, 4]),  # records ignore the index
        ),
        "fractional seconds": pd.DataFrame({"t": TIMES + pd.Timedelta("1.5s")}),
        "another zone": pd.DataFrame({"t": TIMES.tz_convert("Europe/Paris")}),
        "float32": pd.DataFrame({"x": np.linspace(0, 1, 6, dtype=np.float32)}),
        "categorical": pd.DataFrame({"c": pd.Categorical(["x", "y", None, "x", "y", "x"])}),
        "nullable ints": pd.DataFrame({"n": pd.array([1, None, 3, 4, 5, 6], dtype="Int64")}),
        "numbers kept as objects": pd.DataFrame({"o": pd.Series([1, 2.5, None, "x", np.int64(4), True], dtype=object)}),
        "numbered columns": pd.DataFrame(np.ones((6, 2))),
    }


@pytest.mark.parametrize("name", list(_frames()))
def test_values_are_altairs_own(name: str) -> None:
    frame = _frames()[name]
    assert chart_values(frame, max_rows=None) == to_values(frame)


def test_the_common_types_are_converted_here_and_the_rest_by_altair() -> None:
    frames = _frames()
    assert _records(frames["every converted type"]) is not None
    for name in ("fractional seconds", "another zone", "float32", "categorical", "nullable ints"):
        assert _records(frames[name]) is None, name
    assert _records(frames["numbers kept as objects"]) is None
    assert _records(frames["numbered columns"]) is None


def test_times_read_as_isoformat_writes_them() -> None:
    frame = _frames()["every converted type"]
    rows = chart_values(frame, max_rows=None)["values"]
    assert rows[0]["time"] == "2025-01-01T00:00:00+00:00" and rows[1]["naive"] == "2025-01-01T00:37:00"
    assert rows[2]["time"] == "" and rows[1]["usd"] is None and rows[4]["usd"] is None and rows[4]["side"] is None
    assert type(rows[0]["count"]) is int and type(rows[0]["up"]) is bool and type(rows[0]["usd"]) is float


def test_the_row_limit_is_altairs() -> None:
    big = pd.DataFrame({"x": np.arange(5001.0)})
    chart = alt.Chart(big).mark_point().encode(x="x:Q")
    with pytest.raises(MaxRowsError):
        chart.to_dict()
    with alt.data_transformers.disable_max_rows():
        assert len(chart.to_dict()["datasets"].popitem()[1]) == 5001


def test_a_chart_serialises_the_same_with_altairs_default(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _frames()["every converted type"].drop(columns=["naive"])
    chart = alt.Chart(frame).mark_point().encode(x="time:T", y="usd:Q", color="side:N", tooltip=["label:N", "up:N"])
    ours = chart.to_dict()
    calls = []
    monkeypatch.setattr("liqcore.charts.records._records", lambda data: calls.append(data) or None)
    assert chart.to_dict() == ours and calls  # the installed transformer is the one serialising the chart
