"""The share link: every view-defining choice (sidebar, assumption edits, map controls, profile time) round-trips."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from liqcore.config import ModelConfig

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
BALANCED = ModelConfig.preset("balanced")
LEV = f"cfg_lev_{BALANCED.leverage_tiers[0]:g}"  # the first tier's share slider
OTHER_LEV = f"cfg_lev_{BALANCED.leverage_tiers[1]:g}"


def test_a_customised_view_is_written_to_the_link_and_a_new_session_opens_it() -> None:
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception
    assert LEV not in at.query_params  # untouched assumptions keep the link short
    times = list(at.session_state["analysis"].heatmap.times)
    # AppTest drops the sidebar's elements after a rerun, so the choices are made before the first run of a session
    custom = AppTest.from_file(APP, default_timeout=180)
    choices = {
        LEV: 40,
        "cfg_close_rule": "oldest_first",
        "cfg_same_bar": True,
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
    assert link[LEV] == "40" and link["cfg_close_rule"] == "oldest_first" and link["cfg_same_bar"] == "True"
    assert link["hm_scale"] == "percentile" and link["hm_side"] == "short" and link["hm_threshold"] == "0.2"
    assert OTHER_LEV not in link  # only the edited assumptions

    fresh = AppTest.from_file(APP, default_timeout=180)
    for key, value in link.items():
        fresh.query_params[key] = value
    fresh.run()
    assert not fresh.exception
    assert fresh.slider(key=LEV).value == 40
    assert fresh.radio(key="cfg_close_rule").value == "oldest_first"
    assert fresh.toggle(key="cfg_same_bar").value is True
    assert fresh.session_state["analysis"].config.same_bar_liquidations
    assert fresh.selectbox(key="hm_scale").value == "percentile"
    assert fresh.button_group(key="hm_side").value == "short"
    assert fresh.slider(key="hm_threshold").value == 0.2
    assert fresh.select_slider(key="hm_at").value == times[len(times) // 2]
    assert fresh.session_state["analysis"].key == custom.session_state["analysis"].key  # the same map
    assert fresh.session_state["analysis"].key != at.session_state["analysis"].key


def test_a_tampered_link_falls_back_to_defaults() -> None:
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in {LEV: "900", "hm_scale": "cubic", "hm_threshold": "-3", "hm_at": "yesterday"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert at.selectbox(key="hm_scale").value == "log" and at.slider(key="hm_threshold").value == 0.0
    assert at.session_state[LEV] == round(100 * BALANCED.long_weights[0] / sum(BALANCED.long_weights))
    assert at.session_state["analysis"].config.long_weights == BALANCED.long_weights
