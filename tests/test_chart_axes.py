"""USD axis labels, drawn by Vega itself (vl-convert), as the browser would."""

from __future__ import annotations

import re

import altair as alt
import numpy as np
import pandas as pd

from liqcore.charts.axes import usd_labels
from liqcore.charts.heatmap import profile_chart
from liqcore.profile import Profile


def _tick_labels(chart: alt.TopLevelMixin) -> list[str]:
    import vl_convert

    return re.findall(r">(\$[^<]*)<", vl_convert.vegalite_to_svg(chart.to_dict()))


def test_usd_ticks_read_as_a_trader_writes_them() -> None:
    values = [0, 450_000, 1_200_000, 1_200_000_000]
    frame = pd.DataFrame({"usd": [1.3e9], "y": [0]})
    axis = alt.Axis(labelExpr=usd_labels(), values=values)
    chart = alt.Chart(frame).mark_bar().encode(x=alt.X("usd:Q", axis=axis, scale=alt.Scale(domain=[0, 1.3e9])), y="y:O")
    assert _tick_labels(chart) == ["$0", "$450k", "$1.2M", "$1.2B"]


def test_a_mirrored_axis_labels_its_magnitudes() -> None:
    frame = pd.DataFrame({"usd": [-2e6, 2e6], "y": [0, 1]})
    axis = alt.Axis(labelExpr=usd_labels("abs(datum.value)"), values=[-2e6, 0, 2e6])
    chart = alt.Chart(frame).mark_point().encode(x=alt.X("usd:Q", axis=axis), y="y:O")
    assert _tick_labels(chart) == ["$2.0M", "$0", "$2.0M"]


def test_the_profile_starts_its_notional_axis_at_zero_dollars() -> None:
    edges = np.arange(90.0, 111.0)
    profile = Profile(
        pd.Timestamp("2026-01-01", tz="UTC"),
        100.0,
        edges,
        np.where(edges[:-1] < 100, 5e6, 0.0),
        np.where(edges[:-1] >= 100, 3e6, 0.0),
    )
    labels = _tick_labels(profile_chart(profile, "Estimated"))
    assert "$0" in labels and "$0.0" not in labels
