"""The walkthrough page: a learner steps through all seven steps on the map, decides, and gets a score card."""

from __future__ import annotations

import pytest
from conftest import invalid_charts, run_page

from liqcore.breakouts import BreakoutConfig


def _maps(at) -> int:
    """Charts on screen that draw the map: the heat is an image mark under the candles."""
    return sum('"type": "image"' in chart.proto.spec for chart in at.get("vega_lite_chart"))


def test_walk_all_seven_steps_with_the_map_on_each() -> None:
    at = run_page("pages/walkthrough.py")
    assert not at.exception
    intro = " ".join(c.value for c in at.caption)
    assert "**estimate**" in intro and "financial advice" in intro and "sidebar" in intro
    assert at.button(key="wt_back").disabled
    for step in range(1, 8):
        assert at.subheader[0].value.startswith(f"{step} ·")
        assert _maps(at) >= 1, f"step {step} shows no map"
        assert invalid_charts(at) == [], f"step {step}"
        if step == 2:
            at.radio(key="wt_guess").set_value("fakeout").run()
            assert not at.exception
            assert any("it was a **" in m.value for m in at.markdown)
            level, (low, high) = _fuel_box(at)  # the fuel window: fuel_pct of the level, on the breakout's side
            assert level in (low, high) and high - low == pytest.approx(level * BreakoutConfig().fuel_pct / 100)
            stops_early = any("bar(s) before your decision" in c.value for c in at.caption)
            assert ("decision" in _marker_labels(at)) != stops_early  # marked only where the map reaches it
        if step == 4:
            assert "Suggested leverage" in [m.label for m in at.metric]
            assert not any("capped at 10" in m.value for m in at.markdown)
        if step == 5:
            at.radio(key="wt_choice").set_value("wait").run()
            assert not at.exception
        if step == 6:
            assert "Reward / risk" in [m.label for m in at.metric]
            assert len(at.success) + len(at.info) + len(at.warning) + len(at.error) >= 4  # one finding per topic
        if step < 7:
            at.button(key="wt_next").click().run()
            assert not at.exception, f"step {step + 1}: {at.exception}"
    assert at.metric[0].label == "Exit"
    card = at.table[0].value
    assert list(card.index) == ["Fakeout check", "Enter or wait", "Your plan"]
    assert card.loc["Enter or wait", "Your answer"] == "Wait (no trade)"
    assert card.loc["Fakeout check", "Your answer"] == "fakeout"
    at.button(key="wt_restart").click().run()
    assert not at.exception
    assert at.subheader[0].value.startswith("1 ·")


def _decision_box(at) -> str:
    return next(e.label for e in at.expander if e.label.startswith("Decision time"))


def test_learner_chooses_the_decision_time_or_a_random_moment() -> None:
    at = run_page("pages/walkthrough.py")
    assert not at.select_slider and not [b for b in at.button if b.key == "wt_random"]  # folded: its controls unsent
    at.session_state["wt_when_open"] = True
    at.run()
    times = at.session_state["analysis"].heatmap.times
    chosen = times[len(times) // 3]
    at.select_slider(key="wt_time").set_value(chosen).run()
    assert not at.exception
    assert f"stopped at **{chosen:%Y-%m-%d %H:%M} UTC**" in " ".join(c.value for c in at.caption)
    assert f"Decision time: {chosen:%b %d %H:%M} UTC" in _decision_box(at)
    assert at.session_state["wt_at"] == at.session_state["analysis"].market.bars.index.get_loc(chosen)
    before = at.session_state["wt_at"]
    at.button(key="wt_random").click().run()  # the box's label names the new decision; the box stays open
    assert not at.exception and at.session_state["wt_step"] == 1
    assert isinstance(at.session_state["wt_at"], int) and at.session_state["wt_at"] != before
    picked = at.session_state["wt_at"]
    at.session_state["wt_when_open"] = False
    at.run()
    at.run()  # a second folded run: nothing in the box is drawn, and the decision it made still holds
    assert not at.exception and not at.select_slider and at.session_state["wt_at"] == picked
    shown = at.session_state["analysis"].market.bars.index[picked]
    assert f"stopped at **{shown:%Y-%m-%d %H:%M} UTC**" in " ".join(c.value for c in at.caption)


def _datasets(at):
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            yield convert_arrow_bytes_to_pandas_df(dataset.data.data)


def _fuel_box(at) -> tuple[float, tuple[float, float]]:
    """The broken level and the price span of the fuel box drawn beyond it, from the step's chart data."""
    frames = list(_datasets(at))
    level = next(f for f in frames if "label" in f and f["label"].astype(str).str.startswith("broken level").any())
    box = next(
        f for f in frames if {"p0", "p1", "label"} <= set(f) and f["label"].astype(str).str.startswith("fuel").any()
    )
    return float(level["price"].iloc[0]), (float(box["p0"].iloc[0]), float(box["p1"].iloc[0]))


def _marker_labels(at) -> set[str]:
    """Labels of the ▼ markers drawn on the maps (decision, key moments), from the charts' datasets."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    labels: set[str] = set()
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frame = convert_arrow_bytes_to_pandas_df(dataset.data.data)
            text = frame["text"].astype(str) if "text" in frame else None  # "▼ label", or "label ▼" near the edge
            if text is not None and (text.str.startswith("▼") | text.str.endswith("▼")).any():
                labels |= set(frame["label"])
    return labels


def test_show_me_stops_before_the_scenario_key_moment_and_marks_it_after_the_decision() -> None:
    at = run_page("pages/walkthrough.py")
    sim = at.session_state["analysis"].simulation
    moment = sim.key_moments().iloc[0]
    at.session_state["wt_when_open"] = True
    at.run()
    at.button(key="wt_show_0").click().run()
    assert not at.exception
    bars = at.session_state["analysis"].market.bars.index
    decided = at.session_state["wt_at"]
    assert bars[decided] < moment["time"]  # the learner decides before the move, not at it
    assert int(bars.searchsorted(moment["time"])) - decided == moment["lead_bars"]
    assert at.select_slider(key="wt_time").value == bars[decided]  # the slider shows the chosen decision
    assert moment["label"] in " ".join(c.value for c in at.caption)
    assert moment["label"] not in _marker_labels(at)  # not drawn while the bars after the decision are hidden
    at.session_state["wt_step"] = 7
    at.run()
    assert not at.exception
    assert {"decision", moment["label"]} <= _marker_labels(at)
    at.button(key="wt_random").click().run()  # another moment forgets the key moment
    at.session_state["wt_step"] = 7
    at.run()
    assert moment["label"] not in _marker_labels(at)


def test_the_reveal_map_draws_the_plan_levels_over_what_happened() -> None:
    at = run_page("pages/walkthrough.py")
    at.session_state["wt_step"] = 7  # straight to the reveal: the plan is the page's default one
    at.run()
    assert not at.exception
    assert at.subheader[0].value.startswith("7 ·")
    labels = {
        str(label).split(" ")[0]
        for frame in _datasets(at)
        if {"price", "label", "colour"} <= set(frame)
        for label in frame["label"]
    }
    assert labels >= {"stop", "target", "liquidation", "entry"}


def test_the_candles_only_chart_is_sent_only_while_its_box_is_open() -> None:
    at = run_page("pages/walkthrough.py")
    at.session_state["wt_step"] = 7
    at.run()
    closed = len(at.get("vega_lite_chart"))
    assert any(e.label == "Candles only, with the plan" for e in at.expander)
    at.session_state["wt_candles_open"] = True
    at.run()
    assert not at.exception and len(at.get("vega_lite_chart")) == closed + 1
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    candles = at.get("vega_lite_chart")[-1]  # candles and the plan's levels, no heat
    frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in candles.proto.datasets]
    assert '"type": "image"' not in candles.proto.spec and any("level" in f for f in frames)
