"""The walkthrough page: a learner steps through all six steps (answering the fakeout quiz) without an exception."""

from __future__ import annotations

from conftest import run_page


def test_walk_all_six_steps() -> None:
    at = run_page("pages/walkthrough.py")
    assert not at.exception
    intro = " ".join(c.value for c in at.caption)
    assert "**estimate**" in intro and "financial advice" in intro and "sidebar" in intro
    assert at.button(key="wt_back").disabled
    for step in range(1, 7):
        assert at.subheader[0].value.startswith(f"{step} ·")
        if step == 2:
            at.radio(key="wt_guess").set_value("fakeout").run()
            assert not at.exception
            assert any("it was a **" in m.value for m in at.markdown)
        if step == 5:
            assert "Reward / risk" in [m.label for m in at.metric]
            assert len(at.success) + len(at.info) + len(at.warning) + len(at.error) >= 4  # one finding per topic
        if step < 6:
            at.button(key="wt_next").click().run()
            assert not at.exception, f"step {step + 1}: {at.exception}"
    assert at.metric[0].label == "Exit"
    at.button(key="wt_restart").click().run()
    assert not at.exception
    assert at.subheader[0].value.startswith("1 ·")
