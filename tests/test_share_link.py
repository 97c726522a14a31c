"""The share link: every view-defining choice (sidebar, assumption edits, map controls, profile time) round-trips."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def test_a_customised_view_is_written_to_the_link_and_a_new_session_opens_it() -> None:
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception
    assert "cfg_lev_5" not in at.query_params  # untouched assumptions keep the link short
    times = list(at.session_state["analysis"].heatmap.times)
    # AppTest drops the sidebar's elements after a rerun, so the choices are made before the first run of a session
    custom = AppTest.from_file(APP, default_timeout=180)
    choices = {
        "cfg_lev_5": 40,
        "cfg_close_rule": "oldest_first",
        "hm_scale": "percentile",
        "hm_side": "short",
        "hm_threshold": 0.2,
        "hm_at": times[len(times) // 2],
    }
    for key, value in choices.items():
        custom.session_state[key] = value
    custom.run()
    assert not custom.exception
    link = {key: custom.query_params[key] for key in custom.query_params}
    assert link["cfg_lev_5"] == "40" and link["cfg_close_rule"] == "oldest_first"
    assert link["hm_scale"] == "percentile" and link["hm_side"] == "short" and link["hm_threshold"] == "0.2"
    assert "cfg_lev_10" not in link  # only the edited assumptions

    fresh = AppTest.from_file(APP, default_timeout=180)
    for key, value in link.items():
        fresh.query_params[key] = value
    fresh.run()
    assert not fresh.exception
    assert fresh.slider(key="cfg_lev_5").value == 40
    assert fresh.radio(key="cfg_close_rule").value == "oldest_first"
    assert fresh.selectbox(key="hm_scale").value == "percentile"
    assert fresh.button_group(key="hm_side").value == "short"
    assert fresh.slider(key="hm_threshold").value == 0.2
    assert fresh.select_slider(key="hm_at").value == times[len(times) // 2]
    assert fresh.session_state["analysis"].key == custom.session_state["analysis"].key  # the same map
    assert fresh.session_state["analysis"].key != at.session_state["analysis"].key


def test_a_tampered_link_falls_back_to_defaults() -> None:
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in {"cfg_lev_5": "900", "hm_scale": "cubic", "hm_threshold": "-3", "hm_at": "yesterday"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert at.selectbox(key="hm_scale").value == "log" and at.slider(key="hm_threshold").value == 0.0
    assert at.slider(key="cfg_lev_5").value == 25
