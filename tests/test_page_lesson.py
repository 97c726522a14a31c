"""Learner guidance on the heatmap page: "start here" on the first visit, the scenario's lesson and its "show me"."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from liqcore.scenarios import SCENARIO_BY_NAME, START_HERE

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def _text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def _map(at: AppTest) -> str:
    """The map's spec and datasets as text (the lesson's marked moments are a named dataset)."""
    return str(at.get("vega_lite_chart")[0].proto)


def _opened(*expanders: str) -> AppTest:
    """The app's first run with these guide expanders open (closed, they render only their labels)."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key in expanders:
        at.session_state[key] = True
    return at


def test_start_here_shows_three_steps_until_dismissed() -> None:
    closed = AppTest.from_file(APP, default_timeout=120).run()
    assert START_HERE[0][1] not in _text(closed) and not closed.button  # closed: nothing inside is rendered
    assert any(e.label.startswith("Start here") for e in closed.expander)
    at = _opened("start_here").run()
    assert not at.exception
    for title, text in START_HERE:
        assert title in _text(at) and text in _text(at)
    at.button(key="start_here_ok").click().run()
    assert not at.exception
    assert START_HERE[0][1] not in _text(at)
    at.run()
    assert START_HERE[0][1] not in _text(at)  # stays dismissed for the session


def test_scenario_lesson_comes_from_the_scenario_and_show_me_jumps_to_the_key_moment() -> None:
    at = _opened("scenario_lesson").run()
    sim = at.session_state["analysis"].simulation
    guide = SCENARIO_BY_NAME[sim.scenario]
    assert guide.watch in _text(at) and guide.where in _text(at)
    assert "Marked on the map" not in _text(at) and sim.key_moments()["label"].iloc[0] not in _map(at)
    before = at.select_slider(key="hm_at").value
    at.toggle(key="lesson_show_me").set_value(True).run()
    assert not at.exception
    moment = sim.key_moments().iloc[0]
    heatmap = at.session_state["analysis"].heatmap
    expected = heatmap.times[heatmap.times.searchsorted(moment["time"], side="right") - 1]
    assert at.select_slider(key="hm_at").value == expected != before
    assert f"{moment['time']:%b %d %H:%M} UTC" in _text(at) and moment["label"] in _text(at)
    assert moment["label"] in _map(at)  # marked on the map
    at.session_state["scenario_lesson"] = False
    at.run()
    at.run()  # closed for a second run: Streamlit would have forgotten the undrawn toggle by now
    assert not at.exception and moment["label"] not in _text(at)
    assert moment["label"] in _map(at)  # still marked with the lesson closed


def test_lesson_text_follows_the_chosen_scenario() -> None:
    at = _opened("scenario_lesson")
    at.query_params["scenario"] = "fakeout"
    at.run()
    assert not at.exception
    assert SCENARIO_BY_NAME["fakeout"].watch in _text(at)
    assert SCENARIO_BY_NAME["short_squeeze"].watch not in _text(at)
