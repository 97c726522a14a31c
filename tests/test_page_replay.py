"""The replay page: the browser player gets the whole tape; stepping moves the inspected snapshot, nothing after
it is drawn, and the true book plays beside the estimate only when the data is simulated."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_market, run_page
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from liqcore import analyse

ROOT = Path(__file__).resolve().parents[1]


def _shown(at: AppTest) -> pd.Timestamp:
    """The snapshot time the page says it shows."""
    caption = next(c.value for c in at.caption if c.value.startswith("Snapshot "))
    return pd.Timestamp(caption.split("**")[1].removesuffix(" UTC"), tz="UTC")


def _maps(at: AppTest) -> list:
    return list(at.get("vega_lite_chart"))


def _latest_drawn(chart) -> pd.Timestamp:
    """The latest time any layer of a map draws (image, hover cells, candles, legends), from its datasets."""
    ends = []
    for dataset in chart.proto.datasets:
        frame = convert_arrow_bytes_to_pandas_df(dataset.data.data)
        ends += [frame[c].max() for c in ("t1", "time", "tm") if c in frame]
    assert ends, "the map carries no time data"
    return max(ends)


@pytest.fixture(scope="module")
def simulated() -> AppTest:
    at = run_page("pages/replay.py")
    assert not at.exception, at.exception
    return at


def test_step_forward_and_back_move_the_shown_snapshot(simulated: AppTest) -> None:
    at = simulated
    first = _shown(at)
    at.button(key="rp_forward").click().run()
    assert not at.exception
    second = _shown(at)
    assert second > first
    at.button(key="rp_back").click().run()
    assert _shown(at) == first
    at.button(key="rp_back").click().run()  # already at the start: stays there
    assert _shown(at) == first


def test_the_player_carries_the_tape_of_both_maps(simulated: AppTest) -> None:
    """The browser player gets every snapshot and both maps; a bug dropping the true book or snapshots fails."""
    players = list(simulated.get("iframe"))
    assert len(players) == 1
    html = players[0].proto.srcdoc
    count = len(simulated.session_state["analysis"].heatmap.times)
    assert "const tape = " in html and "</script>" not in html.split("const tape = ")[1].split("\n")[0]
    tape = json.loads(html.split("const tape = ")[1].split(";\n")[0])
    assert len(tape["times"]) == count and len(tape["maps"]) == 2
    assert tape["maps"][1]["title"].startswith("True book")


def test_true_book_plays_beside_the_estimate_on_simulated_data(simulated: AppTest) -> None:
    titles = [m.value for m in simulated.markdown]
    assert "**Estimated map**" in titles and "**True book (simulator)**" in titles
    assert len(_maps(simulated)) == 2


def test_nothing_after_the_current_snapshot_is_drawn(simulated: AppTest) -> None:
    at = simulated
    at.session_state["rp_k"] = 20
    at.run()
    shown = _shown(at)
    heatmap = at.session_state["analysis"].heatmap
    assert shown == heatmap.times[20]
    step = heatmap.times[21] - heatmap.times[20]
    charts = _maps(at)
    assert len(charts) == 2
    for chart in charts:
        assert _latest_drawn(chart) <= shown + step


def test_uploaded_data_shows_only_the_estimate() -> None:
    closes = [100 + (i % 40) - 20 * ((i // 40) % 2) for i in range(600)]
    market = make_market(closes, open_interest=[1e6 + 500 * i for i in range(600)])
    at = AppTest.from_file(str(ROOT / "pages" / "replay.py"), default_timeout=120)
    at.session_state["analysis"] = analyse(market, label="my *upload*")
    at.run()
    assert not at.exception, at.exception
    titles = [m.value for m in at.markdown]
    assert "**Estimated map**" in titles and "**True book (simulator)**" not in titles
    assert len(_maps(at)) == 1
    tape = json.loads(at.get("iframe")[0].proto.srcdoc.split("const tape = ")[1].split(";\n")[0])
    assert len(tape["maps"]) == 1
    assert "true book" not in " ".join(c.value for c in at.caption)
    assert "my \\*upload\\*" in at.caption[0].value  # the dataset's name is shown as text
