"""Expanders that draw their contents only while open; the sidebar's Assumptions keep driving the model when closed."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from liqcore.config import ModelConfig
from pages.components.model_settings import OPEN_KEY

BALANCED = ModelConfig.preset("balanced")
LEV = f"cfg_lev_{BALANCED.leverage_tiers[0]:g}"


def _settings() -> None:
    """The model section alone (no data, no map): what the frame draws in the sidebar, and the link it writes."""
    import streamlit as st

    from pages.components import model_settings, view_state

    st.session_state["config"] = model_settings.choose_config()
    view_state.publish(model_settings.view_keys())


def _editors_drawn(at: AppTest) -> bool:
    return any(slider.key == LEV for slider in at.slider)


def test_closed_assumptions_draw_no_editors_yet_keep_driving_the_model_and_the_link() -> None:
    at = AppTest.from_function(_settings).run()
    assert not at.exception and not _editors_drawn(at)  # a first visit: the editors are not rendered
    assert at.session_state["config"] == BALANCED
    at.session_state[OPEN_KEY] = True
    at.run()
    assert _editors_drawn(at)
    at.slider(key=LEV).set_value(40).run()
    edited = at.session_state["config"]
    assert edited.long_weights != BALANCED.long_weights and at.query_params[LEV] == "40"
    at.session_state[OPEN_KEY] = False
    at.run()
    at.run()  # a second closed run: Streamlit forgets an undrawn widget's value at the end of the first
    assert not at.exception and not _editors_drawn(at)
    assert at.session_state["config"] == edited and at.query_params[LEV] == "40"
    at.session_state[OPEN_KEY] = True
    at.run()
    assert at.slider(key=LEV).value == 40  # reopened: the editor shows the edit the model kept using


def test_a_link_with_edited_assumptions_opens_them_and_an_untouched_one_does_not() -> None:
    shared = AppTest.from_function(_settings)
    shared.query_params[LEV] = "40"
    shared.query_params["cfg_close_rule"] = "oldest_first"
    shared.run()
    assert _editors_drawn(shared) and shared.radio(key="cfg_close_rule").value == "oldest_first"
    assert shared.session_state["config"].close_rule == "oldest_first"
    plain = AppTest.from_function(_settings)
    plain.query_params["cfg_close_rule"] = BALANCED.close_rule  # the preset's own value: nothing edited
    plain.run()
    assert not _editors_drawn(plain) and plain.session_state["config"] == BALANCED


def _notes() -> None:
    """The data description under the sidebar's choices, for a small simulated analysis (it has model notes)."""
    from liqcore import ModelConfig, analyse, simulate
    from pages.components.data_sources import describe

    describe(analyse(simulate("range", seed=1), ModelConfig(), snapshots=50))


def test_data_notes_are_drawn_only_while_open_and_as_one_list() -> None:
    at = AppTest.from_function(_notes, default_timeout=60).run()
    [box] = at.expander
    assert box.label.startswith("Data and model notes (") and not at.markdown  # closed: the notes are not sent
    at.session_state["notes_open"] = True
    at.run()
    [notes] = at.markdown
    count = int(box.label.split("(")[1].rstrip(")"))
    assert count > 1 and notes.value.count("\n- ") == count - 1 and notes.value.startswith("- ")


def _reading() -> None:
    import streamlit as st

    from pages.components.lazy import reading

    reading("How to read this", lambda: st.markdown("- the bands"), key="guide", icon=":material/school:")


def test_reading_matter_is_sent_only_while_open() -> None:
    at = AppTest.from_function(_reading).run()
    assert [e.label for e in at.expander] == ["How to read this"] and not at.markdown
    at.session_state["guide"] = True
    at.run()
    assert [m.value for m in at.markdown] == ["- the bands"]
