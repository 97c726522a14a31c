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


def _frame(dataset) -> pd.DataFrame:
    """A dataset the map was sent with, its times as timestamps (a cached spec carries them as ISO text)."""
    frame = convert_arrow_bytes_to_pandas_df(dataset.data.data)
    for column in {"t0", "t1", "time", "tm"} & set(frame.columns):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def _latest_drawn(chart) -> pd.Timestamp:
    """The latest time any layer of a map draws (image, hover cells, candles, legends), from its datasets."""
    ends = []
    for frame in map(_frame, chart.proto.datasets):
        ends += [frame[c].max() for c in ("t1", "time", "tm") if c in frame]
    assert ends, "the map carries no time data"
    return max(ends)


@pytest.fixture(scope="module")
def simulated() -> AppTest:
    at = run_page("pages/replay.py")
    assert not at.exception, at.exception
    return at


def _tape_and_style(at: AppTest) -> tuple[dict, dict]:
    """The tape and the style the browser player was given."""
    html = at.get("iframe")[0].proto.srcdoc
    tape = json.loads(html.split("const tape = ")[1].split(";\n")[0])
    style = json.loads(html.split("const style = ")[1].split(";\n")[0])
    return tape, style


def test_first_paint_shows_the_latest_snapshot_with_the_map_built_up(simulated: AppTest) -> None:
    """Snapshot 1 is an empty map (a trader reads it as broken): both the player and the inspected map open on the
    latest snapshot, the page says so, and the inspected map draws heat across most of the window."""
    at = simulated
    heatmap = at.session_state["analysis"].heatmap
    assert _shown(at) == heatmap.times[-1]
    assert any(
        c.value.startswith(f"Snapshot {len(heatmap.times)} of {len(heatmap.times)} (the latest)") for c in at.caption
    )
    tape, style = _tape_and_style(at)
    assert style["open_at"] == len(tape["times"]) - 1
    cells = next(f for f in map(_frame, _maps(at)[0].proto.datasets) if "usd_text" in f)
    window = heatmap.times[-1] - heatmap.times[0]
    assert len(cells) > 50 and cells["t1"].max() - cells["t0"].min() > window / 2
    assert at.query_params["rp_at"] == str(heatmap.times[-1])  # the share link names the snapshot shown


def test_step_forward_and_back_move_the_shown_snapshot(simulated: AppTest) -> None:
    at = simulated
    latest = _shown(at)
    at.button(key="rp_forward").click().run()  # already at the latest: stays there
    assert not at.exception
    assert _shown(at) == latest
    at.button(key="rp_back").click().run()
    earlier = _shown(at)
    assert earlier < latest
    at.button(key="rp_back").click().run()
    assert _shown(at) < earlier
    at.button(key="rp_forward").click().run()
    assert _shown(at) == earlier


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
    heatmap = at.session_state["analysis"].heatmap
    at.session_state["rp_at"] = heatmap.times[20]
    at.run()
    shown = _shown(at)
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
    assert len(_tape_and_style(at)[0]["maps"]) == 1
    assert "true book" not in " ".join(c.value for c in at.caption)
    assert "my \\*upload\\*" in at.caption[0].value  # the dataset's name is shown as text


@pytest.mark.parametrize("linked", [10, "2020-01-01 00:00", "nonsense"])
def test_a_link_opens_its_snapshot_and_an_unknown_one_the_latest(linked: int | str) -> None:
    market = make_market([100 + (i % 30) for i in range(400)], open_interest=[1e6 + 300 * i for i in range(400)])
    analysis = analyse(market, label="upload")
    times = analysis.heatmap.times
    at = AppTest.from_file(str(ROOT / "pages" / "replay.py"), default_timeout=120)
    at.session_state["analysis"] = analysis
    at.query_params["rp_at"] = str(times[linked]) if isinstance(linked, int) else linked
    at.run()
    assert not at.exception, at.exception
    assert _shown(at) == (times[linked] if isinstance(linked, int) else times[-1])


def test_a_rerun_on_the_same_snapshot_builds_no_map_and_a_new_snapshot_builds_both(monkeypatch) -> None:
    """The inspected maps are cached per snapshot: a page switch back (a rerun here) must not build the two Altair
    charts again (~1 s CPU per visit before), and another snapshot must not show the cached one."""
    import liqcore.charts.heatmap as charts

    built = []
    original = charts.heatmap_chart
    monkeypatch.setattr(charts, "heatmap_chart", lambda *a, **k: built.append(1) or original(*a, **k))
    at = run_page("pages/replay.py")  # the page re-imports the chart function on each run, so it calls the wrapper
    first = _shown(at)
    built.clear()
    at.run()
    assert not at.exception and built == []
    earlier = at.session_state["analysis"].heatmap.times[-7]  # a snapshot no other test of this file inspects
    at.session_state["rp_at"] = earlier
    at.run()
    assert _shown(at) == earlier < first and len(built) == 2  # the estimate and the true book of that snapshot
