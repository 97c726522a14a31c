"""Learner guidance on the heatmap page: "start here" on the first visit, the scenario's lesson and its "show me"."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from liqcore.scenarios import SCENARIO_BY_NAME, START_HERE

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def _text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def test_start_here_shows_three_steps_until_dismissed() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    for title, text in START_HERE:
        assert title in _text(at) and text in _text(at)
    at.button(key="start_here_ok").click().run()
    assert not at.exception
    assert START_HERE[0][1] not in _text(at)
    at.run()
    assert START_HERE[0][1] not in _text(at)  # stays dismissed for the session


def test_scenario_lesson_comes_from_the_scenario_and_show_me_jumps_to_the_key_moment() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    sim = at.session_state["analysis"].simulation
    guide = SCENARIO_BY_NAME[sim.scenario]
    assert guide.watch in _text(at) and guide.where in _text(at)
    assert "Marked on the map" not in _text(at)
    before = at.select_slider(key="hm_at").value
    at.toggle(key="lesson_show_me").set_value(True).run()
    assert not at.exception
    moment = sim.key_moments().iloc[0]
    heatmap = at.session_state["analysis"].heatmap
    expected = heatmap.times[heatmap.times.searchsorted(moment["time"], side="right") - 1]
    assert at.select_slider(key="hm_at").value == expected != before
    assert f"{moment['time']:%b %d %H:%M} UTC" in _text(at) and moment["label"] in _text(at)


def test_lesson_text_follows_the_chosen_scenario() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["scenario"] = "fakeout"
    at.run()
    assert not at.exception
    assert SCENARIO_BY_NAME["fakeout"].watch in _text(at)
    assert SCENARIO_BY_NAME["short_squeeze"].watch not in _text(at)
